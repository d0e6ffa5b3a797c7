"""ECS rules: task definitions, services, cluster and EC2 capacity (reference section 2.1-2.3)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Mapping
from typing import Any

from . import types as t
from .base import (
    Finding,
    Resource,
    Rule,
    Stack,
    as_list,
    azs_spanned,
    config_value,
    containers,
    truthy,
)

SH = "Security Hub"


def _linux(props: Mapping[str, Any]) -> bool:
    platform = props.get("runtimePlatform") or {}
    return not str(platform.get("operatingSystemFamily") or "LINUX").startswith("WINDOWS")


def _each(r: Resource, cfg: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for c in containers(r.props):
        yield str(c.get("name", "?")), c


def _at(r: Resource, container: str, message: str) -> Finding:
    return Finding(r.urn, f"container {container}: {message}", f"{r.name}/{container}")


# -- task definitions -----------------------------------------------------------------------


def no_privileged(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for name, c in _each(r, cfg):
        if truthy(c.get("privileged")):
            yield _at(r, name, "privileged is true; containers must not run privileged (ECS.4)")


DANGEROUS_CAPABILITIES = ("ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE")


def no_added_capabilities(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    banned = set(config_value(cfg, "forbiddenCapabilities", DANGEROUS_CAPABILITIES))
    for name, c in _each(r, cfg):
        caps = ((c.get("linuxParameters") or {}).get("capabilities") or {}).get("add") or []
        bad = sorted(set(caps) & banned)
        if bad:
            yield _at(r, name, f"adds Linux capabilities {', '.join(bad)}")


def readonly_root(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    if not _linux(r.props):
        return
    for name, c in _each(r, cfg):
        if c.get("readonlyRootFilesystem") is not True:
            yield _at(
                r,
                name,
                "readonlyRootFilesystem is not true (ECS.5); set readonlyRootFilesystem and "
                "list scratch directories in writablePaths",
            )


ROOT_USERS = re.compile(r"^(root|0)(:.*)?$")


def non_root_user(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    if not _linux(r.props):
        return
    for name, c in _each(r, cfg):
        user = c.get("user")
        if not user or ROOT_USERS.match(str(user)):
            shown = "not set" if not user else repr(user)
            yield _at(r, name, f"user is {shown}; run as a non-root user (ECS.20)")


# External instances (ECS Anywhere) have no awsvpc; bridge keeps the task off the host's
# network namespace (AWS: "Networking with ECS Anywhere").
EXTERNAL_MODES = ("bridge", "none")


def no_host_namespaces(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    mode = r.props.get("networkMode")
    if "EXTERNAL" in as_list(r.props.get("requiresCompatibilities")):
        if mode not in EXTERNAL_MODES:
            yield (
                f"networkMode is {mode!r}; tasks on external instances use bridge (ECS.17: "
                "never host; exempt the task definition in the pack config to declare it)"
            )
    elif mode != "awsvpc":
        yield f"networkMode is {mode!r}; use awsvpc (ECS.17: never host)"
    for key in ("pidMode", "ipcMode"):
        if r.props.get(key) == "host":
            yield f"{key} is host; tasks must not share the host's namespaces (ECS.3)"


CREDENTIAL_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA")


def _environment(c: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(e.get("name", "")), str(e.get("value", ""))) for e in c.get("environment") or []]


def no_credential_env(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for name, c in _each(r, cfg):
        for key, _value in _environment(c):
            if key in CREDENTIAL_ENV:
                yield _at(
                    r,
                    name,
                    f"environment variable {key} holds AWS credentials in plain text (ECS.8); "
                    "use the task role",
                )


SECRET_NAME = re.compile(r"(?i)(secret|passw|token|api_?key|private_?key|credential)")
SECRET_VALUE = re.compile(
    r"^(A(KIA|SIA)[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----.*|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{16,})$",
    re.S,
)
ARN = re.compile(r"^arn:aws[a-z-]*:")


def looks_secret(name: str, value: str) -> bool:
    """A plain environment entry that is probably a secret (names or well-known key formats)."""
    if SECRET_VALUE.match(value):
        return True
    return bool(SECRET_NAME.search(name)) and not ARN.match(value) and value != ""


def no_secret_like_env(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for name, c in _each(r, cfg):
        for key, value in _environment(c):
            if key not in CREDENTIAL_ENV and looks_secret(key, value):
                yield _at(
                    r,
                    name,
                    f"environment variable {key} looks like a secret in plain text; pass it in "
                    "secrets (valueFrom a Secrets Manager or SSM ARN)",
                )


LOG_DRIVERS = ("awslogs", "awsfirelens")


def logging(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for name, c in _each(r, cfg):
        driver = (c.get("logConfiguration") or {}).get("logDriver")
        if driver not in LOG_DRIVERS:
            yield _at(r, name, f"logDriver is {driver!r}; use awslogs or awsfirelens (ECS.9)")


def log_non_blocking(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for name, c in _each(r, cfg):
        log = c.get("logConfiguration") or {}
        if log.get("logDriver") == "awslogs":
            mode = (log.get("options") or {}).get("mode")
            if mode != "non-blocking":
                yield _at(r, name, f"awslogs mode is {mode!r}; set non-blocking (+max-buffer-size)")


def separate_roles(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    execution, task = r.props.get("executionRoleArn"), r.props.get("taskRoleArn")
    if execution and task and execution == task:
        yield (
            "taskRoleArn equals executionRoleArn; the application and the ECS agent need "
            "separate roles (CKV_AWS_249)"
        )
    needs_agent = any(
        c.get("secrets") or (c.get("logConfiguration") or {}).get("logDriver") == "awslogs"
        for c in containers(r.props)
    )
    if needs_agent and not execution:
        yield "containers use secrets or awslogs but executionRoleArn is not set"


def container_health_check(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for name, c in _each(r, cfg):
        if c.get("essential", True) and not (c.get("healthCheck") or {}).get("command"):
            yield _at(
                r,
                name,
                "essential container has no healthCheck; the circuit breaker and ECS cannot "
                "tell a hung task (set healthCheck.command)",
            )


def stop_timeout(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    fargate = "FARGATE" in as_list(r.props.get("requiresCompatibilities"))
    for name, c in _each(r, cfg):
        value = c.get("stopTimeout")
        if value is None:
            yield _at(r, name, "stopTimeout is not set (default 30 s); size it to the drain time")
        elif fargate and not 2 <= int(value) <= 120:
            yield _at(r, name, f"stopTimeout {value} is outside Fargate's 2-120 s")


def efs_transit_encryption(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    for volume in r.props.get("volumes") or []:
        efs = volume.get("efsVolumeConfiguration")
        if efs is not None and efs.get("transitEncryption") != "ENABLED":
            yield f"EFS volume {volume.get('name')}: transitEncryption is not ENABLED (ECS.18)"


def _tag(image: str) -> tuple[str | None, bool]:
    """(tag, has_digest) of an image reference."""
    if "@sha256:" in image:
        return None, True
    last = image.rsplit("/", 1)[-1]
    return (last.rsplit(":", 1)[1] if ":" in last else None), False


def image_pinned(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for name, c in _each(r, cfg):
        image = str(c.get("image", ""))
        tag, digest = _tag(image)
        if not digest and (tag is None or tag == "latest"):
            yield _at(
                r,
                name,
                f"image {image} is not pinned; use an immutable version tag or @sha256 digest",
            )


PRIVATE_ECR = r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/"


def image_registry(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    allowed = [re.compile(p) for p in config_value(cfg, "allowedRegistries", [PRIVATE_ECR])]
    for name, c in _each(r, cfg):
        image = str(c.get("image", ""))
        if not any(p.match(image) for p in allowed):
            yield _at(r, name, f"image {image} is not from an allowed registry (our ECR)")


# -- services ------------------------------------------------------------------------------


def no_public_ip(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    net = r.props.get("networkConfiguration") or {}
    if truthy(net.get("assignPublicIp")) or net.get("assignPublicIp") == "ENABLED":
        yield (
            "tasks get public IPs (networkConfiguration.assignPublicIp); run them in private "
            "subnets behind a load balancer (ECS.2)"
        )


def service_security_groups(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    net = r.props.get("networkConfiguration")
    if net is not None and not as_list(net.get("securityGroups")):
        yield "networkConfiguration.securityGroups is empty: the VPC default group would apply"


def _rolling(r: Resource) -> bool:
    controller = (r.props.get("deploymentController") or {}).get("type") or "ECS"
    return controller == "ECS"


def circuit_breaker(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if not _rolling(r):
        return
    breaker = r.props.get("deploymentCircuitBreaker") or {}
    if not (truthy(breaker.get("enable")) and truthy(breaker.get("rollback"))):
        yield (
            "deploymentCircuitBreaker must be {enable: true, rollback: true}: a failing "
            "deployment otherwise keeps replacing tasks"
        )


def deployment_percent(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if not _rolling(r) or r.props.get("schedulingStrategy") == "DAEMON":
        return
    low = int(config_value(cfg, "minHealthyPercent", 100))
    high = int(config_value(cfg, "minMaximumPercent", 200))
    healthy = r.props.get("deploymentMinimumHealthyPercent")
    maximum = r.props.get("deploymentMaximumPercent")
    if healthy is None or int(healthy) < low:
        yield (
            f"deploymentMinimumHealthyPercent is {healthy}; at least {low} keeps capacity "
            "during deployments"
        )
    if maximum is None or int(maximum) < high:
        yield f"deploymentMaximumPercent is {maximum}; at least {high} starts new tasks first"


def grace_period(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if as_list(r.props.get("loadBalancers")) and not r.props.get("healthCheckGracePeriodSeconds"):
        yield (
            "behind a load balancer without healthCheckGracePeriodSeconds: slow starters are "
            "killed before they turn healthy"
        )


def _subnet_azs(stack: Stack, r: Resource) -> int:
    listed = as_list((r.props.get("networkConfiguration") or r.props).get("subnets"))
    return azs_spanned(stack, r, listed)


def service_multi_az(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    need = int(config_value(cfg, "minAzs", 2))
    for r in stack.of_type(*t.SERVICE):
        if r.props.get("networkConfiguration") is None:
            continue
        n = _subnet_azs(stack, r)
        if n < need:
            yield Finding(r.urn, f"tasks span {n} AZ(s); at least {need} are required")


def min_tasks(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    need = int(config_value(cfg, "minTasks", 2))
    for r in stack.of_type(*t.SERVICE):
        scaling = stack.dependents(r, *t.SCALING_TARGET)
        if scaling:
            floor = min(int(s.props.get("minCapacity") or 0) for s in scaling)
            what = "autoscaling minCapacity"
        else:
            floor, what = int(r.props.get("desiredCount") or 0), "desiredCount"
        if floor < need:
            yield Finding(r.urn, f"{what} is {floor}; at least {need} tasks survive an AZ loss")


def az_rebalancing(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if r.props.get("launchType") == "EXTERNAL":
        return  # the team's own servers are in no Availability Zone
    if r.props.get("availabilityZoneRebalancing") != "ENABLED":
        yield "availabilityZoneRebalancing is not ENABLED"


ALLOWED_PLATFORMS = ("LATEST", "1.4.0")


def platform_version(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    version = r.props.get("platformVersion")
    if version is not None and version not in ALLOWED_PLATFORMS:
        yield f"platformVersion {version} is outdated; omit it or use LATEST/1.4.0 (ECS.10)"


def _strategy_findings(urn: str, strategy: list[Any], need: int) -> Iterator[Finding]:
    providers = {str(i.get("capacityProvider")): i for i in strategy}
    spot = providers.get("FARGATE_SPOT")
    if spot is None or not (int(spot.get("weight") or 0) or int(spot.get("base") or 0)):
        return
    base = sum(int(i.get("base") or 0) for n, i in providers.items() if n != "FARGATE_SPOT")
    if base < need:
        yield Finding(
            urn,
            f"FARGATE_SPOT with an on-demand base of {base}; at least {need} tasks must run on "
            "FARGATE (Spot can be reclaimed all at once)",
        )


def spot_base(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    need = int(config_value(cfg, "minOnDemandBase", 1))
    for r in stack.of_type(*t.SERVICE):
        yield from _strategy_findings(
            r.urn, as_list(r.props.get("capacityProviderStrategies")), need
        )
    for r in stack.of_type(*t.CLUSTER_CAPACITY):
        strategy = as_list(r.props.get("defaultCapacityProviderStrategies"))
        yield from _strategy_findings(r.urn, strategy, need)


def exec_disabled(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if truthy(r.props.get("enableExecuteCommand")):
        yield (
            "enableExecuteCommand is true: ECS Exec opens a shell in production tasks "
            "(and a path to the task role's credentials)"
        )


# -- cluster and EC2 capacity ----------------------------------------------------------------


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
    Rule("ecs-td-no-privileged", "ECS-TD-01",
         (f"{SH} ECS.4", "CKV_AWS_334", "prowler ecs_task_definitions_no_privileged_containers",
          "ECS BPG Task and container security"),
         "Containers never run privileged", "high", ("mandatory",) * 3,
         t.TASK_DEFINITION, no_privileged),
    Rule("ecs-td-no-added-capabilities", "ECS-TD-01",
         (f"{SH} ECS.4", "ECS BPG Remove unnecessary Linux capabilities"),
         "Containers add no dangerous Linux capabilities (SYS_ADMIN, NET_ADMIN, ALL ...)",
         "medium", ("advisory",) * 3, t.TASK_DEFINITION, no_added_capabilities,
         config={"forbiddenCapabilities": list(DANGEROUS_CAPABILITIES)}),
    Rule("ecs-td-readonly-root", "ECS-TD-02",
         (f"{SH} ECS.5", "CKV_AWS_336", "ECS BPG Use a read-only root file system"),
         "Linux containers have a read-only root filesystem", "high",
         ("advisory", "mandatory", "mandatory"), t.TASK_DEFINITION, readonly_root),
    Rule("ecs-td-non-root-user", "ECS-TD-03",
         (f"{SH} ECS.20", f"{SH} ECS.1", "ECS BPG Run containers as a non-root user"),
         "Linux containers run as a non-root user", "medium",
         ("advisory", "mandatory", "mandatory"), t.TASK_DEFINITION, non_root_user),
    Rule("ecs-td-no-host-namespaces", "ECS-TD-04",
         (f"{SH} ECS.17", f"{SH} ECS.3", f"{SH} ECS.1", "CKV_AWS_335", "ECS BPG Use awsvpc"),
         "Tasks use awsvpc (bridge on external instances) and never the host's network, PID "
         "or IPC namespace", "high",
         ("mandatory",) * 3, t.TASK_DEFINITION, no_host_namespaces),
    Rule("ecs-td-no-credential-env", "ECS-TD-05",
         (f"{SH} ECS.8", "prowler ecs_task_definitions_no_environment_secrets"),
         "No AWS credentials in plain container environment variables", "high",
         ("mandatory",) * 3, t.TASK_DEFINITION, no_credential_env),
    Rule("ecs-td-no-secret-env", "ECS-TD-05",
         (f"{SH} ECS.8", "prowler ecs_task_definitions_no_environment_secrets",
          "ECS BPG Secrets management"),
         "No secret-looking values or names (*PASSWORD, *TOKEN, *SECRET, API keys) in plain "
         "environment variables", "high", ("advisory", "mandatory", "mandatory"),
         t.TASK_DEFINITION, no_secret_like_env),
    Rule("ecs-td-logging", "ECS-TD-06",
         (f"{SH} ECS.9", "prowler ecs_task_definitions_logging_enabled"),
         "Every container logs through awslogs or FireLens", "high", ("mandatory",) * 3,
         t.TASK_DEFINITION, logging),
    Rule("ecs-td-log-non-blocking", "ECS-TD-06",
         ("prowler ecs_task_definitions_logging_block_mode",
          "AWS blog Preventing log loss with non-blocking mode"),
         "awslogs runs in non-blocking mode (a slow log endpoint never stalls the app)", "low",
         ("advisory",) * 3, t.TASK_DEFINITION, log_non_blocking),
    Rule("ecs-td-separate-roles", "ECS-TD-07",
         ("CKV_AWS_249", "ECS BPG Using IAM roles with tasks", "ECS dev guide Task execution role"),
         "Task role and execution role are set and distinct", "medium", ("mandatory",) * 3,
         t.TASK_DEFINITION, separate_roles),
    Rule("ecs-td-container-health-check", "ECS-TD-08",
         ("ECS dev guide Container health checks", "Datadog ECS task definition health check"),
         "Essential containers define a container health check", "low",
         ("advisory", "advisory", "mandatory"), t.TASK_DEFINITION, container_health_check),
    Rule("ecs-td-stop-timeout", "ECS-TD-09",
         ("ECS BPG SIGTERM responsiveness", "ECS dev guide stopTimeout"),
         "Containers set stopTimeout explicitly (graceful shutdown)", "low",
         ("advisory", "advisory", "mandatory"), t.TASK_DEFINITION, stop_timeout),
    Rule("ecs-td-efs-transit-encryption", "ECS-TD-10", (f"{SH} ECS.18", "CKV_AWS_97"),
         "EFS volumes use transit encryption", "medium", ("mandatory",) * 3,
         t.TASK_DEFINITION, efs_transit_encryption),
    Rule("ecs-td-image-pinned", "ECS-TD-11",
         ("ECS BPG Use immutable tags with Amazon ECR", f"{SH} ECR.2"),
         "Images are pinned by version tag or digest (never latest or untagged)", "medium",
         ("advisory", "mandatory", "mandatory"), t.TASK_DEFINITION, image_pinned),
    Rule("ecs-td-image-registry", "ECS-TD-11", ("ECS BPG Create a set of curated images",),
         "Images come from our ECR registries or allowed curated publishers", "low",
         ("disabled", "advisory", "advisory"), t.TASK_DEFINITION, image_registry,
         config={"allowedRegistries": [PRIVATE_ECR]}),
    Rule("ecs-svc-no-public-ip", "ECS-SVC-01",
         (f"{SH} ECS.2", f"{SH} ECS.16", "CKV_AWS_333", "prowler ecs_service_no_assign_public_ip"),
         "Tasks never get public IPs", "high", ("mandatory",) * 3, t.SERVICE + t.TASK_SET,
         no_public_ip),
    Rule("ecs-svc-security-groups", "ECS-SVC-02",
         ("ECS dev guide service securityGroups", f"{SH} EC2.2", "CKV2_AWS_5"),
         "Services name their own task security groups", "medium", ("mandatory",) * 3,
         t.SERVICE + t.TASK_SET, service_security_groups),
    Rule("ecs-svc-circuit-breaker", "ECS-SVC-03", ("ECS dev guide Deployment circuit breaker",),
         "Rolling deployments have the circuit breaker with rollback", "medium",
         ("mandatory",) * 3, t.SERVICE, circuit_breaker),
    Rule("ecs-svc-deployment-percent", "ECS-SVC-04", ("ECS BPG Task deployment",),
         "Rolling deployments keep capacity: min healthy percent and max percent", "medium",
         ("advisory", "mandatory", "mandatory"), t.SERVICE, deployment_percent,
         config={"minHealthyPercent": 100, "minMaximumPercent": 200}),
    Rule("ecs-svc-grace-period", "ECS-SVC-04", ("ECS dev guide healthCheckGracePeriodSeconds",),
         "Services behind a load balancer set a health check grace period", "low",
         ("advisory", "mandatory", "mandatory"), t.SERVICE, grace_period),
    Rule("ecs-svc-multi-az", "ECS-SVC-05",
         ("ECS BPG Capacity and availability", f"{SH} ELB.13"),
         "Service tasks span enough AZs (2; 3 in prod)", "medium", ("mandatory",) * 3,
         stack_check=service_multi_az, config={"minAzs": 2}),
    Rule("ecs-svc-min-tasks", "ECS-SVC-05", ("ECS BPG Capacity and availability",),
         "Services keep enough tasks (desiredCount or autoscaling minimum) to survive an AZ "
         "loss", "medium", ("advisory", "mandatory", "mandatory"), stack_check=min_tasks,
         config={"minTasks": 2}),
    Rule("ecs-svc-az-rebalancing", "ECS-SVC-05", ("ECS AZ rebalancing docs",),
         "Services rebalance tasks across AZs", "low", ("advisory", "mandatory", "mandatory"),
         t.SERVICE, az_rebalancing),
    Rule("ecs-svc-platform-version", "ECS-SVC-06", (f"{SH} ECS.10", "CKV_AWS_332"),
         "Fargate platform version is LATEST or 1.4.0", "medium", ("mandatory",) * 3,
         t.SERVICE + t.TASK_SET, platform_version),
    Rule("ecs-svc-spot-base", "ECS-SVC-07",
         ("ECS BPG Using Spot and FARGATE_SPOT", "ECS dev guide Capacity provider strategy"),
         "FARGATE_SPOT only with an on-demand base", "medium",
         ("advisory", "mandatory", "mandatory"), stack_check=spot_base,
         config={"minOnDemandBase": 1}),
    Rule("ecs-svc-exec-disabled", "ECS-SVC-08",
         ("CKV_AWS_223", "CKV_AWS_224", "prowler ECS-006 privilege escalation"),
         "ECS Exec is off in production", "medium", ("advisory", "advisory", "mandatory"),
         t.SERVICE, exec_disabled),
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
