"""The Compose importer's mappings as data: which service keys map, which have no equivalent here
and why (each message is the finding's text), and the values Compose and ECS name differently."""

from __future__ import annotations

import re

LB_NAME = "public"
RESTARTS = "an ECS service replaces every task that stops"

# Ports that serve HTTP by convention; a port is also HTTP when the healthcheck fetches it.
HTTP_PORTS = frozenset({80, 443, 3000, 4000, 5601, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090})
# Ports a called service speaks HTTP on; any other is plain TCP for Service Connect.
HTTP_APP_PORTS = {80, 3000, 4000, 5000, 8000, 8008, 8080, 8081, 8888, 9000, 9090}
# Host addresses that publish a port to the host only.
LOOPBACK = ("127.0.0.1", "localhost", "::1")

# Well-known server images and the port they listen on when the Compose file declares none
# (each image's documentation on Docker Hub).
IMAGE_PORTS = {
    "redis": 6379,
    "valkey": 6379,
    "postgres": 5432,
    "mysql": 3306,
    "mariadb": 3306,
    "mongo": 27017,
    "memcached": 11211,
    "rabbitmq": 5672,
    "elasticsearch": 9200,
    "opensearch": 9200,
    "zookeeper": 2181,
    "nats": 4222,
}

# Compose platform -> cpuArchitecture (None: the default, X86_64).
PLATFORM_ARCHITECTURES: dict[str, str | None] = {
    "linux/amd64": None,
    "linux/x86_64": None,
    "linux/arm64": "ARM64",
    "linux/arm64/v8": "ARM64",
    "linux/aarch64": "ARM64",
}

# Byte suffixes of Compose memory values (`512m`, `1.5G`, `1gb`).
MEMORY_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}

# Restart values that keep a container running: an ECS service does the same.
ALWAYS_RESTARTS = ("always", "unless-stopped")
# Restart values and restart policy conditions of a container that runs once.
RUN_ONCE_RESTARTS = ("no", "false", "on-failure")
RUN_ONCE_POLICIES = ("none", "on-failure")
# Names of port-less services that do one-off work (seed, migrate, init, setup, bootstrap).
RUN_ONCE_NAME = re.compile(r"(^|[-_])(seed\w*|migrat\w*|init|setup|bootstrap)([-_]|$)")
# Keys of a service that a scheduled task does not take.
SERVICE_ONLY_KEYS = ("containerPort", "ports", "desiredCount", "loadBalancer")

# Top-level secret declaration key -> how the finding names where the secret comes from.
SECRET_ORIGINS = (("file", "file {}"), ("external", "external"), ("environment", "env {}"))

BUILD_KEYS = ("context", "dockerfile", "target", "args")
DEPLOY_MAPPED = ("replicas", "resources")
RESOURCE_KEYS = ("cpus", "memory", "devices")
HEALTHCHECK_TESTS = ("CMD", "CMD-SHELL")

# Service keys with no equivalent here, and why (the finding's message).
UNMAPPED: dict[str, str] = {
    "volumes": "Fargate tasks have no host paths or Docker volumes; persistent data needs EFS "
    "(efsVolumes with a file system ID) or a managed database, scratch space writablePaths",
    "tmpfs": "no tmpfs on Fargate; use writablePaths for scratch directories",
    "networks": "all services share the VPC; each task admits traffic only from its load "
    "balancer (security groups), not by Compose network",
    "network_mode": "Fargate tasks always use awsvpc networking",
    "privileged": "Fargate does not run privileged containers",
    "cap_add": "Fargate lets a task add only SYS_PTRACE; not in the service config",
    "cap_drop": "Linux capabilities are not in the service config",
    "sysctls": "kernel parameters are not in the service config",
    "devices": "Fargate has no host devices",
    "ulimits": "ulimits are not in the service config",
    "dns": "tasks use the VPC resolver",
    "dns_search": "tasks use the VPC resolver",
    "extra_hosts": "no /etc/hosts entries on Fargate awsvpc tasks",
    "links": "services do not reach each other by Compose name; see depends_on",
    "external_links": "services do not reach each other by Compose name",
    "ipc": "no shared IPC namespace on Fargate",
    "pid": "no shared PID namespace on Fargate",
    "logging": "logs go to the service's CloudWatch log group (logRetentionDays)",
    "labels": "Docker labels are not in the service config",
    "container_name": "the app container is always named app",
    "hostname": "tasks get their hostname from their network interface",
    "domainname": "tasks get their hostname from their network interface",
    "stop_signal": "ECS sends SIGTERM, then SIGKILL after stopTimeoutSeconds; handle SIGTERM",
    "tty": "no terminal in a service task",
    "stdin_open": "no stdin in a service task",
    "runtime": "Fargate runs the standard container runtime only",
    "init": "an init process is not in the service config",
    "security_opt": "security options are not in the service config",
    "configs": "Compose configs are files; bake them into the image or read them from SSM",
    "cgroup_parent": "not available on Fargate",
    "pull_policy": "ECS pulls the image at every task start",
    "develop": "file watching is a local development feature",
    "userns_mode": "not available on Fargate",
    "shm_size": "shared memory size is not in the service config",
    "isolation": "Windows isolation is not in the service config",
    "mac_address": "tasks get their address from their network interface",
    "oom_score_adj": "not available on Fargate",
    "storage_opt": "not available on Fargate",
    "annotations": "not in the service config",
    "attach": "local Compose output option",
    "extends": "resolve extends with `docker compose config` first",
}
DEPLOY_UNMAPPED: dict[str, str] = {
    "mode": "every ECS service runs desiredCount tasks; there is no global mode on Fargate",
    "placement": "Fargate chooses the host; only AZ spread applies",
    "update_config": "ECS rolls deployments with minHealthyPercent/maxPercent and the circuit "
    "breaker (rollback on failure)",
    "rollback_config": "the deployment circuit breaker rolls back failed deployments",
    "restart_policy": "ECS replaces every stopped task of a service",
    "labels": "service labels are not in the service config",
    "endpoint_mode": "Swarm endpoint mode has no ECS equivalent",
}
# Top-level keys with no equivalent, and why.
TOP_LEVEL_UNMAPPED: dict[str, str] = {
    "include": "resolve includes with `docker compose config` first",
}
# Service keys mapped (or reported) by a mapping step of their own.
MAPPED = {
    "image",
    "build",
    "platform",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "ports",
    "expose",
    "healthcheck",
    "deploy",
    "secrets",
    "user",
    "working_dir",
    "read_only",
    "stop_grace_period",
    "depends_on",
    "restart",
    "profiles",
    "cpus",
    "mem_limit",
    "mem_reservation",
    "scale",
}
