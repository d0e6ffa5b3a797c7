"""Every workload of a stack as Kubernetes manifests, validated against the API schema offline.

Per stack: a Namespace labelled for the AWS Load Balancer Controller's pod readiness gates
(https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/)
and the Pod Security Standards' baseline level. Per service or worker: a ServiceAccount, a
Deployment (rolling update maxSurge = maximumPercent - 100 %, maxUnavailable = 100 % -
minimumHealthyPercent; pods spread over the zones), its Service / Ingress / NLB Service
(offline/eks/exposure.py), a HorizontalPodAutoscaler (autoscaling/v2) from the CPU and memory
targets, and a PodDisruptionBudget. Per scheduled task: a ServiceAccount and a CronJob.

Two variants: `fargate` (no node selector: EKS Fargate runs x86 pods from a Fargate profile) and
`nodes` (managed node groups: a node selector on the task's CPU architecture). Workloads with
launchType EXTERNAL select EKS Hybrid Nodes in both.

Validation: `kubernetes-validate` (pinned in requirements.txt) checks each manifest against the
OpenAPI schema of the Kubernetes version in offline/eks/data.yaml, strictly (unknown fields fail).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from components.config import StackConfig

from . import data, exposure, pod
from .cron import ScheduleError, to_cronjob
from .workloads import Workload

VARIANTS = ("fargate", "nodes")
ARCH = {"X86_64": "amd64", "ARM64": "arm64"}
ZONE = "topology.kubernetes.io/zone"
JOB_TTL_SECONDS = 3600  # finished Job pods keep billing on Fargate until deleted (fargate.html)


class ManifestError(ValueError):
    """A rendered manifest does not validate against the Kubernetes API schema."""


def validate(doc: dict[str, Any], version: str | None = None) -> None:
    version = version or data.kubernetes_version()
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        where = "/".join(str(p) for p in exc.path) or "(root)"
        name = (doc.get("metadata") or {}).get("name", "?")
        raise ManifestError(
            f"{doc.get('kind')}/{name}: {exc.message} at {where} (Kubernetes {version})"
        ) from None


@dataclass
class Rendered:
    """Manifests per variant and file (a workload's documents go in one file)."""

    files: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def documents(self, variant: str) -> list[dict[str, Any]]:
        return [d for docs in self.files.get(variant, {}).values() for d in docs]

    def write(self, out: Path) -> list[Path]:
        written = []
        for variant, files in self.files.items():
            folder = out / variant
            folder.mkdir(parents=True, exist_ok=True)
            for name, docs in files.items():
                path = folder / f"{name}.yaml"
                path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
                written.append(path)
        return written


def namespace(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "labels": {
                "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
                "pod-security.kubernetes.io/enforce": "baseline",
            },
        },
    }


def service_account(workload: Workload, ns: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": workload.name, "namespace": ns, "labels": pod.labels(workload)},
        "automountServiceAccountToken": False,
    }


def scheduling(workload: Workload, variant: str) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if workload.external:
        extra["nodeSelector"] = {"eks.amazonaws.com/compute-type": "hybrid"}
    elif variant == "nodes":
        extra["nodeSelector"] = {"kubernetes.io/arch": ARCH[workload.arch]}
    if workload.kind != "scheduled":
        extra["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": ZONE,
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": pod.labels(workload)},
            }
        ]
    return extra


def rolling_update(workload: Workload, warnings: list[str]) -> dict[str, Any]:
    surge = workload.spec.max_percent - 100
    unavailable = 100 - workload.spec.min_healthy_percent
    if surge == 0 and unavailable == 0:
        warnings.append(
            f"{workload.name}: minimumHealthyPercent 100 and maximumPercent 100 replace no task "
            "on ECS either; Kubernetes refuses maxSurge 0 with maxUnavailable 0, rendered "
            "maxUnavailable 1"
        )
        return {"maxSurge": 0, "maxUnavailable": 1}
    return {"maxSurge": f"{surge}%", "maxUnavailable": f"{unavailable}%"}


def hpa(workload: Workload, ns: str, warnings: list[str]) -> dict[str, Any] | None:
    scaling = workload.spec.autoscaling
    if scaling is None:
        return None
    if scaling.requests_per_target is not None:
        warnings.append(
            f"{workload.name}: requestsPerTarget is not rendered (the ALB's "
            "RequestCountPerTarget is an external metric: it needs a metrics adapter)"
        )
    if scaling.schedules:
        warnings.append(f"{workload.name}: scheduled scaling windows are not rendered")
    metrics = [
        {"type": "Resource", "resource": {"name": name, "target": {
            "type": "Utilization", "averageUtilization": target}}}
        for name, target in (("cpu", scaling.cpu_target), ("memory", scaling.memory_target))
        if target is not None
    ]  # fmt: skip
    if not metrics:
        return None
    if scaling.min_count < 1:
        warnings.append(f"{workload.name}: minCount 0 rendered as minReplicas 1 (HPA minimum)")
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": workload.name, "namespace": ns, "labels": pod.labels(workload)},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                               "name": workload.name},
            "minReplicas": max(1, scaling.min_count),
            "maxReplicas": scaling.max_count,
            "metrics": metrics,
            "behavior": {"scaleDown": {
                "stabilizationWindowSeconds": scaling.scale_in_cooldown_seconds}},
        },
    }  # fmt: skip


