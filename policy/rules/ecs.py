"""ECS rules: task definitions, services, cluster and EC2 capacity (reference section 2.1-2.3)."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any

from components.concepts import images, secrets, users

from . import types as t
from .base import (
    Finding,
    Resource,
    Rule,
    Stack,
    as_list,
    azs_spanned,
    containers,
    policy_statements,
    refers_to,
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
    banned = set(cfg["forbiddenCapabilities"])
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


def non_root_user(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    if not _linux(r.props):
        return
    for name, c in _each(r, cfg):
        user = c.get("user")
        if users.is_root(user):
            shown = "not set (the image's default, root)" if user in (None, "") else repr(user)
            yield _at(
                r, name, f"user is {shown}, which runs as root; run as a non-root user (ECS.20)"
            )


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


def _environment(c: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(e.get("name", "")), str(e.get("value", ""))) for e in c.get("environment") or []]


def no_credential_env(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for name, c in _each(r, cfg):
        for key, _value in _environment(c):
            if key in secrets.CREDENTIAL_NAMES:
                yield _at(
                    r,
                    name,
                    f"environment variable {key} holds AWS credentials in plain text (ECS.8); "
                    "use the task role",
                )


def _command_lines(c: Mapping[str, Any]) -> Iterator[tuple[str, list[str]]]:
    for key in ("command", "entryPoint"):
        if c.get(key):
            yield key, [str(a) for a in c[key]]
    check = (c.get("healthCheck") or {}).get("command")
    if check:
        yield "healthCheck.command", [str(a) for a in check]


def no_secret_like_env(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    """Every container (sidecars too): environment names and values, command lines."""
    for name, c in _each(r, cfg):
        for key, value in _environment(c):
            reason = None if key in secrets.CREDENTIAL_NAMES else secrets.secret_reason(key, value)
            if reason:
                yield _at(
                    r,
                    name,
                    f"environment variable {key} looks like a secret in plain text ({reason}); "
                    "pass it in secrets (valueFrom a Secrets Manager or SSM ARN)",
                )
        for key, line in _command_lines(c):
            reason = secrets.secret_in_command(line)
            if reason:
                yield _at(
                    r,
                    name,
                    f"{key} carries a secret in plain text ({reason}); read it from secrets "
                    "instead",
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


def image_pinned(r: Resource, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    for name, c in _each(r, cfg):
        image = str(c.get("image", ""))
        if images.mutable(image):
            yield _at(
                r,
                name,
                f"image {image} can move (no digest, no version tag); pin an immutable "
                "version tag or an @sha256 digest",
            )


def _own_account(stack: Stack, td: Resource) -> str | None:
    """The deploying account: the aws:SourceAccount its task roles trust (known at preview)."""
    for role in stack.deps(td, *t.ROLE):
        for s in policy_statements(role.props.get("assumeRolePolicy")):
            for block in (s.get("Condition") or {}).values():
                account = block.get("aws:SourceAccount")
                if isinstance(account, str):
                    return account
    return None


def _pull_granted(stack: Stack, td: Resource) -> list[str]:
    """ECR repositories the task's execution role may pull from (the component grants only
    the stack's own account and region and the stack config's trustedRegistries)."""
    out = []
    for role in stack.deps(td, *t.ROLE):
        for p in stack.attached_to(role, *t.ROLE_POLICY):
            for s in policy_statements(p.props.get("policy")):
                if "ecr:BatchGetImage" in as_list(s.get("Action")):
                    out += [str(x) for x in as_list(s.get("Resource"))]
    return out


def _repository_arn(image: str) -> str | None:
    ref = images.parse_image(image)
    ecr = images.ecr_location(ref.registry)
    if ecr is None:
        return None
    return f"arn:aws:ecr:{ecr[1]}:{ecr[0]}:repository/{ref.repository}"


def image_registry(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    allowed = [str(a) for a in cfg["allowedRegistries"]]
    for td in stack.of_type(*t.TASK_DEFINITION):
        account, granted = _own_account(stack, td), _pull_granted(stack, td)
        for name, c in _each(td, cfg):
            image = str(c.get("image", ""))
            region = (c.get("logConfiguration") or {}).get("options", {}).get("awslogs-region")
            if _repository_arn(image) in granted:
                continue
            why = images.untrusted_reason(image, account, region, allowed)
            if why:
                yield _at(td, name, f"image {image} is not from a trusted source: {why}")


# -- services ------------------------------------------------------------------------------


def _nat_less(stack: Stack) -> bool:
    """The stack builds its VPC without any NAT (gateway or instance): tasks in private
    subnets could not reach ECR or CloudWatch Logs, so public IPs are how they get out."""
    if not stack.of_type(*t.VPC):
        return False
    nat_instances = [i for i in stack.of_type(*t.INSTANCE)
                     if i.props.get("sourceDestCheck") is False]  # fmt: skip
    return not stack.of_type(*t.NAT_GATEWAY) and not nat_instances


def _public_ip(network: Any) -> bool:
    value = (network or {}).get("assignPublicIp")
    return truthy(value) or value == "ENABLED"


def no_public_ip(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    """Services, workers, task sets and scheduled tasks alike. A stack-wide decision
    (`withoutNat`: why this environment runs without NAT) waives it for every workload of a
    stack that indeed has no NAT; the task security groups still admit no CIDR
    (net-task-ingress-from-sg)."""
    waiver = str(cfg["withoutNat"] or "")
    waived = waiver if waiver and _nat_less(stack) else ""
    found = [
        (r, r.props.get("networkConfiguration")) for r in stack.of_type(*t.SERVICE, *t.TASK_SET)
    ]
    found += [
        (r, ((r.props.get("target") or {}).get("ecsParameters") or {}).get("networkConfiguration"))
        for r in stack.of_type(*t.SCHEDULE)
    ]
    for r, network in found:
        if _public_ip(network):
            yield Finding(
                r.urn,
                "tasks get public IPs (networkConfiguration.assignPublicIp); run them in "
                "private subnets behind a load balancer (ECS.2, ECS.16)",
                waived=waived,
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
    low = int(cfg["minHealthyPercent"])
    high = int(cfg["minMaximumPercent"])
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
    need = int(cfg["minAzs"])
    for r in stack.of_type(*t.SERVICE):
        if r.props.get("networkConfiguration") is None:
            continue
        n = _subnet_azs(stack, r)
        if n < need:
            yield Finding(r.urn, f"tasks span {n} AZ(s); at least {need} are required")


def min_tasks(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    """The floor is the lowest of desiredCount, the scalable target's minCapacity and every
    scheduled action's minCapacity (a scheduled action sets the target's minimum at its time).
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_ScalableTargetAction.html"""
    need = int(cfg["minTasks"])
    for r in stack.of_type(*t.SERVICE):
        scaling = stack.dependents(r, *t.SCALING_TARGET)
        if scaling:
            floors = [(int(s.props.get("minCapacity") or 0), "autoscaling minCapacity")
                      for s in scaling]  # fmt: skip
            floors += [
                (int((a.props.get("scalableTargetAction") or {}).get("minCapacity") or 0),
                 f"scheduled scaling {a.name} minCapacity")
                for s in scaling
                for a in stack.dependents(s, *t.SCALING_ACTION)
                if (a.props.get("scalableTargetAction") or {}).get("minCapacity") is not None
            ]  # fmt: skip
            floor, what = min(floors)
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


def _spot_providers(stack: Stack) -> list[Resource]:
    """Capacity providers that buy Spot: ECS Managed Instances with capacityOptionType SPOT
    (Spot Instances "can be interrupted by Amazon EC2 with a two-minute notification").
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_InstanceLaunchTemplate.html"""
    out = []
    for cp in stack.of_type(*t.CAPACITY_PROVIDER):
        template = (cp.props.get("managedInstancesProvider") or {}).get("instanceLaunchTemplate")
        if (template or {}).get("capacityOptionType") == "SPOT":
            out.append(cp)
    return out


def _is_spot(name: str, spot: list[Resource]) -> bool:
    return name == "FARGATE_SPOT" or any(refers_to(name, cp) for cp in spot)


def _strategy_findings(
    urn: str, strategy: list[Any], need: int, spot: list[Resource]
) -> Iterator[Finding]:
    items = [(str(i.get("capacityProvider")), i) for i in strategy]
    on_spot = [n for n, i in items if _is_spot(n, spot)
               and (int(i.get("weight") or 0) or int(i.get("base") or 0))]  # fmt: skip
    if not on_spot:
        return
    base = sum(int(i.get("base") or 0) for n, i in items if not _is_spot(n, spot))
    if base < need:
        kind = "FARGATE_SPOT" if on_spot[0] == "FARGATE_SPOT" else "Spot capacity"
        yield Finding(
            urn,
            f"{kind} ({on_spot[0]}) with an on-demand base of {base}; at least {need} tasks "
            "must run on on-demand capacity (Spot can be reclaimed all at once)",
        )


def spot_base(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    need = int(cfg["minOnDemandBase"])
    spot = _spot_providers(stack)
    for r in stack.of_type(*t.SERVICE):
        strategy = as_list(r.props.get("capacityProviderStrategies"))
        yield from _strategy_findings(r.urn, strategy, need, spot)
    for r in stack.of_type(*t.SCHEDULE):
        ecs = (r.props.get("target") or {}).get("ecsParameters") or {}
        strategy = as_list(ecs.get("capacityProviderStrategies"))
        yield from _strategy_findings(r.urn, strategy, need, spot)
    for r in stack.of_type(*t.CLUSTER_CAPACITY):
        strategy = as_list(r.props.get("defaultCapacityProviderStrategies"))
        yield from _strategy_findings(r.urn, strategy, need, spot)


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
         "Linux containers (sidecars too) run as a non-root user: the uid is parsed, so 0, "
         "00, 000:000, root and root:root are all root", "medium",
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
         "No secret in plain text in any container (sidecars too): environment names that say "
         "they hold one, values detect-secrets finds (also base64, hex or URL-encoded), command "
         "lines, entry points and health checks", "high", ("advisory", "mandatory", "mandatory"),
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
         "Images are pinned by a digest or a version tag (never latest, main or untagged)",
         "medium",
         ("advisory", "mandatory", "mandatory"), t.TASK_DEFINITION, image_pinned),
    Rule("ecs-td-image-registry", "ECS-TD-11", ("ECS BPG Create a set of curated images",),
         "Images come from the stack's own account and region (ECR), a registry the stack "
         "config trusts (it grants the pull), or an allow-listed publisher; Docker Hub and "
         "other accounts' ECR only when listed", "medium",
         ("disabled", "advisory", "mandatory"), stack_check=image_registry,
         config={"allowedRegistries": []}),
    Rule("ecs-svc-no-public-ip", "ECS-SVC-01",
         (f"{SH} ECS.2", f"{SH} ECS.16", "CKV_AWS_333", "prowler ecs_service_no_assign_public_ip"),
         "Tasks of every workload (services, workers, task sets, scheduled tasks) never get "
         "public IPs, unless the environment documents once that it runs without NAT",
         "high", ("mandatory",) * 3, stack_check=no_public_ip, config={"withoutNat": ""}),
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
         "Services keep enough tasks (desiredCount, autoscaling minimum, scheduled scaling "
         "minimum) to survive an AZ loss", "medium", ("advisory", "mandatory", "mandatory"),
         stack_check=min_tasks, config={"minTasks": 2}),
    Rule("ecs-svc-az-rebalancing", "ECS-SVC-05", ("ECS AZ rebalancing docs",),
         "Services rebalance tasks across AZs", "low", ("advisory", "mandatory", "mandatory"),
         t.SERVICE, az_rebalancing),
    Rule("ecs-svc-platform-version", "ECS-SVC-06", (f"{SH} ECS.10", "CKV_AWS_332"),
         "Fargate platform version is LATEST or 1.4.0", "medium", ("mandatory",) * 3,
         t.SERVICE + t.TASK_SET, platform_version),
    Rule("ecs-svc-spot-base", "ECS-SVC-07",
         ("ECS BPG Using Spot and FARGATE_SPOT", "ECS dev guide Capacity provider strategy"),
         "Spot (FARGATE_SPOT or Managed Instances SPOT) only with an on-demand base, for "
         "services, scheduled tasks and the cluster default", "medium",
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
