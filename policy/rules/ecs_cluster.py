"""ECS cluster and EC2 capacity rules: the cluster's settings and its container instances.

ECS Exec session logging and Container Insights on the cluster, managed termination protection
and managed scaling on Auto Scaling group capacity providers, and hardened launch templates
for container instances (IMDSv2, hop limit 1, no public IP, tasks blocked from IMDS).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any

from . import types as t
from .base import SH, Resource, Rule, truthy


def container_insights(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    settings = {s.get("name"): s.get("value") for s in r.props.get("settings") or []}
    if settings.get("containerInsights") not in ("enabled", "enhanced"):
        yield "containerInsights is not enabled (ECS.12)"


def exec_logging(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    exec_cfg = (r.props.get("configuration") or {}).get("executeCommandConfiguration")
    if exec_cfg is None:
        yield (
            "no executeCommandConfiguration: ECS Exec sessions are neither logged nor "
            "encrypted with our key (CKV_AWS_223/224)"
        )
        return
    if exec_cfg.get("logging") == "NONE":
        yield "executeCommandConfiguration.logging is NONE"
    if not exec_cfg.get("kmsKeyId"):
        yield "executeCommandConfiguration.kmsKeyId is not set"
    if exec_cfg.get("logging") == "OVERRIDE":
        log = exec_cfg.get("logConfiguration") or {}
        if not (
            truthy(log.get("cloudWatchEncryptionEnabled"))
            or truthy(log.get("s3BucketEncryptionEnabled"))
        ):
            yield "ECS Exec session logs are not encrypted"


def managed_capacity(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if r.props.get("managedInstancesProvider"):
        return  # ECS Managed Instances: ECS itself scales and drains; ECS.19 is about ASGs
    asg = r.props.get("autoScalingGroupProvider") or {}
    if asg.get("managedTerminationProtection") != "ENABLED":
        yield "managedTerminationProtection is not ENABLED (ECS.19)"
    if (asg.get("managedScaling") or {}).get("status") != "ENABLED":
        yield "managedScaling is not ENABLED (ECS.19 needs it)"


def launch_template(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    meta = r.props.get("metadataOptions") or {}
    if meta.get("httpTokens") != "required":
        yield "metadataOptions.httpTokens is not required: IMDSv1 is reachable (EC2.170)"
    hops = meta.get("httpPutResponseHopLimit")
    if hops is None or int(hops) > 1:
        yield (
            f"httpPutResponseHopLimit is {hops}; 1 keeps containers off the instance "
            "credentials (AutoScaling.4)"
        )
    for nic in r.props.get("networkInterfaces") or []:
        if truthy(nic.get("associatePublicIpAddress")):
            yield "network interface associates a public IP (EC2.25)"
    data = r.props.get("userData")
    if data:
        try:
            text = base64.b64decode(str(data)).decode(errors="replace")
        except ValueError:
            text = str(data)
        if "ECS_CLUSTER" in text and "ECS_AWSVPC_BLOCK_IMDS=true" not in text:
            yield "ECS instance user data does not set ECS_AWSVPC_BLOCK_IMDS=true"


RULES = [
    Rule("ecs-cluster-exec-logging", "ECS-SVC-08", ("CKV_AWS_223", "CKV_AWS_224"),
         "The cluster logs ECS Exec sessions to an encrypted destination with our KMS key",
         "medium", ("mandatory",) * 3, t.CLUSTER, exec_logging),
    Rule("ecs-cluster-container-insights", "ECS-CL-01", (f"{SH} ECS.12", "CKV_AWS_65"),
         "Container Insights is on", "medium", ("advisory", "mandatory", "mandatory"),
         t.CLUSTER, container_insights),
    Rule("ecs-capacity-provider-managed", "ECS-CL-02",
         (f"{SH} ECS.19", "HashiCorp Sentinel FSBP ECS.19"),
         "EC2 capacity providers have managed termination protection and managed scaling",
         "medium", ("mandatory",) * 3, t.CAPACITY_PROVIDER, managed_capacity),
    Rule("ec2-launch-template-hardened", "ECS-CL-03",
         (f"{SH} EC2.170", f"{SH} AutoScaling.3", f"{SH} AutoScaling.4", f"{SH} EC2.25",
          "ECS BPG Block access to EC2 metadata", "AWSGuard ec2-instance-no-public-ip"),
         "Container instances: IMDSv2 only, hop limit 1, no public IP, tasks blocked from IMDS",
         "high", ("mandatory",) * 3, t.LAUNCH_TEMPLATE, launch_template),
]  # fmt: skip
