"""The Copilot importer's mappings as data: workload types and where each goes, the keys each
part of a manifest maps, the keys with no equivalent here and why (each message is the
finding's text), and the values Copilot and this config name differently."""

from __future__ import annotations

from typing import Any

from components.specs.workloads import ScheduledTaskSpec, WorkerSpec

# Copilot workload type -> the config key its workloads go under, in the order of the output.
WORKLOAD_CONFIG_KEYS: dict[str, str] = {
    "Load Balanced Web Service": "services",
    "Backend Service": "services",
    "Worker Service": "workers",
    "Scheduled Job": "scheduledTasks",
}
WORKLOAD_TYPES = tuple(WORKLOAD_CONFIG_KEYS)
OTHER_TYPES = {
    "Request-Driven Web Service": "runs on App Runner, not ECS; to move it to ECS change its "
    "type to Load Balanced Web Service (http.path: /) and import again",
    "Static Site": "is an S3 bucket behind CloudFront, not a container; not mapped",
}
# Copilot's default environment VPC (copilot env init without flags).
COPILOT_DEFAULT_NETWORK: dict[str, Any] = {"cidrBlock": "10.0.0.0/16", "availabilityZones": 2}
DEFAULT_STACK = "default"

# -- workload manifests ---------------------------------------------------------------------

# Keys every workload kind maps through the shared steps (container, storage, network...).
HANDLED_BY_EVERY_WORKLOAD = frozenset(
    {"name", "type", "image", "cpu", "memory", "network", "storage", "sidecars", "variables",
     "secrets", "command", "entrypoint", "platform"}
)  # fmt: skip
# Keys each kind maps in its own step, beyond the shared ones.
SERVICE_KEYS = {"count", "deployment", "logging", "http", "nlb", "exec"}
WORKER_KEYS = {"count", "subscribe"}
JOB_KEYS = {"on", "retries", "timeout"}

# Workload keys with no equivalent here, and why.
UNMAPPED: dict[str, str] = {
    "exec": "ECS Exec is executeCommand on services here; workers and jobs do not take it",
    "publish": "SNS topics are not in the config; create them outside and grant the task role "
    "sns:Publish (taskRole.statements)",
    "logging": "FireLens log routing is not in the config; logs go to the service's log group",
    "observability": "X-Ray tracing is not in the config",
    "taskdef_overrides": "CloudFormation overrides have no equivalent",
    "env_file": "environment files from S3 are not in the config; copy the values into "
    "environment (plain) or secrets (ARNs)",
    "tags": "per-workload tags are not in the config; stack-wide tags go in aws:defaultTags",
    "platform": "only linux/x86_64 and linux/arm64 map",
}

# image keys mapped by the container step (the others are reported).
IMAGE_KEYS = ("location", "build", "port", "healthcheck", "depends_on")
BUILD_KEYS = ("dockerfile", "context", "target", "args")
# Copilot platform (lowercased) -> cpuArchitecture (None: the default, X86_64).
PLATFORM_ARCHITECTURES: dict[str, str | None] = {
    "linux/x86_64": None,
    "linux/amd64": None,
    "linux/arm64": "ARM64",
    "linux/arm": "ARM64",
}
# Copilot's size when a manifest gives none (cpu units, MiB).
DEFAULT_SIZE = (256, 512)


def _keys(model: Any) -> tuple[str, ...]:
    """The stack-file keys a workload model accepts (its field aliases)."""
    return tuple(f.alias or name for name, f in model.model_fields.items())


# Fields of the container spec each non-service kind takes (whatever its config model accepts,
# so the importer never reports a key the config takes); the rest is reported.
WORKER_FIELDS = _keys(WorkerSpec)
JOB_FIELDS = _keys(ScheduledTaskSpec)
# The source key of each converted field (for findings about fields a shape lacks).
SPEC_SOURCE = {
    "command": "command",
    "entryPoint": "entrypoint",
    "healthCheck": "image.healthcheck",
    "cpuArchitecture": "platform",
}

SIDECAR_KEYS = (
    "image",
    "port",
    "command",
    "entrypoint",
    "variables",
    "secrets",
    "essential",
    "healthcheck",
)
STORAGE_KEYS = ("ephemeral", "readonly_fs", "volumes")
# Fargate's ephemeral storage: 20 GiB come with every task; ECS takes 21 to 200 GiB
# (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EphemeralStorage.html).
EPHEMERAL_GIB = (20, 200)

