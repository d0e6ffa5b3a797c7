"""Container definitions for a task: the app container ("app") and its sidecars.

A pure function of the spec, so the JSON the task definition receives is plain text that tests
(and the offline engine's check against ECS's RegisterTaskDefinition shape) can read directly.
"""

from __future__ import annotations

import re
from typing import Any

from .specs.container import APP_CONTAINER, ContainerSpec, SidecarSpec
from .specs.ipv6_support import dual_stack_image
from .specs.service import ServiceSpec

# Non-blocking log delivery: a slow CloudWatch Logs endpoint must not stall the application;
# the buffer holds log lines while delivery catches up (AWS blog "Preventing log loss with
# non-blocking mode in the AWSLogs container log driver").
LOG_BUFFER = "25m"
# IPv6-only tasks: AWS SDKs in the containers call dual-stack endpoints (`<service>.<region>.
# api.aws`), the only ones reachable without IPv4 ("Dual-stack and FIPS endpoints", AWS SDKs and
# Tools reference guide: https://docs.aws.amazon.com/sdkref/latest/guide/feature-endpoints.html).
DUAL_STACK_ENV = "AWS_USE_DUALSTACK_ENDPOINT"


def volume_name(path: str) -> str:
    """Stable task-volume name for a writable path: /var/cache/nginx -> scratch-var-cache-nginx."""
    return "scratch-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "root")


def _common(
    name: str,
    spec: ContainerSpec,
    log_group: str,
    region: str,
    stop_timeout: int,
    dual_stack: bool = False,
) -> dict[str, Any]:
    environment = dict(spec.environment)
    image = spec.image
    if dual_stack:
        environment.setdefault(DUAL_STACK_ENV, "true")
        image = dual_stack_image(image) if image is not None else None
    definition: dict[str, Any] = {
        "name": name,
        "image": image,
        "essential": spec.essential,
        "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(spec.secrets.items())],
        "readonlyRootFilesystem": spec.readonly_root_filesystem,
        "stopTimeout": stop_timeout,
        # tini as PID 1: forwards SIGTERM to the app and reaps zombies, so shutdown is prompt.
        "linuxParameters": {"initProcessEnabled": True},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": region,
                "awslogs-stream-prefix": name,
                "mode": "non-blocking",
                "max-buffer-size": LOG_BUFFER,
            },
        },
    }
    if spec.command is not None:
        definition["command"] = spec.command
    if spec.entry_point is not None:
        definition["entryPoint"] = spec.entry_point
    if spec.user is not None:
        definition["user"] = spec.user
    if spec.working_directory is not None:
        definition["workingDirectory"] = spec.working_directory
    if spec.health_check is not None:
        hc = spec.health_check
        definition["healthCheck"] = {
            "command": hc.command,
            "interval": hc.interval_seconds,
            "timeout": hc.timeout_seconds,
            "retries": hc.retries,
            "startPeriod": hc.start_period_seconds,
        }
    if spec.depends_on:
        definition["dependsOn"] = [
            {"containerName": d.container, "condition": d.condition} for d in spec.depends_on
        ]
    return definition


def _port(name: str, port: int, host_ports: bool) -> dict[str, Any]:
    """A TCP port mapping; bridge/host mode (external instances) publishes it on the server."""
    mapping: dict[str, Any] = {"name": name, "containerPort": port, "protocol": "tcp"}
    if host_ports:
        mapping["hostPort"] = port
    return mapping


def _sidecar(
    name: str,
    spec: SidecarSpec,
    log_group: str,
    region: str,
    stop: int,
    host_ports: bool,
    dual_stack: bool,
) -> dict:
    definition = _common(name, spec, log_group, region, stop, dual_stack)
    for key, value in (
        ("cpu", spec.cpu),
        ("memory", spec.memory),
        ("memoryReservation", spec.memory_reservation),
    ):
        if value is not None:
            definition[key] = value
    if spec.ports:
        definition["portMappings"] = [_port(f"{name}-{p}", p, host_ports) for p in spec.ports]
    return definition


def container_definitions(
    spec: ServiceSpec, log_group: str, region: str, dual_stack: bool = False
) -> list[dict[str, Any]]:
    """`dual_stack` (IPv6-only tasks): AWS registry hosts swapped for their dual-stack names
    (ECS: "workloads in an IPv6-only configuration must use Amazon ECR dualstack image URI
    endpoints", fargate-task-networking.html) and AWS SDKs pointed at dual-stack endpoints."""
    app = _common(APP_CONTAINER, spec, log_group, region, spec.stop_timeout_seconds, dual_stack)
    if spec.container_cpu is not None:
        app["cpu"] = spec.container_cpu
    if spec.container_memory is not None:
        app["memory"] = spec.container_memory
    host_ports = spec.launch_type == "EXTERNAL"
    ports = []
    if spec.container_port is not None:
        ports.append(_port("http", spec.container_port, host_ports))
    ports += [_port(f"port-{p}", p, host_ports) for p in spec.ports]
    connect = spec.service_connect
    if connect is not None and connect.expose and connect.app_protocol not in (None, "tcp"):
        # Service Connect proxies the port as plain TCP unless the port mapping names its
        # protocol ("If you don't set a value for this parameter, then TCP is used"): no HTTP
        # metrics, retries or outlier detection. Immutable once the service uses it.
        # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
        for mapping in ports:
            if mapping["name"] == connect.port_name:
                mapping["appProtocol"] = connect.app_protocol
    if ports:
        app["portMappings"] = ports
    mounts = [
        {"sourceVolume": v.name, "containerPath": v.container_path, "readOnly": v.read_only}
        for v in spec.efs_volumes
    ] + [
        {"sourceVolume": volume_name(p), "containerPath": p, "readOnly": False}
        for p in spec.writable_paths
    ]
    if mounts:
        app["mountPoints"] = mounts
    sidecars = [
        _sidecar(
            name, sidecar, log_group, region, spec.stop_timeout_seconds, host_ports, dual_stack
        )
        for name, sidecar in sorted(spec.sidecars.items())
    ]
    return [app, *sidecars]
