"""A workload's pod template: containers, resources, probes, lifecycle, security and volumes.

Mapping from the ECS spec (sources in docs/eks-comparison.md):
- resources: each container requests its share of the ECS task and limits = requests (EKS
  Fargate runs every pod with requests equal to limits; on nodes it keeps ECS's hard task size);
- readinessProbe: the target group's health check (ALB: HTTP GET on its path; NLB: TCP), or the
  container health check for a workload without a load balancer;
- livenessProbe and startupProbe: the container health check (ECS replaces a task whose
  essential container turns unhealthy; failures during its startPeriod do not count, so the
  startup probe allows ceil(startPeriod / interval) + retries attempts);
- preStop sleep = the target group's deregistration delay, so the pod keeps serving while the
  load balancer drains it, then SIGTERM; terminationGracePeriodSeconds = that sleep + the ECS
  stop timeout (the grace period starts before the preStop hook);
- securityContext: readonlyRootFilesystem, `user` as runAsUser/runAsGroup, no privilege
  escalation, the runtime's default seccomp profile; writablePaths become emptyDir volumes;
- environment as env, secrets as secretKeyRef entries of one Kubernetes Secret per workload.
"""

from __future__ import annotations

import math
from typing import Any

from components.concepts.users import parse_user
from components.containers import volume_name
from components.specs.container import ContainerHealthCheck, ContainerSpec

from .workloads import Container, Workload

LABEL = "app.kubernetes.io/name"


def secret_name(workload: Workload) -> str:
    return f"{workload.name}-secrets"


def labels(workload: Workload) -> dict[str, str]:
    return {LABEL: workload.name}


def command(check: ContainerHealthCheck) -> list[str] | None:
    """The ECS health check command as an exec probe command (None for NONE)."""
    kind, *rest = check.command
    if kind == "CMD-SHELL":
        return ["/bin/sh", "-c", " ".join(rest)]
    if kind == "CMD":
        return rest
    return None


def _exec_probe(check: ContainerHealthCheck, failures: int) -> dict[str, Any] | None:
    cmd = command(check)
    if cmd is None:
        return None
    return {
        "exec": {"command": cmd},
        "periodSeconds": check.interval_seconds,
        "timeoutSeconds": check.timeout_seconds,
        "failureThreshold": failures,
    }


def readiness(workload: Workload, spec: ContainerSpec, app: bool) -> dict[str, Any] | None:
    lb = workload.spec.load_balancer
    if app and lb is not None:
        hc = lb.health_check
        action: dict[str, Any] = (
            {"tcpSocket": {"port": "http"}}
            if workload.network_lb
            else {"httpGet": {"path": hc.path, "port": "http"}}
        )
        return {
            **action,
            "periodSeconds": hc.interval_seconds,
            "timeoutSeconds": hc.timeout_seconds,
            "successThreshold": 1,
            "failureThreshold": hc.unhealthy_threshold,
        }
    if spec.health_check is not None:
        return _exec_probe(spec.health_check, spec.health_check.retries)
    return None


def liveness(spec: ContainerSpec) -> dict[str, Any] | None:
    if spec.health_check is None:
        return None
    return _exec_probe(spec.health_check, spec.health_check.retries)


def startup(spec: ContainerSpec) -> dict[str, Any] | None:
    check = spec.health_check
    if check is None or check.start_period_seconds == 0:
        return None
    attempts = math.ceil(check.start_period_seconds / check.interval_seconds) + check.retries
    return _exec_probe(check, attempts)


def drain_seconds(workload: Workload) -> int:
    """The preStop sleep: the load balancer's deregistration delay (0 without one)."""
    lb = workload.spec.load_balancer
    return lb.deregistration_delay_seconds if lb is not None else 0


def grace_seconds(workload: Workload) -> int:
    return drain_seconds(workload) + workload.spec.stop_timeout_seconds


def _user(user: str | int | None) -> dict[str, Any]:
    """runAsUser/runAsGroup for a numeric `user` (1000, "1000" or "1000:1000"; parsed by the
    project's one definition of a user); names cannot map to Kubernetes ids."""
    if user is None:
        return {}
    parsed = parse_user(user)
    out: dict[str, Any] = {}
    if isinstance(parsed.user, int):
        out["runAsUser"] = parsed.user
        out["runAsNonRoot"] = not parsed.is_root
    if isinstance(parsed.group, int):
        out["runAsGroup"] = parsed.group
    return out


def _resources(c: Container) -> dict[str, Any]:
    amounts: dict[str, str] = {}
    if c.cpu_milli:
        amounts["cpu"] = f"{c.cpu_milli}m"
    if c.memory_mib:
        amounts["memory"] = f"{c.memory_mib}Mi"
    return {"requests": dict(amounts), "limits": dict(amounts)} if amounts else {}


def _env(workload: Workload, spec: ContainerSpec) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [
        {"name": k, "value": v} for k, v in sorted(spec.environment.items())
    ]
    env += [
        {"name": k, "valueFrom": {"secretKeyRef": {"name": secret_name(workload), "key": k}}}
        for k in sorted(spec.secrets)
    ]
    return env


def container(workload: Workload, c: Container, image: str, mounts: list[dict[str, Any]]) -> dict:
    spec = c.spec
    app = c is workload.containers[0]
    out: dict[str, Any] = {"name": c.name, "image": image}
    if spec.entry_point:
        out["command"] = list(spec.entry_point)
    if spec.command:
        out["args"] = list(spec.command)
    if spec.working_directory:
        out["workingDir"] = spec.working_directory
    ports = []
    if app and workload.spec.container_port is not None:
        ports.append({"name": "http", "containerPort": workload.spec.container_port})
    ports += [{"name": f"port-{p}", "containerPort": p} for p in spec.ports]
    if ports:
        out["ports"] = ports
    env = _env(workload, spec)
    if env:
        out["env"] = env
    resources = _resources(c)
    if resources:
        out["resources"] = resources
    for key, probe in (
        ("startupProbe", startup(spec)),
        ("readinessProbe", readiness(workload, spec, app)),
        ("livenessProbe", liveness(spec)),
    ):
        if probe is not None:
            out[key] = probe
    drain = drain_seconds(workload)
    if app and drain > 0:
        out["lifecycle"] = {"preStop": {"sleep": {"seconds": drain}}}
    out["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": spec.readonly_root_filesystem,
        **_user(spec.user),
    }
    if mounts:
        out["volumeMounts"] = mounts
    return out


def template(workload: Workload, images: dict[str, str], extra: dict[str, Any]) -> dict:
    """The pod template (metadata and spec); `extra` adds scheduling fields (nodeSelector...)."""
    paths = workload.spec.writable_paths
    volumes = [{"name": volume_name(path), "emptyDir": {}} for path in paths]
    mounts = [{"name": volume_name(path), "mountPath": path} for path in paths]
    containers = [
        container(workload, c, images[c.name], mounts if c is workload.containers[0] else [])
        for c in workload.containers
    ]
    spec: dict[str, Any] = {
        "serviceAccountName": workload.name,
        "automountServiceAccountToken": False,
        "terminationGracePeriodSeconds": grace_seconds(workload),
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "containers": containers,
        **extra,
    }
    if volumes:
        spec["volumes"] = volumes
    return {"metadata": {"labels": labels(workload)}, "spec": spec}
