"""ECS task definition rules: what each container may do and carry.

Privileges and Linux capabilities, the root filesystem, the user, namespaces, credentials and
secrets in plain text, logging, the task and execution roles, health checks, stop timeouts, EFS
transit encryption, and where images come from and how they are pinned. Container findings
name the container (`<task definition>/<container>`), so an exemption can cover one sidecar.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from components.concepts import images, secrets, users

from . import types as t
from .base import SH, Finding, Resource, Rule, Stack, as_list, containers, policy_statements, truthy


def _linux(props: Mapping[str, Any]) -> bool:
    platform = props.get("runtimePlatform") or {}
    return not str(platform.get("operatingSystemFamily") or "LINUX").startswith("WINDOWS")


def _each(r: Resource, cfg: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for c in containers(r.props):
        yield str(c.get("name", "?")), c


def _at(r: Resource, container: str, message: str) -> Finding:
    return Finding(r.urn, f"container {container}: {message}", f"{r.name}/{container}")


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


def image_registry(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    allowed = [str(a) for a in cfg["allowedRegistries"]]
    for td in stack.of_type(*t.TASK_DEFINITION):
        account, granted = _own_account(stack, td), _pull_granted(stack, td)
        for name, c in _each(td, cfg):
            image = str(c.get("image", ""))
            region = (c.get("logConfiguration") or {}).get("options", {}).get("awslogs-region")
            if images.ecr_repository_arn(image) in granted:
                continue
            why = images.untrusted_reason(image, account, region, allowed)
            if why:
                yield _at(td, name, f"image {image} is not from a trusted source: {why}")


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
]  # fmt: skip