# http keys with no equivalent here, and why.
HTTP_UNMAPPED: dict[str, str] = {
    "allowed_source_ips": "per-service source IPs are not in the config; "
    "loadBalancers.<name>.allowedCidrs limits the whole load balancer",
    "additional_rules": "a service has one routing rule here",
    "stickiness": "sticky sessions are not in the config",
    "alb": "importing an existing ALB needs its listener ARN and security group "
    "(loadBalancers.<name>.existing)",
    "redirect_to_https": "the ALB redirects HTTP to HTTPS whenever it has certificateArn",
    "version": "only HTTP/1.1 target groups are in the config",
}
HTTP_KEYS = (
    "path",
    "alias",
    "hosted_zone",
    "healthcheck",
    "deregistration_delay",
    "target_port",
    "target_container",
)
# http.healthcheck key -> target group health check field, with the limits of an ALB target
# group: thresholds 2-10, interval 5-300 s, timeout 2-120 s
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
TARGET_GROUP_THRESHOLDS = (
    ("healthy_threshold", "healthyThreshold"),
    ("unhealthy_threshold", "unhealthyThreshold"),
)
TARGET_GROUP_SECONDS = (
    ("interval", "intervalSeconds", 5, 300),
    ("timeout", "timeoutSeconds", 2, 120),
)
TARGET_GROUP_CHECK_KEYS = (
    "path",
    "success_codes",
    "healthy_threshold",
    "unhealthy_threshold",
    "interval",
    "timeout",
    "grace_period",
)
NLB_PROTOCOLS = ("tcp", "tls")
NLB_KEYS = ("port", "target_port")
DEPLOYMENT_UNMAPPED = "alarm-based rollback is not in the config; the circuit breaker rolls back"

SUBSCRIBE_KEYS = ("queue", "topics")
QUEUE_KEYS = ("timeout", "dead_letter")

# Copilot's schedule keywords -> EventBridge cron expressions (UTC).
SCHEDULE_KEYWORDS = {
    "@yearly": "cron(0 0 1 1 ? *)",
    "@annually": "cron(0 0 1 1 ? *)",
    "@monthly": "cron(0 0 1 * ? *)",
    "@weekly": "cron(0 0 ? * 1 *)",
    "@daily": "cron(0 0 * * ? *)",
    "@midnight": "cron(0 0 * * ? *)",
    "@hourly": "cron(0 * * * ? *)",
}
# EventBridge retries a target at most 185 times; scheduled task retries are clamped to it
# (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html).
MAX_RETRY_ATTEMPTS = 185

# -- environment manifests ------------------------------------------------------------------

ENVIRONMENT_KEYS = ("name", "type", "network", "http", "observability")
# Environment manifest keys with no equivalent here, and why.
ENVIRONMENT_UNMAPPED: dict[str, str] = {
    "cdn": "CloudFront is not in the config",
    "certificates": "not in the config",
}
VPC_KEYS = ("id", "cidr", "subnets")

# -- count ----------------------------------------------------------------------------------

# Copilot's cooldowns when a policy sets none (autoscaling.yml: `{{else}} ScaleInCooldown: 120`).
COPILOT_COOLDOWN_SECONDS = {"in": 120, "out": 60}
# The worker's backlog policy has fixed cooldowns here (components/worker_scaling.py).
WORKER_COOLDOWN_SECONDS = {"in": 300, "out": 60}
AUTOSCALING_KEYS = (
    "range",
    "cooldown",
    "cpu_percentage",
    "memory_percentage",
    "requests",
    "response_time",
    "queue_delay",
)
# Copilot metric -> (autoscaling key, AutoscalingSpec attribute).
SERVICE_METRICS = {
    "cpu_percentage": ("cpuTarget", "cpu_target"),
    "memory_percentage": ("memoryTarget", "memory_target"),
    "requests": ("requestsPerTarget", "requests_per_target"),
}
COOLDOWN_LIMITS = (0, 3600)  # AutoscalingSpec.scale_*_cooldown_seconds
