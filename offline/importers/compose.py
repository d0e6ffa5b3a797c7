"""Docker Compose file -> `ecs-platform:services` (and the public ALB its web ports need).

Mapped: image or build, ports and expose, environment and env_file (plain values; values that
look like credentials are listed instead), command, entrypoint, healthcheck, user, working_dir,
read_only, stop_grace_period, platform, deploy.replicas and deploy.resources (to the cheapest
Fargate size that covers them). Everything else is a finding naming the service and the key.
See docs/migrating.md for the table and the reasons.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.concepts import users
from components.config import PROJECT

from .common import (
    command_list,
    duration_seconds,
    fargate_size,
    load_yaml,
    scalar_text,
    secret_reason,
    unique_keys,
    valid_env_name,
)
from .compose_env import interpolate, project_env, read_env_file
from .compose_links import link
from .findings import ImportResult, SourceError, StackImport

__all__ = ["import_compose", "interpolate"]

LB_NAME = "public"
RESTARTS = "an ECS service replaces every task that stops"

# Ports that serve HTTP by convention; a port is also HTTP when the healthcheck fetches it.
HTTP_PORTS = frozenset({80, 443, 3000, 4000, 5601, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090})

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


class Unresolved(str):
    """A value that needs a variable from the shell or .env file Compose would read."""

    missing: tuple[str, ...] = ()

    @classmethod
    def of(cls, text: str, missing: tuple[str, ...]) -> Unresolved:
        out = cls(text)
        out.missing = missing
        return out


@dataclass(frozen=True)
class PortMapping:
    container: int
    published: int | None
    protocol: str
    host_ip: str
    text: str


def _port_text(spec: Any) -> str:
    if isinstance(spec, dict):
        return ", ".join(f"{k}: {scalar_text(v)}" for k, v in spec.items())
    return scalar_text(spec)


def parse_port(spec: Any) -> PortMapping | None:
    """Compose short (`[ip:][host:]container[/proto]`) or long port syntax; None if a range."""
    text = _port_text(spec)
    if isinstance(spec, dict):
        try:
            container = int(spec["target"])
            published = int(spec["published"]) if spec.get("published") is not None else None
        except (KeyError, TypeError, ValueError):
            return None
        return PortMapping(
            container,
            published,
            str(spec.get("protocol", "tcp")).lower(),
            str(spec.get("host_ip", "")),
            text,
        )
    value, _, protocol = text.partition("/")
    parts = value.rsplit(":", 2)
    if not all(re.fullmatch(r"\d+", p) for p in parts[-2:] if p) or not parts[-1]:
        return None
    published = int(parts[-2]) if len(parts) >= 2 and parts[-2] else None
    host_ip = parts[0].strip("[]") if len(parts) == 3 else ""
    return PortMapping(int(parts[-1]), published, (protocol or "tcp").lower(), host_ip, text)


_MEMORY = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$", re.IGNORECASE)
_MEMORY_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def memory_mib(value: Any) -> int | None:
    """Compose byte value (`1.5G`, `512m`, `1gb`, bytes) in MiB, rounded up."""
    m = _MEMORY.match(scalar_text(value).strip())
    if not m:
        return None
    return math.ceil(float(m.group(1)) * _MEMORY_UNITS[m.group(2).lower()] / 1024**2)


def cpu_units(value: Any) -> int | None:
    """Compose cpus (`0.5`) in ECS cpu units (1 vCPU = 1024)."""
    try:
        return math.ceil(float(scalar_text(value)) * 1024)
    except ValueError:
        return None


def import_compose(path: Path, env_files: list[Path] | None = None) -> ImportResult:
    """Read a Compose file; one stack holding loadBalancers, services and run-once tasks.

    Variables come from `env_files` (Compose's `--env-file`), else the `.env` beside the file.
    """
    doc = load_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        raise SourceError(f"{path}: not a Compose file (no services: mapping)")
    if not doc["services"]:
        raise SourceError(f"{path}: no services to import")
    for env_file in env_files or []:
        if not env_file.is_file():
            raise SourceError(f"{env_file}: no such env file (--env-file)")
    env, note = project_env(path, env_files)
    stack = StackImport(config={})
    if note:
        stack.notes.append(note)
    _Compose(doc, stack, path.parent, env).run()
    return ImportResult(tool="import-compose", source=str(path), stacks={"compose": stack})


class _Compose:
    def __init__(
        self,
        doc: dict[str, Any],
        stack: StackImport,
        base_dir: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self.doc = doc
        self.stack = stack
        self.base_dir = base_dir
        self.env = env or {}
        self.top_secrets: dict[str, Any] = doc.get("secrets") or {}

    def add(self, kind: Any, where: str, message: str) -> None:
        self.stack.add(kind, where, message)

    def run(self) -> None:
        for key in self.doc:
            if key in ("include",):
                self.add("unmapped", key, "resolve includes with `docker compose config` first")
        raw: dict[str, Any] = self.doc["services"]
        keys = unique_keys([str(n) for n in raw])
        services: dict[str, dict[str, Any]] = {}
        web: dict[str, tuple[PortMapping, int]] = {}
        for order, (name, body) in enumerate(raw.items()):
            name = str(name)
            where = f"services.{name}"
            if not isinstance(body, dict):
                self.add("unmapped", where, "not a mapping; skipped")
                continue
            if keys[name] != name:
                self.add(
                    "changed",
                    where,
                    f"named {keys[name]} (names here are 1-24 lowercase "
                    "letters, digits and hyphens)",
                )
            try:
                spec, http = self.service(where, self._interpolated(where, body))
            except (AttributeError, TypeError, ValueError, KeyError) as exc:
                # Real files hold shapes the Compose spec allows in ways not handled here.
                self.add(
                    "unmapped",
                    where,
                    f"unexpected shape ({type(exc).__name__}: {exc}); service skipped",
                )
                continue
            if spec is None:
                continue
            services[keys[name]] = spec
            if http is not None:
                web[keys[name]] = (http, order)
        self._route(services, web)
        tasks = link(self.doc, keys, services, self.add)
        self._drop_superseded()
        order = {f"services.{n}": i for i, n in enumerate(map(str, raw))}
        self.stack.findings.sort(key=lambda f: order.get(".".join(f.where.split(".")[:2]), -1))
        if web:
            self.stack.config[f"{PROJECT}:loadBalancers"] = {LB_NAME: {"type": "application"}}
            self.add(
                "input",
                f"loadBalancers.{LB_NAME}.certificateArn",
                "HTTPS needs an ACM certificate for your domain: request or import one in ACM "
                "and set its ARN here (the load balancer then redirects HTTP to HTTPS); "
                "without it the load balancer serves plain HTTP, which prod policy refuses",
            )
        self.stack.config[f"{PROJECT}:services"] = services
        if tasks:
            self.stack.config[f"{PROJECT}:scheduledTasks"] = tasks

    def _drop_superseded(self) -> None:
        """Generic findings that a mapping by compose_links replaced for the same key."""
        mapped = {f.where for f in self.stack.findings if f.kind == "changed"}
        once = {
            ".".join(f.where.split(".")[:2])
            for f in self.stack.findings
            if f.message.startswith("runs once:")
        }

        def superseded(f: Any) -> bool:
            service = ".".join(f.where.split(".")[:2])
            if f.where.endswith(".depends_on") and f.kind == "unmapped":
                return f.where in mapped
            return service in once and RESTARTS in f.message

        self.stack.findings[:] = [f for f in self.stack.findings if not superseded(f)]

    # -- one service -------------------------------------------------------------------------

    def _interpolated(self, where: str, body: dict[str, Any]) -> dict[str, Any]:
        """The service with variables substituted; values missing a variable are Unresolved."""
        defaulted: dict[str, list[str]] = {}

        def walk(value: Any, key: str) -> Any:
            if isinstance(value, dict):
                return {k: walk(v, key) for k, v in value.items()}
            if isinstance(value, list):
                return [walk(v, key) for v in value]
            if not isinstance(value, str):
                return value
            text, used, missing = interpolate(value, self.env)
            defaulted.setdefault(key, []).extend(u for u in used if u not in defaulted[key])
            return Unresolved.of(text, tuple(missing)) if missing else text

        body = {k: walk(v, str(k)) for k, v in body.items()}
        for key, names in defaulted.items():
            if names:
                listed = ", ".join(f"${{{n}}}" for n in names)
                self.add(
                    "changed",
                    f"{where}.{key}",
                    f"used the default written in the file "
                    f"for {listed} (Compose reads it from the shell or .env)",
                )
        return body

    def service(
        self, where: str, body: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, PortMapping | None]:
        out: dict[str, Any] = {}
        source = self._image_or_build(where, body)
        if source is None:
            return None, None
        out.update(source)
        cpu, memory = self._size(where, body)
        out["cpu"], out["memory"] = cpu, memory
        arch = self._platform(where, body.get("platform"))
        if arch:
            out["cpuArchitecture"] = arch
        ports = self._ports(where, body)
        http = self._http_port(body, ports)
        tcp = _unique([p.container for p in ports if p.protocol == "tcp"])
        first = http.container if http is not None else (tcp[0] if tcp else None)
        if first is not None:
            out["containerPort"] = first
            rest = [p for p in tcp if p != first]
            if rest:
                out["ports"] = rest
        replicas = self._replicas(where, body)
        if replicas is not None:
            out["desiredCount"] = replicas
        for key, field in (("command", "command"), ("entrypoint", "entryPoint")):
            if body.get(key) is None:
                continue
            if _unresolved(body[key]):
                self._missing(f"{where}.{key}", body[key])
                continue
            out[field] = command_list(body[key])
        environment = self._environment(where, body)
        if environment:
            out["environment"] = environment
        self._secrets(where, body.get("secrets"))
        health = self._healthcheck(f"{where}.healthcheck", body.get("healthcheck"))
        if health:
            out["healthCheck"] = health
        self._simple_keys(where, body, out)
        self._unmapped(where, body)
        return out, http

    def _image_or_build(self, where: str, body: dict[str, Any]) -> dict[str, Any] | None:
        image, build = body.get("image"), body.get("build")
        if build is not None:
            spec = self._build(f"{where}.build", build)
            if spec is None:
                return None
            if image is not None:
                self.add(
                    "changed",
                    f"{where}.image",
                    f"{image} is the tag Compose gives the "
                    "image it builds; the build is imported (push the image to ECR from CI)",
                )
            return {"build": spec}
        if image is None:
            self.add("unmapped", where, "has neither image nor build; skipped")
            return None
        if _unresolved(image):
            self._missing(f"{where}.image", image, "service skipped")
            return None
        return {"image": str(image)}

    def _build(self, where: str, build: Any) -> dict[str, Any] | None:
        if isinstance(build, str):
            build = {"context": build}
        if not isinstance(build, dict):
            self.add("unmapped", where, f"{build!r} is not a build context; service skipped")
            return None
        unresolved = [build.get(k) for k in ("context", "dockerfile") if _unresolved(build.get(k))]
        if unresolved:
            names = tuple(dict.fromkeys(n for v in unresolved for n in getattr(v, "missing", ())))
            self._missing(where, Unresolved.of("", names), "service skipped")
            return None
        spec: dict[str, Any] = {
            "context": str(build.get("context", ".")),
            "dockerfile": str(build.get("dockerfile", "Dockerfile")),
        }
        if build.get("target") is not None:
            spec["target"] = str(build["target"])
        args = build.get("args")
        if args:
            pairs = _pairs(args)
            kept = {k: v for k, v in pairs.items() if v is not None and not _unresolved(v)}
            for k in pairs:
                if k in kept:
                    continue
                if _unresolved(pairs[k]):
                    self._missing(f"{where}.args.{k}", pairs[k])
                else:
                    self.add(
                        "input",
                        f"{where}.args.{k}",
                        "takes its value from the shell running Compose; set it in build.args",
                    )
            if kept:
                spec["args"] = kept
        for key in build:
            if key not in ("context", "dockerfile", "target", "args"):
                self.add(
                    "unmapped",
                    f"{where}.{key}",
                    "not in the build spec (context, dockerfile, target, args)",
                )
        return spec

    def _size(self, where: str, body: dict[str, Any]) -> tuple[int, int]:
        resources = ((body.get("deploy") or {}).get("resources")) or {}
        limits, reserved = resources.get("limits") or {}, resources.get("reservations") or {}
        cpus = [
            cpu_units(v)
            for v in (limits.get("cpus"), reserved.get("cpus"), body.get("cpus"))
            if v is not None
        ]
        mems = [
            memory_mib(v)
            for v in (
                limits.get("memory"),
                reserved.get("memory"),
                body.get("mem_limit"),
                body.get("mem_reservation"),
            )
            if v is not None
        ]
        if None in cpus or None in mems:
            self.add(
                "unmapped",
                f"{where}.deploy.resources",
                "cpus or memory is not a number Compose accepts; sized 256 cpu / 512 MiB",
            )
        cpu_need = max([c for c in cpus if c is not None], default=0)
        mem_need = max([m for m in mems if m is not None], default=0)
        if reserved.get("devices"):
            self.add(
                "unmapped",
                f"{where}.deploy.resources.reservations.devices",
                "Fargate has no GPUs or devices; GPU tasks need EC2 capacity (cluster.ec2Capacity)",
            )
        try:
            cpu, memory = fargate_size(cpu_need, mem_need)
        except ValueError as exc:
            self.add("unmapped", f"{where}.deploy.resources", f"{exc}; sized 256 cpu / 512 MiB")
            return 256, 512
        if (cpu_need or mem_need) and (cpu, memory) != (cpu_need, mem_need):
            self.add(
                "changed",
                f"{where}.deploy.resources",
                f"asks for {cpu_need or 'any'} cpu "
                f"units and {mem_need or 'any'} MiB; the cheapest Fargate size covering it "
                f"is {cpu} cpu / {memory} MiB",
            )
        return cpu, memory

    def _platform(self, where: str, platform: Any) -> str | None:
        if platform is None or str(platform) in ("linux/amd64", "linux/x86_64"):
            return None
        if str(platform) in ("linux/arm64", "linux/arm64/v8", "linux/aarch64"):
            return "ARM64"
        self.add(
            "unmapped", f"{where}.platform", f"{platform}: Fargate runs linux/amd64 or linux/arm64"
        )
        return None

    def _ports(self, where: str, body: dict[str, Any]) -> list[PortMapping]:
        out: list[PortMapping] = []
        for spec in body.get("ports") or []:
            port = parse_port(spec)
            if port is None:
                self.add(
                    "unmapped",
                    f"{where}.ports",
                    f"{_port_text(spec)}: port ranges and unparsable ports are not mapped",
                )
                continue
            if port.protocol != "tcp":
                self.add(
                    "unmapped",
                    f"{where}.ports",
                    f"{port.text}: {port.protocol.upper()} "
                    "ports are not in the service config (TCP only)",
                )
                continue
            if port.host_ip in ("127.0.0.1", "localhost", "::1"):
                self.add(
                    "unmapped",
                    f"{where}.ports",
                    f"{port.text}: published on the host's "
                    "loopback only (local access); not exposed",
                )
            out.append(port)
        for spec in body.get("expose") or []:
            text = scalar_text(spec)
            value, _, protocol = text.partition("/")
            if not value.isdigit() or (protocol or "tcp").lower() != "tcp":
                self.add("unmapped", f"{where}.expose", f"{text}: only single TCP ports map")
                continue
            out.append(PortMapping(int(value), None, "tcp", "", text))
        return out

    def _http_port(self, body: dict[str, Any], ports: list[PortMapping]) -> PortMapping | None:
        """The published port that serves HTTP, if any: the one the ALB routes to."""
        checked = _healthcheck_ports(body.get("healthcheck"))
        web = [
            p
            for p in ports
            if p.published is not None
            and p.host_ip not in ("127.0.0.1", "localhost", "::1")
            and (p.container in HTTP_PORTS or p.published in HTTP_PORTS or p.container in checked)
        ]
        web.sort(key=lambda p: (p.published not in (80, 443), p.published == 443, p.published))
        return web[0] if web else None

    def _route(self, services: dict[str, dict[str, Any]], web: dict[str, Any]) -> None:
        """One ALB, one catch-all rule: the service on the lowest web port gets it."""
        ranked = sorted(
            web.items(),
            key=lambda kv: (kv[1][0].published not in (80, 443), kv[1][0].published, kv[1][1]),
        )
        for i, (key, (port, _order)) in enumerate(ranked):
            where = f"services.{_source_name(self.doc, key)}.ports"
            if i == 0:
                services[key]["loadBalancer"] = {"name": LB_NAME}
                if port.published not in (80, 443):
                    self.add(
                        "changed",
                        where,
                        f"{port.text}: served by the public load balancer "
                        "on port 80 (443 with certificateArn), all paths",
                    )
                if port.container == 443:
                    self.add(
                        "changed",
                        where,
                        f"{port.text}: the load balancer sends plain HTTP "
                        "to 443; terminate TLS at the ALB (certificateArn) instead",
                    )
                continue
            self.add(
                "input",
                where,
                f"{port.text} serves HTTP too, but the load balancer's "
                f"catch-all rule goes to {ranked[0][0]}: add loadBalancer: {{name: "
                f"{LB_NAME}, pathPatterns: [...]}} or hostHeaders to route to it",
            )
        for name, body in self.doc["services"].items():
            if not isinstance(body, dict):
                continue
            key = unique_keys([str(n) for n in self.doc["services"]])[str(name)]
            if key not in services:
                continue
            routed = services[key].get("loadBalancer") is not None
            for spec in body.get("ports") or []:
                port = parse_port(spec)
                if port is None or port.protocol != "tcp" or port.published is None:
                    continue
                if port.host_ip in ("127.0.0.1", "localhost", "::1"):
                    continue
                if routed and port.container == services[key]["containerPort"]:
                    continue
                if key in web and port == web[key][0]:
                    continue
                if routed and port.container == 443:
                    self.add(
                        "changed",
                        f"services.{name}.ports",
                        f"{port.text}: the ALB serves "
                        "HTTPS on 443 once loadBalancers.public has certificateArn, and "
                        "forwards to the routed port; TLS in the container is not needed",
                    )
                    continue
                self.add(
                    "unmapped",
                    f"services.{name}.ports",
                    f"{port.text}: not reachable "
                    "from outside the VPC (the public ALB carries one HTTP port per "
                    "service; raw TCP needs a network load balancer)",
                )

    def _replicas(self, where: str, body: dict[str, Any]) -> int | None:
        deploy = body.get("deploy") or {}
        replicas = deploy.get("replicas", body.get("scale"))
        if replicas is None:
            return None
        if isinstance(replicas, int) and not isinstance(replicas, bool) and replicas >= 0:
            return replicas
        self.add("unmapped", f"{where}.deploy.replicas", f"{replicas!r} is not a task count")
        return None

    def _environment(self, where: str, body: dict[str, Any]) -> dict[str, str]:
        values: dict[str, Any] = {}
        files = body.get("env_file")
        for item in [files] if isinstance(files, str | dict) else files or []:
            file = item.get("path") if isinstance(item, dict) else item
            values.update(self._env_file(f"{where}.env_file", str(file)))
        values.update(_pairs(body.get("environment") or {}))
        out: dict[str, str] = {}
        for name, value in values.items():
            at = f"{where}.environment.{name}"
            text = scalar_text(value)
            if not valid_env_name(name):
                self.add(
                    "unmapped",
                    at,
                    "not a valid variable name here (letters, digits and "
                    "underscores, not starting with a digit)",
                )
                continue
            if text.startswith("/run/secrets/"):
                self.add(
                    "input",
                    at,
                    f"points at the Compose secret file {text}; ECS has no "
                    "secret files: pass the value itself through secrets (a Secrets Manager "
                    "ARN) and read it from the environment",
                )
                continue
            reason = secret_reason(name, text)
            if reason is not None:
                self.add(
                    "input",
                    at,
                    f"left out because {reason}: store it in Secrets "
                    f"Manager and add secrets: {{{name}: <secret ARN>}}",
                )
                continue
            if value is None:
                self.add(
                    "input",
                    at,
                    "takes its value from the shell running Compose; set it in environment",
                )
                continue
            if isinstance(value, Unresolved):
                self._missing(at, value)
                continue
            out[name] = text
        return out

    def _env_file(self, where: str, name: str) -> dict[str, str]:
        try:
            return read_env_file(self.base_dir / name)
        except (OSError, UnicodeDecodeError):
            self.add(
                "input",
                where,
                f"{name} was not found next to the Compose file; add its "
                "plain values to environment and its secrets to secrets",
            )
            return {}

    def _secrets(self, where: str, secrets: Any) -> None:
        for item in secrets or []:
            source = str(item.get("source") if isinstance(item, dict) else item)
            target = str(item.get("target", source) if isinstance(item, dict) else item)
            decl = self.top_secrets.get(source) or {}
            origin = (
                f"file {decl['file']}"
                if isinstance(decl, dict) and decl.get("file")
                else "external"
                if isinstance(decl, dict) and decl.get("external")
                else f"env {decl['environment']}"
                if isinstance(decl, dict) and decl.get("environment")
                else "undeclared"
            )
            self.add(
                "input",
                f"{where}.secrets.{source}",
                f"({origin}) is a file at "
                f"/run/secrets/{target} in Compose; ECS injects secrets as environment "
                "variables: store it in Secrets Manager and add secrets: {<VARIABLE>: "
                "<secret ARN>}",
            )

    def _healthcheck(self, where: str, check: Any) -> dict[str, Any] | None:
        if not isinstance(check, dict):
            return None
        if check.get("disable") is True:
            return None
        test = check.get("test")
        if _unresolved(test):
            self._missing(f"{where}.test", test)
            return None
        if isinstance(test, str):
            command = ["CMD-SHELL", test]
        elif isinstance(test, list) and test and str(test[0]) in ("CMD", "CMD-SHELL"):
            command = [scalar_text(t) for t in test]
        elif isinstance(test, list) and test and str(test[0]) == "NONE":
            return None
        else:
            self.add("unmapped", f"{where}.test", f"{test!r}: not a CMD or CMD-SHELL test")
            return None
        out: dict[str, Any] = {"command": command}
        limits = {
            "interval": ("intervalSeconds", 5, 300, 30),
            "timeout": ("timeoutSeconds", 2, 120, 30),
            "start_period": ("startPeriodSeconds", 0, 300, 0),
        }
        for key, (field, low, high, _default) in limits.items():
            if key not in check:
                continue
            seconds = duration_seconds(check[key])
            if seconds is None:
                self.add("unmapped", f"{where}.{key}", f"{check[key]!r} is not a duration")
                continue
            value = min(max(math.ceil(seconds), low), high)
            if value != seconds:
                self.add(
                    "changed",
                    f"{where}.{key}",
                    f"{check[key]} is outside ECS's {low}-{high} s; set to {value} s",
                )
            out[field] = value
        if "retries" in check:
            retries = check["retries"]
            value = min(max(int(retries), 1), 10) if isinstance(retries, int) else 3
            if value != retries:
                self.add(
                    "changed",
                    f"{where}.retries",
                    f"{retries} is outside ECS's 1-10; set to {value}",
                )
            out["retries"] = value
        # Compose's defaults where unset (30 s interval and timeout) break ECS's rule that the
        # timeout be shorter than the interval; unset keys take ECS-friendly values here.
        interval = out.get("intervalSeconds", 10)
        timeout = out.get("timeoutSeconds", 5)
        if timeout >= interval:
            out["timeoutSeconds"] = interval - 1
            self.add(
                "changed",
                f"{where}.timeout",
                f"{timeout} s is not shorter than the "
                f"{interval} s interval (ECS rule); set to {interval - 1} s",
            )
        for key in check:
            if key not in (*limits, "retries", "test", "disable"):
                self.add("unmapped", f"{where}.{key}", "not in ECS's container health check")
        return out

    def _simple_keys(self, where: str, body: dict[str, Any], out: dict[str, Any]) -> None:
        user = body.get("user")
        if user is not None:
            try:
                users.parse_user(scalar_text(user))
                out["user"] = scalar_text(user)
            except ValueError as exc:
                self.add("unmapped", f"{where}.user", str(exc))
        if body.get("working_dir") is not None:
            out["workingDirectory"] = scalar_text(body["working_dir"])
        if body.get("read_only") is True:
            out["readonlyRootFilesystem"] = True
        grace = body.get("stop_grace_period")
        if grace is not None:
            seconds = duration_seconds(grace)
            if seconds is None:
                self.add("unmapped", f"{where}.stop_grace_period", f"{grace!r} is not a duration")
            else:
                value = min(max(math.ceil(seconds), 2), 120)
                if value != seconds:
                    self.add(
                        "changed",
                        f"{where}.stop_grace_period",
                        f"{grace} is outside ECS's 2-120 s; set to {value} s",
                    )
                out["stopTimeoutSeconds"] = value

    def _unmapped(self, where: str, body: dict[str, Any]) -> None:
        depends = body.get("depends_on")
        if depends:
            names = [
                f"{n} ({(c or {}).get('condition', 'service_started')})"
                if isinstance(depends, dict)
                else str(n)
                for n, c in (
                    depends.items() if isinstance(depends, dict) else ((d, None) for d in depends)
                )
            ]
            self.add(
                "unmapped",
                f"{where}.depends_on",
                f"{', '.join(names)}: ECS starts "
                "services independently and they do not reach each other by Compose "
                "name; make the app retry its connections and point it at the other "
                "service's address",
            )
        restart = body.get("restart")
        if restart is not None and str(restart) not in ("always", "unless-stopped"):
            self.add(
                "changed",
                f"{where}.restart",
                f"{restart}: {RESTARTS}; run-once work belongs in a scheduled task",
            )
        if body.get("profiles"):
            self.add(
                "changed",
                f"{where}.profiles",
                f"{body['profiles']}: ECS has no profiles; imported with the rest of the file",
            )
        for key in ("volumes", "tmpfs"):
            if body.get(key):
                listed = ", ".join(_volume_text(v) for v in _as_list(body[key]))
                self.add("unmapped", f"{where}.{key}", f"{listed}: {UNMAPPED[key]}")
        deploy = body.get("deploy") or {}
        for key in deploy:
            if key in DEPLOY_UNMAPPED:
                self.add("unmapped", f"{where}.deploy.{key}", DEPLOY_UNMAPPED[key])
            elif key not in ("replicas", "resources"):
                self.add("unmapped", f"{where}.deploy.{key}", "not in the service config")
        resources = deploy.get("resources") or {}
        for part in ("limits", "reservations"):
            for key in resources.get(part) or {}:
                if key not in ("cpus", "memory", "devices"):
                    self.add(
                        "unmapped",
                        f"{where}.deploy.resources.{part}.{key}",
                        "not in the service config",
                    )
        for key in map(str, body):
            if key in MAPPED or key in ("volumes", "tmpfs"):
                continue
            if key.startswith("x-"):
                self.add(
                    "unmapped", f"{where}.{key}", "extension field, read only by the tool it is for"
                )
            elif key in UNMAPPED:
                self.add("unmapped", f"{where}.{key}", UNMAPPED[key])
            else:
                self.add("unmapped", f"{where}.{key}", "not in the service config")

    def _missing(self, where: str, value: Any, consequence: str = "left out") -> None:
        names = getattr(value, "missing", ())
        listed = ", ".join(f"${{{n}}}" for n in names) or "a variable"
        self.add(
            "input",
            where,
            f"needs {listed} from the shell or .env file Compose would read; {consequence}",
        )


def _unresolved(value: Any) -> bool:
    if isinstance(value, list):
        return any(isinstance(v, Unresolved) for v in value)
    return isinstance(value, Unresolved)


def _pairs(value: Any) -> dict[str, Any]:
    """Compose's list (`A=b`, `A`) or mapping form of environment / args."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    out: dict[str, Any] = {}
    for item in value or []:
        key, sep, val = str(item).partition("=")
        if sep:
            out[key] = Unresolved.of(val, item.missing) if isinstance(item, Unresolved) else val
        else:
            out[key] = None
    return out


def _healthcheck_ports(check: Any) -> set[int]:
    """Ports the healthcheck fetches over HTTP (curl/wget http://host:port, localhost:port)."""
    if not isinstance(check, dict):
        return set()
    test = check.get("test")
    text = " ".join(map(str, test)) if isinstance(test, list) else str(test or "")
    if not re.search(r"\b(curl|wget)\b", text):
        return set()
    ports = {int(p) for p in re.findall(r"(?:localhost|127\.0\.0\.1|0\.0\.0\.0):(\d+)", text)}
    if re.search(r"https?://(localhost|127\.0\.0\.1)(/|\s|$|\")", text):
        ports.add(80)
    return ports


def _volume_text(volume: Any) -> str:
    if isinstance(volume, dict):
        return f"{volume.get('source', '')}:{volume.get('target', '')}".lstrip(":")
    return scalar_text(volume)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _unique(values: list[int]) -> list[int]:
    return list(dict.fromkeys(values))


def _source_name(doc: dict[str, Any], key: str) -> str:
    names = [str(n) for n in doc["services"]]
    return next(n for n, k in unique_keys(names).items() if k == key)