def pdb(workload: Workload, ns: str) -> dict[str, Any]:
    """Node drains may take what a deployment may: at least one pod, so upgrades never stall."""
    n = max(workload.replicas, 1)
    allowed = n - math.ceil(n * workload.spec.min_healthy_percent / 100)
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": workload.name, "namespace": ns, "labels": pod.labels(workload)},
        "spec": {"maxUnavailable": max(1, allowed),
                 "selector": {"matchLabels": pod.labels(workload)}},
    }  # fmt: skip


def deployment(
    workload: Workload, ns: str, template: dict[str, Any], autoscaled: bool, warnings: list[str]
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": pod.labels(workload)},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": rolling_update(workload, warnings)},
        "template": template,
    }
    if not autoscaled:  # with an HPA the live count is the autoscaler's (kubernetes.io HPA docs)
        spec = {"replicas": workload.replicas, **spec}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": workload.name, "namespace": ns, "labels": pod.labels(workload)},
        "spec": spec,
    }


def cronjob(workload: Workload, ns: str, template: dict[str, Any]) -> dict[str, Any]:
    task = workload.scheduled
    assert task is not None
    template["spec"]["restartPolicy"] = "Never"
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": workload.name, "namespace": ns, "labels": pod.labels(workload)},
        "spec": {
            "schedule": to_cronjob(task.schedule),
            "timeZone": task.time_zone or "Etc/UTC",
            "suspend": not task.enabled,
            "startingDeadlineSeconds": task.retry.maximum_event_age_seconds,
            "jobTemplate": {"spec": {
                "parallelism": task.task_count,
                "completions": task.task_count,
                "backoffLimit": 0,
                "ttlSecondsAfterFinished": JOB_TTL_SECONDS,
                "template": template,
            }},
        },
    }  # fmt: skip


def _orders(workloads: list[Workload]) -> dict[str, int]:
    """group.order per workload: its rank by ECS rule priority within its load balancer."""
    out: dict[str, int] = {}
    groups: dict[str, list[Workload]] = {}
    for w in workloads:
        if w.load_balancer_name and not w.network_lb:
            groups.setdefault(w.load_balancer_name, []).append(w)
    for members in groups.values():
        ranked = sorted(members, key=lambda w: (w.rule_priority or 0, w.name))
        out |= {w.name: i + 1 for i, w in enumerate(ranked)}
    return out


def render_workload(
    workload: Workload, config: StackConfig, ns: str, variant: str,
    image: dict[str, str], order: int, warnings: list[str],
) -> list[dict[str, Any]]:  # fmt: skip
    template = pod.template(workload, image, scheduling(workload, variant))
    docs = [service_account(workload, ns)]
    if workload.kind == "scheduled":
        return [*docs, cronjob(workload, ns, template)]
    scaler = hpa(workload, ns, warnings)
    docs.append(deployment(workload, ns, template, scaler is not None, warnings))
    service = exposure.cluster_service(workload, ns)
    if service is not None:
        docs.append(service)
    lb_name = workload.load_balancer_name
    if lb_name is not None and workload.load_balancer is not None:
        if workload.load_balancer.existing is not None:
            warnings.append(
                f"{workload.name}: load balancer {lb_name} is an existing listener; attaching "
                "to it takes a TargetGroupBinding (a controller CRD), not rendered"
            )
        elif workload.network_lb:
            docs.append(exposure.nlb_service(workload, ns, config.client_cidrs(lb_name)))
        else:
            docs.append(exposure.ingress(workload, ns, order, config.client_cidrs(lb_name)))
    if scaler is not None:
        docs.append(scaler)
    docs.append(pdb(workload, ns))
    return docs


def render(
    workloads: list[Workload], config: StackConfig, ns: str, images: dict[str, dict[str, str]]
) -> Rendered:
    """All variants' manifests, each validated; `images[workload][container]` is the image."""
    out = Rendered()
    orders = _orders(workloads)
    for variant in VARIANTS:
        files: dict[str, list[dict[str, Any]]] = {"namespace": [namespace(ns)]}
        warnings: list[str] = []
        for w in workloads:
            try:
                files[w.name] = render_workload(
                    w, config, ns, variant, images[w.name], orders.get(w.name, 0), warnings
                )
            except ScheduleError as exc:
                warnings.append(f"{w.name}: not rendered: schedule {exc}")
            if w.spec.efs_volumes:
                warnings.append(
                    f"{w.name}: efsVolumes not rendered (a PersistentVolume for the EFS CSI "
                    "driver per file system)"
                )
        for docs in files.values():
            for doc in docs:
                validate(doc)
        out.files[variant] = files
        out.warnings += [w for w in warnings if w not in out.warnings]
    return out
