"""AWS Copilot application (copilot/ directory) -> one stack config per environment.

Reads workload manifests (`copilot/<name>/manifest.yml`: Load Balanced Web Service, Backend
Service, Worker Service, Scheduled Job) with their `environments:` overrides, and environment
manifests (`copilot/environments/<env>/manifest.yml`). Services go to `ecs-platform:services`,
Worker Services to `ecs-platform:workers`, Scheduled Jobs to `ecs-platform:scheduledTasks`.
What has no equivalent is a finding naming the manifest and key. See docs/migrating.md.
"""

from __future__ import annotations

import copy
import ipaddress
import math
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.config import PROJECT
from components.specs.common import LOG_RETENTION_DAYS, suggest
from components.specs.service import check_secret_ref

from .common import (
    command_list,
    duration_seconds,
    fargate_size,
    is_fargate_pair,
    load_yaml,
    resource_key,
    scalar_text,
    valid_env_name,
)
from .copilot_count import merge, merge_count, service_count, worker_count
from .findings import ImportResult, Kind, SourceError, StackImport
from .tables import RUN_ONCE_SCHEDULE

SERVICE_TYPES = ("Load Balanced Web Service", "Backend Service")
WORKLOAD_TYPES = (*SERVICE_TYPES, "Worker Service", "Scheduled Job")
OTHER_TYPES = {
    "Request-Driven Web Service": "runs on App Runner, not ECS; to move it to ECS change its "
    "type to Load Balanced Web Service (http.path: /) and import again",
    "Static Site": "is an S3 bucket behind CloudFront, not a container; not mapped",
}
# Copilot's default environment VPC (copilot env init without flags).
COPILOT_DEFAULT_NETWORK: dict[str, Any] = {"cidrBlock": "10.0.0.0/16", "availabilityZones": 2}
DEFAULT_STACK = "default"

# Keys every workload kind maps through the shared pieces (_container, _storage, _network...).
HANDLED_BY_EVERY_WORKLOAD = frozenset(
    {"name", "type", "image", "cpu", "memory", "network", "storage", "sidecars", "variables",
     "secrets", "command", "entrypoint", "platform"}
)  # fmt: skip

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


@dataclass
class _Manifest:
    path: str  # relative to the copilot directory
    doc: dict[str, Any]


def import_copilot(
    directory: Path,
    *,
    region: str | None = None,
    account: str | None = None,
    environments: tuple[str, ...] = (),
) -> ImportResult:
    """Read a Copilot application; one stack per environment."""
    if directory.is_file():  # one manifest: copilot/<workload>/manifest.yml
        root, files = directory.parent.parent, [directory]
    else:
        root = directory / "copilot" if (directory / "copilot").is_dir() else directory
        if not root.is_dir():
            raise SourceError(
                f"{directory}: no such directory or manifest; give the copilot/ directory, the "
                "workspace holding it, or one manifest.yml"
            )
        files = sorted(root.glob("**/manifest.y*ml"))
    workloads: list[_Manifest] = []
    env_manifests: dict[str, _Manifest] = {}
    for path in files:
        rel = path.relative_to(root).as_posix()
        doc = load_yaml(path)
        if not isinstance(doc, dict):
            raise SourceError(f"{path}: a manifest is a mapping")
        if doc.get("type") == "Environment" or rel.startswith("environments/"):
            env_manifests[str(doc.get("name") or path.parent.name)] = _Manifest(rel, doc)
        else:
            workloads.append(_Manifest(rel, doc))
    if not workloads and not env_manifests:
        raise SourceError(f"{root}: no Copilot manifests (*/manifest.yml)")
    names: list[str] = [*env_manifests]
    for w in workloads:
        overrides = w.doc.get("environments")
        names += [str(e) for e in overrides] if isinstance(overrides, dict) else []
    names += list(environments)
    envs = list(dict.fromkeys(names)) or [DEFAULT_STACK]
    stacks = {
        env: _Environment(env, env_manifests.get(env), workloads, region, account).build()
        for env in envs
    }
    if envs == [DEFAULT_STACK]:
        stacks[DEFAULT_STACK].add(
            "input",
            "environments",
            "no environment found (no environment manifests or "
            "overrides): this config is for whichever stack you name; use --env NAME",
        )
    return ImportResult(tool="import-copilot", source=str(root), stacks=stacks)


class _Environment:
    """Builds one environment's stack config."""

    def __init__(
        self,
        env: str,
        manifest: _Manifest | None,
        workloads: list[_Manifest],
        region: str | None,
        account: str | None,
    ) -> None:
        self.env = env
        self.manifest = manifest
        self.workloads = workloads
        self.region = region
        self.account = account
        self.stack = StackImport(config={})
        self.load_balancers: dict[str, dict[str, Any]] = {}
        self.certificates: dict[str, str] = {}  # "public" / "private" -> ACM ARN

    def add(self, kind: Kind, where: str, message: str, source: str = "") -> None:
        self.stack.add(kind, where, message, source)

    def build(self) -> StackImport:
        cfg = self.stack.config
        if self.region:
            cfg["aws:region"] = self.region
        else:
            self.add(
                "input",
                "aws:region",
                "Copilot keeps the region outside the manifests; pass --region or set aws:region",
            )
        cluster = self._environment_manifest()
        services: dict[str, Any] = {}
        workers: dict[str, Any] = {}
        jobs: dict[str, Any] = {}
        for manifest in self.workloads:
            kind = str(manifest.doc.get("type", ""))
            if kind in OTHER_TYPES:
                self.add("unmapped", "type", f"{kind} {OTHER_TYPES[kind]}", manifest.path)
                continue
            if kind not in WORKLOAD_TYPES:
                self.add(
                    "unmapped",
                    "type",
                    f"{kind or 'missing'}: not a Copilot workload "
                    f"type this importer reads ({', '.join(WORKLOAD_TYPES)})",
                    manifest.path,
                )
                continue
            try:
                workload = _Workload(self, manifest)
                spec = workload.convert(kind)
            except (AttributeError, TypeError, ValueError, KeyError) as exc:
                # Real manifests hold shapes Copilot's docs do not show; say so, do not crash.
                self.add(
                    "unmapped",
                    "",
                    f"unexpected manifest shape ({type(exc).__name__}: {exc}); workload skipped",
                    manifest.path,
                )
                continue
            if spec is None:
                continue
            target = (
                services if kind in SERVICE_TYPES else workers if kind == "Worker Service" else jobs
            )
            if workload.key in target:
                self.add(
                    "unmapped",
                    "name",
                    f"{workload.key} is already imported from another manifest; skipped",
                    manifest.path,
                )
                continue
            target[workload.key] = spec
        if workers and cluster.get("containerInsights") == "disabled":
            cluster["containerInsights"] = "enabled"
            self.add(
                "changed",
                "observability.container_insights",
                "false in the environment manifest; enabled, because worker autoscaling reads "
                "the running task count from Container Insights",
            )
        if cluster:
            cfg[f"{PROJECT}:cluster"] = cluster
        if self.load_balancers:
            cfg[f"{PROJECT}:loadBalancers"] = self.load_balancers
        if services:
            cfg[f"{PROJECT}:services"] = services
        if workers:
            cfg[f"{PROJECT}:workers"] = workers
        if jobs:
            cfg[f"{PROJECT}:scheduledTasks"] = jobs
        return self.stack

    # -- environment manifest ---------------------------------------------------------------

    def _environment_manifest(self) -> dict[str, Any]:
        cfg = self.stack.config
        if self.manifest is None:
            cfg[f"{PROJECT}:network"] = dict(COPILOT_DEFAULT_NETWORK)
            self.add(
                "changed",
                f"environments/{self.env}/manifest.yml",
                "no environment manifest: network is Copilot's default VPC (10.0.0.0/16, 2 AZs)",
            )
            return {}
        src, doc = self.manifest.path, self.manifest.doc
        network = self._network(src, doc.get("network") or {})
        if network is not None:
            cfg[f"{PROJECT}:network"] = network
        cluster: dict[str, Any] = {}
        insights = (doc.get("observability") or {}).get("container_insights")
        if insights is not None:
            cluster["containerInsights"] = (
                "enhanced" if insights == "enhanced" else "enabled" if insights else "disabled"
            )
        http = doc.get("http") or {}
        for side in ("public", "private"):
            self._listener_settings(src, f"http.{side}", side, http.get(side) or {})
        for key in doc:
            if key in ("name", "type", "network", "http", "observability"):
                continue
            reason = {
                "cdn": "CloudFront is not in the config",
                "certificates": "not in the config",
            }.get(str(key), "not in the config")
            self.add("unmapped", str(key), reason, src)
        for key in doc.get("observability") or {}:
            if key != "container_insights":
                self.add("unmapped", f"observability.{key}", "not in the config", src)
        return cluster

    def _network(self, src: str, network: dict[str, Any]) -> dict[str, Any] | None:
        vpc = network.get("vpc") or {}
        for key in vpc:
            if key not in ("id", "cidr", "subnets"):
                self.add("unmapped", f"network.vpc.{key}", "not in the network config", src)
        subnets = vpc.get("subnets") or {}
        if vpc.get("id") is not None:
            return self._existing_vpc(src, vpc, subnets)
        out = dict(COPILOT_DEFAULT_NETWORK)
        cidr = vpc.get("cidr")
        if cidr is not None:
            if not _is_cidr(cidr):
                self.add(
                    "input",
                    "network.vpc.cidr",
                    f"{cidr!r} is not an IPv4 CIDR block; network left out",
                    src,
                )
                return None
            out["cidrBlock"] = str(cidr)
        publics = [s for s in subnets.get("public") or [] if isinstance(s, dict)]
        privates = [s for s in subnets.get("private") or [] if isinstance(s, dict)]
        if publics or privates:
            cidrs = {
                k: [s.get("cidr") for s in v]
                for k, v in (("public", publics), ("private", privates))
            }
            if not all(_is_cidr(c) for c in cidrs["public"] + cidrs["private"]):
                self.add(
                    "input",
                    "network.vpc.subnets",
                    "subnet cidr values are not IPv4 CIDR blocks; network left out",
                    src,
                )
                return None
            if len(publics) != len(privates):
                self.add(
                    "changed",
                    "network.vpc.subnets",
                    "public and private subnet counts "
                    "differ; subnets derived from the VPC CIDR instead",
                    src,
                )
            else:
                out["availabilityZones"] = len(publics)
                out["publicSubnetCidrs"] = cidrs["public"]
                out["privateSubnetCidrs"] = cidrs["private"]
            if any(s.get("az") for s in publics + privates):
                self.add(
                    "changed",
                    "network.vpc.subnets[].az",
                    "AZs are chosen in order from the region's list, not named",
                    src,
                )
        return out

    def _existing_vpc(
        self, src: str, vpc: dict[str, Any], subnets: dict[str, Any]
    ) -> dict[str, Any] | None:
        vpc_id = str(vpc["id"])
        ids = {
            k: [str(s.get("id")) for s in subnets.get(k) or [] if isinstance(s, dict)]
            for k in ("public", "private")
        }
        bad = [i for i in [vpc_id, *ids["public"], *ids["private"]] if not _is_aws_id(i)]
        if bad:
            self.add(
                "input",
                "network.vpc.id",
                f"{', '.join(bad)}: not AWS VPC/subnet IDs "
                "(vpc-/subnet- and 8 or 17 hex digits); network left out",
                src,
            )
            return None
        out: dict[str, Any] = {"vpcId": vpc_id, "privateSubnetIds": ids["private"]}
        if ids["public"]:
            out["publicSubnetIds"] = ids["public"]
        return out

    def _listener_settings(self, src: str, where: str, side: str, http: dict[str, Any]) -> None:
        certs = http.get("certificates") or []
        if certs:
            first = str(certs[0])
            if re.match(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/\S+$", first):
                self.certificates[side] = first
            else:
                self.add(
                    "input",
                    f"{where}.certificates",
                    f"{first} is not an ACM certificate "
                    "ARN (fill in ${...} placeholders); HTTPS left out",
                    src,
                )
            if len(certs) > 1:
                self.add(
                    "unmapped",
                    f"{where}.certificates",
                    "only one certificate per load balancer is in the config; the first is used",
                    src,
                )
        for key in http:
            if key != "certificates":
                self.add("unmapped", f"{where}.{key}", "not in the load balancer config", src)

    def load_balancer(self, name: str, internal: bool, network: bool = False) -> None:
        if name in self.load_balancers:
            return
        lb: dict[str, Any] = {"type": "network" if network else "application"}
        if internal:
            lb["internal"] = True
        cert = self.certificates.get("private" if internal else "public")
        if cert:
            lb["certificateArn"] = cert
        elif not network:
            self.add(
                "input",
                f"loadBalancers.{name}.certificateArn",
                "no certificate in the environment manifest (http."
                f"{'private' if internal else 'public'}.certificates): HTTPS needs an ACM "
                "certificate ARN here; without it the load balancer serves plain HTTP, which "
                "prod policy refuses",
            )
        self.load_balancers[name] = lb

    def secret_arn(self, name: str) -> str | None:
        """SSM parameter name -> ARN (needs region and account)."""
        if not (self.region and self.account):
            return None
        return f"arn:aws:ssm:{self.region}:{self.account}:parameter/{name.lstrip('/')}"


class _Workload:
    """One workload manifest merged with its override for the environment."""

    def __init__(self, env: _Environment, manifest: _Manifest) -> None:
        self.env = env
        self.src = manifest.path
        base = {k: v for k, v in manifest.doc.items() if k != "environments"}
        overrides = manifest.doc.get("environments")
        self.override = (overrides or {}).get(env.env) if isinstance(overrides, dict) else None
        self.override = self.override if isinstance(self.override, dict) else {}
        self.doc: dict[str, Any] = merge(copy.deepcopy(base), self.override)
        if "count" in self.override:
            self.doc["count"] = merge_count(
                copy.deepcopy(base.get("count")), self.override["count"]
            )
        name = str(self.doc.get("name") or Path(manifest.path).parent.name)
        self.key = resource_key(name)
        if self.key != name:
            self.add(
                "changed",
                "name",
                f"{name} is named {self.key} (names here are 1-24 "
                "lowercase letters, digits and hyphens)",
            )

    def where(self, path: str) -> str:
        """The key's path as written: under environments.<env> when the override sets it."""
        node: Any = self.override
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return path
            node = node[part]
        return f"environments.{self.env.env}.{path}"

    def add(self, kind: Kind, path: str, message: str) -> None:
        self.env.add(kind, self.where(path), message, self.src)

    # -- per type ---------------------------------------------------------------------------

    def convert(self, kind: str) -> dict[str, Any] | None:
        spec = self._container()
        if spec is None:
            return None
        if kind in SERVICE_TYPES:
            return self._service(kind, spec)
        if kind == "Worker Service":
            return self._worker(spec)
        return self._job(spec)

    def _service(self, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
        doc = self.doc
        image = doc.get("image") or {}
        port = _port_number(image.get("port"))
        if port is not None:
            spec["containerPort"] = port
        alb = isinstance(doc.get("http"), dict) and port is not None
        spec.update(service_count(doc.get("count"), self.add, alb=alb))
        self._placement(spec)
        self._storage(spec)
        sidecars = self._sidecars(port)
        if sidecars:
            spec["sidecars"] = sidecars
        depends = self._depends_on(image.get("depends_on"), sidecars)
        if depends:
            spec["dependsOn"] = depends
        self._deployment(spec)
        retention = (doc.get("logging") or {}).get("retention")
        if retention is not None:
            if retention in LOG_RETENTION_DAYS:
                spec["logRetentionDays"] = retention
            else:
                self.add(
                    "unmapped",
                    "logging.retention",
                    f"{retention} is not a CloudWatch Logs retention",
                )
        for key in doc.get("logging") or {}:
            if key != "retention":
                self.add("unmapped", f"logging.{key}", UNMAPPED["logging"])
        http = doc.get("http")
        nlb = doc.get("nlb")
        internal = kind == "Backend Service"
        if isinstance(http, dict) and port is not None:
            self._http(spec, http, internal, port)
            if nlb:
                self.add(
                    "unmapped",
                    "nlb",
                    "a service here sits behind one load balancer; the ALB (http) is imported",
                )
        elif isinstance(http, dict):
            self.add("unmapped", "http", "needs image.port; no load balancer")
        elif isinstance(nlb, dict) and port is not None and not internal:
            self._nlb(spec, nlb, port)
        if doc.get("exec") is True:
            spec["executeCommand"] = True  # ECS Exec, sessions logged (refused in prod by policy)
        elif doc.get("exec") not in (None, False):
            self.add("unmapped", "exec", f"{doc['exec']!r}: executeCommand takes true or false")
        self._rest({"count", "deployment", "logging", "http", "nlb", "exec"})
        return spec

    def _worker(self, spec: dict[str, Any]) -> dict[str, Any]:
        out = {
            k: v
            for k, v in spec.items()
            if k in ("image", "build", "cpu", "memory", "environment", "secrets")
        }
        for key in spec:
            if key not in out:
                self.add(
                    "unmapped",
                    _SPEC_SOURCE.get(key, key),
                    "not in the worker config "
                    "(image or build, cpu, memory, environment, secrets, queue, scaling)",
                )
        subscribe = self.doc.get("subscribe") or {}
        for key in subscribe:
            if key not in ("queue", "topics"):
                self.add(
                    "unmapped",
                    f"subscribe.{key}",
                    f"not a Copilot subscribe key{suggest(str(key), ('queue', 'topics'))}; ignored",
                )
        queue_in = subscribe.get("queue") or {}
        queue: dict[str, Any] = {}
        if isinstance(queue_in, dict):
            timeout = duration_seconds(queue_in.get("timeout"))
            if timeout is not None:
                queue["visibilityTimeoutSeconds"] = math.ceil(timeout)
            tries = (queue_in.get("dead_letter") or {}).get("tries")
            if isinstance(tries, int):
                queue["maxReceiveCount"] = tries
            for key in queue_in:
                if key not in ("timeout", "dead_letter"):
                    self.add(
                        "unmapped",
                        f"subscribe.queue.{key}",
                        "not in the worker queue "
                        "config (visibilityTimeoutSeconds, maxReceiveCount)",
                    )
        out["queue"] = queue
        for topic in subscribe.get("topics") or []:
            if isinstance(topic, dict):
                name = f"{topic.get('service')}/{topic.get('name')}"
                extra = " with its filter_policy" if topic.get("filter_policy") else ""
                extra += " and its own queue" if topic.get("queue") else ""
                self.add(
                    "unmapped",
                    "subscribe.topics",
                    f"{name}{extra}: SNS subscriptions are "
                    "not in the worker config; subscribe the worker's queue to the topic "
                    "where the topic is managed",
                )
        out["scaling"], strategy = worker_count(self.doc.get("count"), self.add)
        if strategy:
            out["capacityProviders"] = strategy
        self._storage({}, report_all=True)
        if self.doc.get("sidecars"):
            self.add("unmapped", "sidecars", "not in the worker config")
        self._network_unmapped(report_placement=False)
        self._rest({"count", "subscribe"})
        return out

    def _job(self, spec: dict[str, Any]) -> dict[str, Any] | None:
        schedule_in = (self.doc.get("on") or {}).get("schedule")
        by_hand = str(schedule_in).lower() == "none"  # Copilot: no schedule, run on demand
        schedule = RUN_ONCE_SCHEDULE if by_hand else schedule_expression(schedule_in)
        if schedule is None:
            self.add(
                "unmapped",
                "on.schedule",
                f"{schedule_in!r} is not a schedule this "
                "importer can convert (cron, @keyword, @every, rate()/cron()); skipped",
            )
            return None
        out = {
            k: v
            for k, v in spec.items()
            if k in ("image", "build", "cpu", "memory", "command", "environment", "secrets")
        }
        for key in spec:
            if key not in out:
                self.add(
                    "unmapped",
                    _SPEC_SOURCE.get(key, key),
                    "not in the scheduled task "
                    "config (image or build, cpu, memory, command, environment, secrets)",
                )
        out["schedule"] = schedule
        if by_hand:
            out["enabled"] = False
            self.add(
                "changed",
                "on.schedule",
                "none (run by hand): imported with its schedule disabled; start it with aws "
                "ecs run-task on its task definition, or set schedule and enabled: true",
            )
        elif schedule != schedule_in:
            self.add(
                "changed",
                "on.schedule",
                f"{schedule_in} is {schedule} in EventBridge (UTC, as in Copilot)",
            )
        retries = self.doc.get("retries")
        if isinstance(retries, int):
            out["retry"] = {"maximumRetryAttempts": min(max(retries, 0), 185)}
        if self.doc.get("timeout") is not None:
            self.add("unmapped", "timeout", "a run time limit is not in the scheduled task config")
        self._storage({}, report_all=True)
        if self.doc.get("sidecars"):
            self.add("unmapped", "sidecars", "not in the scheduled task config")
        self._network_unmapped(report_placement=False)
        self._rest({"on", "retries", "timeout"})
        return out

    # -- shared pieces ----------------------------------------------------------------------

    def _container(self) -> dict[str, Any] | None:
        doc = self.doc
        image = doc.get("image") or {}
        spec: dict[str, Any] = {}
        if not isinstance(image, dict):
            image = {"location": image}
        location, build = image.get("location"), image.get("build")
        if location is not None:
            text = str(location)
            if "${" in text:
                self.add(
                    "input",
                    "image.location",
                    f"{text}: fill in the variables Copilot reads from the shell; workload skipped",
                )
                return None
            spec["image"] = text
        elif build is not None:
            converted = self._build(build)
            if converted is None:
                return None
            spec["build"] = converted
        else:
            self.add("unmapped", "image", "neither image.location nor image.build; skipped")
            return None
        for key in image:
            if key in ("location", "build", "port", "healthcheck", "depends_on"):
                continue
            self.add("unmapped", f"image.{key}", "not in the container config")
        cpu = doc.get("cpu", 256)
        memory = doc.get("memory", 512)
        if not (isinstance(cpu, int) and isinstance(memory, int)):
            self.add("unmapped", "cpu", f"{cpu!r}/{memory!r} are not numbers; sized 256/512")
            cpu, memory = 256, 512
        if not is_fargate_pair(cpu, memory):
            try:
                size = fargate_size(cpu, memory)
            except ValueError as exc:
                self.add("unmapped", "cpu", f"{exc}; sized 256/512")
                size = (256, 512)
            self.add(
                "changed",
                "cpu",
                f"{cpu} cpu / {memory} MiB is not a Fargate size; the "
                f"cheapest one covering it is {size[0]} / {size[1]}",
            )
            cpu, memory = size
        spec["cpu"], spec["memory"] = cpu, memory
        arch = self._platform(doc.get("platform"))
        if arch:
            spec["cpuArchitecture"] = arch
        for key, field in (("command", "command"), ("entrypoint", "entryPoint")):
            if doc.get(key) is not None:
                spec[field] = command_list(doc[key])
        environment = self._variables("variables", doc.get("variables"))
        if environment:
            spec["environment"] = environment
        secrets = self._secrets("secrets", doc.get("secrets"))
        if secrets:
            spec["secrets"] = secrets
        health = self._healthcheck("image.healthcheck", image.get("healthcheck"))
        if health:
            spec["healthCheck"] = health
        return spec

    def _build(self, build: Any) -> dict[str, Any] | None:
        if isinstance(build, str):
            build = {"dockerfile": build}
        if not isinstance(build, dict) or not (build.get("dockerfile") or build.get("context")):
            self.add("unmapped", "image.build", f"{build!r} is not a Dockerfile path; skipped")
            return None
        dockerfile = posixpath.normpath(str(build.get("dockerfile") or "Dockerfile"))
        if build.get("context") is not None:
            context = posixpath.normpath(str(build["context"]))
            dockerfile = posixpath.relpath(dockerfile, context)
        else:
            context = posixpath.dirname(dockerfile) or "."
            dockerfile = posixpath.basename(dockerfile)
        out: dict[str, Any] = {"context": context, "dockerfile": dockerfile}
        if build.get("target") is not None:
            out["target"] = str(build["target"])
        args = build.get("args")
        if isinstance(args, dict) and args:
            out["args"] = {str(k): scalar_text(v) for k, v in args.items()}
        for key in build:
            if key not in ("dockerfile", "context", "target", "args"):
                self.add("unmapped", f"image.build.{key}", "not in the build config")
        return out

    def _platform(self, platform: Any) -> str | None:
        if platform is None:
            return None
        if isinstance(platform, dict):
            platform = f"{platform.get('osfamily')}/{platform.get('architecture')}"
        text = str(platform).lower()
        if text in ("linux/x86_64", "linux/amd64"):
            return None
        if text in ("linux/arm64", "linux/arm"):
            return "ARM64"
        self.add("unmapped", "platform", f"{platform}: {UNMAPPED['platform']}")
        return None

    def _variables(self, path: str, variables: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in (variables or {}).items():
            name = str(name)
            if isinstance(value, dict):
                self.add(
                    "unmapped",
                    f"{path}.{name}",
                    f"{_describe(value)}: CloudFormation exports are not read here; set the value",
                )
            elif not valid_env_name(name):
                self.add("unmapped", f"{path}.{name}", "not a valid variable name here")
            else:
                out[name] = scalar_text(value)
        return out

    def _secrets(self, path: str, secrets: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in (secrets or {}).items():
            name = str(name)
            at = f"{path}.{name}"
            if not valid_env_name(name):
                self.add("unmapped", at, "not a valid variable name here")
                continue
            if isinstance(value, dict) and "secretsmanager" in value:
                ref = str(value["secretsmanager"])
                if _valid_secret(ref):
                    out[name] = ref
                else:
                    self.add(
                        "input",
                        at,
                        f"Secrets Manager secret {ref!r}: give its full ARN "
                        "(with the random suffix; the execution role is granted exactly "
                        "that ARN)",
                    )
                continue
            if isinstance(value, dict):
                self.add(
                    "unmapped",
                    at,
                    f"{_describe(value)}: CloudFormation exports are not "
                    "read here; give the secret's ARN",
                )
                continue
            ref = str(value)
            if ref.startswith("arn:"):
                if _valid_secret(ref):
                    out[name] = ref
                else:
                    self.add("input", at, f"{ref} is not a Secrets Manager or SSM ARN")
                continue
            arn = self.env.secret_arn(ref)
            if arn is not None and _valid_secret(arn):
                out[name] = arn
            else:
                self.add(
                    "input",
                    at,
                    f"SSM parameter {ref}: its ARN needs the region and "
                    "account (pass --region and --account)",
                )
        return out

    def _healthcheck(self, path: str, check: Any) -> dict[str, Any] | None:
        if check is None:
            return None
        if not isinstance(check, dict) or not isinstance(check.get("command"), list):
            self.add("unmapped", path, "not a container health check with a command list")
            return None
        command = [scalar_text(c) for c in check["command"]]
        if command[0] not in ("CMD", "CMD-SHELL"):
            command = ["CMD-SHELL", " ".join(command)]
        out: dict[str, Any] = {"command": command}
        fields = {
            "interval": ("intervalSeconds", 5, 300),
            "timeout": ("timeoutSeconds", 2, 120),
            "start_period": ("startPeriodSeconds", 0, 300),
        }
        for key, (field, low, high) in fields.items():
            seconds = duration_seconds(check.get(key))
            if seconds is not None:
                value = min(max(math.ceil(seconds), low), high)
                if value != seconds:
                    self.add(
                        "changed",
                        f"{path}.{key}",
                        f"{check[key]} is outside ECS's {low}-{high} s; set to {value} s",
                    )
                out[field] = value
        retries = check.get("retries")
        if isinstance(retries, int):
            out["retries"] = min(max(retries, 1), 10)
        interval = out.get("intervalSeconds", 10)
        if out.get("timeoutSeconds", 5) >= interval:
            out["timeoutSeconds"] = interval - 1
            self.add(
                "changed",
                f"{path}.timeout",
                f"not shorter than the {interval} s interval (ECS rule); set to {interval - 1} s",
            )
        return out

    def _depends_on(self, depends: Any, sidecars: dict[str, Any]) -> list[dict[str, str]]:
        out = []
        for name, condition in (depends or {}).items():
            key = resource_key(str(name))
            if key not in sidecars:
                self.add("unmapped", f"image.depends_on.{name}", "not a sidecar imported here")
                continue
            out.append({"container": key, "condition": str(condition).upper()})
        return out

    def _placement(self, spec: dict[str, Any]) -> None:
        self._network_unmapped(report_placement=True)

    def _network_unmapped(self, report_placement: bool) -> None:
        network = self.doc.get("network") or {}
        vpc = network.get("vpc") or {}
        placement = vpc.get("placement", "public")
        if report_placement and placement == "public":
            self.add(
                "changed",
                "network.vpc.placement",
                "public (Copilot's default): tasks run "
                "in private subnets behind NAT here (Security Hub ECS.2); set "
                "assignPublicIp: true to keep them public",
            )
        elif isinstance(placement, dict):
            self.add(
                "unmapped", "network.vpc.placement.subnets", "tasks use the stack's private subnets"
            )
        if vpc.get("security_groups"):
            self.add(
                "unmapped",
                "network.vpc.security_groups",
                "extra security groups are not in the config; each service gets its own",
            )
        if network.get("connect"):
            self.add(
                "input",
                "network.connect",
                "Service Connect is serviceConnect here, per service: give each called service "
                "serviceConnect: {} and each caller serviceConnect: {calls: [<service>]}",
            )

    def _storage(self, spec: dict[str, Any], report_all: bool = False) -> None:
        storage = self.doc.get("storage") or {}
        if report_all:
            for key in storage:
                self.add("unmapped", f"storage.{key}", "not in this workload's config")
            return
        ephemeral = storage.get("ephemeral")
        if isinstance(ephemeral, int) and ephemeral > 20:
            spec["ephemeralStorageGib"] = min(ephemeral, 200)
        if storage.get("readonly_fs") is True:
            spec["readonlyRootFilesystem"] = True
        writable: list[str] = []
        efs: list[dict[str, Any]] = []
        for name, volume in (storage.get("volumes") or {}).items():
            at = f"storage.volumes.{name}"
            if not isinstance(volume, dict) or not volume.get("path"):
                self.add("unmapped", at, "no path")
                continue
            source = volume.get("efs")
            if not source:
                writable.append(str(volume["path"]))
                continue
            if source is True:
                self.add(
                    "unmapped",
                    at,
                    "Copilot-managed EFS: create a file system (or keep "
                    "Copilot's until the data moves) and add efsVolumes with its ID",
                )
                continue
            fs_id = source.get("id") if isinstance(source, dict) else None
            if not isinstance(fs_id, str) or not re.match(r"^fs-[0-9a-f]{8,17}$", fs_id):
                self.add(
                    "unmapped",
                    at,
                    f"EFS id {_describe(fs_id)}: give the file system ID (fs-...) in efsVolumes",
                )
                continue
            mount: dict[str, Any] = {
                "name": resource_key(str(name)),
                "fileSystemId": fs_id,
                "containerPath": str(volume["path"]),
            }
            if source.get("root_dir"):
                mount["rootDirectory"] = str(source["root_dir"])
            access_point = (source.get("auth") or {}).get("access_point_id")
            if access_point:
                mount["accessPointId"] = str(access_point)
            if volume.get("read_only"):
                mount["readOnly"] = True
            efs.append(mount)
        if writable:
            spec["writablePaths"] = writable
        if efs:
            spec["efsVolumes"] = efs
        for key in storage:
            if key not in ("ephemeral", "readonly_fs", "volumes"):
                self.add("unmapped", f"storage.{key}", "not in the service config")

    def _sidecars(self, app_port: int | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        used = {app_port} if app_port else set()
        for name, body in (self.doc.get("sidecars") or {}).items():
            at = f"sidecars.{name}"
            if not isinstance(body, dict):
                continue
            key = resource_key(str(name))
            if key == "app":
                self.add("unmapped", at, "app is the main container's name here")
                continue
            image = body.get("image")
            if isinstance(image, dict):
                image = image.get("location")
            if not isinstance(image, str) or "${" in image:
                self.add(
                    "input",
                    f"{at}.image",
                    f"{image!r}: needs a pullable image (fill in "
                    "${...} variables); sidecar left out",
                )
                continue
            sidecar: dict[str, Any] = {"image": image}
            port = _port_number(body.get("port"))
            if port is not None and port not in used:
                sidecar["ports"] = [port]
                used.add(port)
            elif body.get("port") is not None:
                self.add(
                    "unmapped",
                    f"{at}.port",
                    f"{body['port']}: only TCP ports not used by another container of the task map",
                )
            for src, field in (("command", "command"), ("entrypoint", "entryPoint")):
                if body.get(src) is not None:
                    sidecar[field] = command_list(body[src])
            env = self._variables(f"{at}.variables", body.get("variables"))
            if env:
                sidecar["environment"] = env
            secrets = self._secrets(f"{at}.secrets", body.get("secrets"))
            if secrets:
                sidecar["secrets"] = secrets
            if isinstance(body.get("essential"), bool):
                sidecar["essential"] = body["essential"]
            health = self._healthcheck(f"{at}.healthcheck", body.get("healthcheck"))
            if health:
                sidecar["healthCheck"] = health
            for extra in body:
                if extra not in (
                    "image",
                    "port",
                    "command",
                    "entrypoint",
                    "variables",
                    "secrets",
                    "essential",
                    "healthcheck",
                ):
                    self.add("unmapped", f"{at}.{extra}", "not in the sidecar config")
            out[key] = sidecar
        return out

    def _deployment(self, spec: dict[str, Any]) -> None:
        deployment = self.doc.get("deployment") or {}
        if deployment.get("rolling") == "recreate":
            spec["minHealthyPercent"] = 0
            spec["maxPercent"] = 100
        for key in deployment:
            if key == "rolling":
                continue
            reason = "alarm-based rollback is not in the config; the circuit breaker rolls back"
            self.add("unmapped", f"deployment.{key}", reason)

    def _http(self, spec: dict[str, Any], http: dict[str, Any], internal: bool, port: int) -> None:
        lb_name = "internal" if internal else "public"
        self.env.load_balancer(lb_name, internal)
        route: dict[str, Any] = {"name": lb_name}
        path = http.get("path")
        if path not in (None, "", "/"):
            clean = "/" + str(path).strip("/")
            route["pathPatterns"] = [clean, f"{clean}/*"]
        hosts = _aliases(http.get("alias"))
        if hosts:
            route["hostHeaders"] = hosts
        if hosts and _alias_zones(http.get("alias")) or http.get("hosted_zone"):
            self.add(
                "unmapped",
                "http.alias",
                "DNS records in Route 53 hosted zones are not "
                "managed here; point the names at the load balancer",
            )
        check = http.get("healthcheck")
        if isinstance(check, str):
            check = {"path": check}
        tg: dict[str, Any] = {}
        if isinstance(check, dict):
            if check.get("path"):
                tg["path"] = str(check["path"])
            if check.get("success_codes"):
                tg["matcher"] = str(check["success_codes"])
            for key, field in (
                ("healthy_threshold", "healthyThreshold"),
                ("unhealthy_threshold", "unhealthyThreshold"),
            ):
                if isinstance(check.get(key), int):
                    tg[field] = min(max(check[key], 2), 10)
            for key, field, low, high in (
                ("interval", "intervalSeconds", 5, 300),
                ("timeout", "timeoutSeconds", 2, 120),
            ):
                seconds = duration_seconds(check.get(key))
                if seconds is not None:
                    tg[field] = min(max(math.ceil(seconds), low), high)
            if tg.get("timeoutSeconds", 4) >= tg.get("intervalSeconds", 5):
                tg["timeoutSeconds"] = tg.get("intervalSeconds", 5) - 1
                self.add(
                    "changed",
                    "http.healthcheck.timeout",
                    "must be shorter than the "
                    f"interval (ELB rule); set to {tg['timeoutSeconds']} s",
                )
            grace = duration_seconds(check.get("grace_period"))
            if grace is not None:
                spec["healthCheckGracePeriodSeconds"] = math.ceil(grace)
            for key in check:
                if key not in (
                    "path",
                    "success_codes",
                    "healthy_threshold",
                    "unhealthy_threshold",
                    "interval",
                    "timeout",
                    "grace_period",
                ):
                    self.add(
                        "unmapped",
                        f"http.healthcheck.{key}",
                        "not in the target group health check config",
                    )
        if tg:
            route["healthCheck"] = tg
        delay = duration_seconds(http.get("deregistration_delay"))
        if delay is not None:
            route["deregistrationDelaySeconds"] = math.ceil(delay)
        target_port = http.get("target_port")
        if target_port is not None and target_port != port:
            self.add(
                "unmapped",
                "http.target_port",
                f"{target_port}: the load balancer routes to image.port ({port})",
            )
        container = http.get("target_container")
        if container is not None and container != self.doc.get("name"):
            self.add(
                "unmapped",
                "http.target_container",
                f"{container}: the load balancer routes to the main container",
            )
        reasons = {
            "allowed_source_ips": "per-service source IPs are not in the config; "
            "loadBalancers.<name>.allowedCidrs limits the whole load balancer",
            "additional_rules": "a service has one routing rule here",
            "stickiness": "sticky sessions are not in the config",
            "alb": "importing an existing ALB needs its listener ARN and security group "
            "(loadBalancers.<name>.existing)",
            "redirect_to_https": "the ALB redirects HTTP to HTTPS whenever it has certificateArn",
            "version": "only HTTP/1.1 target groups are in the config",
        }
        for key in http:
            if key in reasons:
                self.add("unmapped", f"http.{key}", reasons[key])
            elif key not in (
                "path",
                "alias",
                "hosted_zone",
                "healthcheck",
                "deregistration_delay",
                "target_port",
                "target_container",
            ):
                self.add("unmapped", f"http.{key}", "not in the service config")
        spec["loadBalancer"] = route

    def _nlb(self, spec: dict[str, Any], nlb: dict[str, Any], port: int) -> None:
        listener = str(nlb.get("port", ""))
        number, _, protocol = listener.partition("/")
        protocol = (protocol or "tcp").lower()
        if not number.isdigit() or protocol not in ("tcp", "tls"):
            self.add(
                "unmapped",
                "nlb.port",
                f"{listener}: only TCP and TLS listeners are in the config; no load balancer",
            )
            return
        self.env.load_balancer("nlb", internal=False, network=True)
        route: dict[str, Any] = {"name": "nlb"}
        if int(number) != port:
            route["listenerPort"] = int(number)
        target_port = nlb.get("target_port")
        if target_port is not None and target_port != port:
            self.add(
                "unmapped",
                "nlb.target_port",
                f"{target_port}: the listener forwards to image.port ({port})",
            )
        if protocol == "tls" and "certificateArn" not in self.env.load_balancers["nlb"]:
            self.add(
                "input",
                "nlb.port",
                f"{listener}: TLS needs certificateArn on "
                "loadBalancers.nlb (an ACM certificate ARN); until then it listens TCP",
            )
        for key in nlb:
            if key not in ("port", "target_port"):
                self.add("unmapped", f"nlb.{key}", "not in the network load balancer config")
        spec["loadBalancer"] = route

    def _rest(self, handled: set[str]) -> None:
        """Every key not handled by the workload's own mapping nor by the shared pieces."""
        for key in self.doc:
            key = str(key)
            if key in handled or key in HANDLED_BY_EVERY_WORKLOAD:
                continue
            self.add("unmapped", key, UNMAPPED.get(key, "not in the config"))


# The source key of each converted field (for findings about fields a shape lacks).
_SPEC_SOURCE = {
    "command": "command",
    "entryPoint": "entrypoint",
    "healthCheck": "image.healthcheck",
    "cpuArchitecture": "platform",
}


def schedule_expression(value: Any) -> str | None:
    """Copilot's on.schedule (cron, @keyword, @every <duration>) as EventBridge cron()/rate()."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"(cron|rate)\(.+\)", text):
        return text
    keywords = {
        "@yearly": "cron(0 0 1 1 ? *)",
        "@annually": "cron(0 0 1 1 ? *)",
        "@monthly": "cron(0 0 1 * ? *)",
        "@weekly": "cron(0 0 ? * 1 *)",
        "@daily": "cron(0 0 * * ? *)",
        "@midnight": "cron(0 0 * * ? *)",
        "@hourly": "cron(0 * * * ? *)",
    }
    if text in keywords:
        return keywords[text]
    if text.startswith("@every "):
        seconds = duration_seconds(text.removeprefix("@every ").strip())
        if not seconds or seconds < 60 or seconds % 60:
            return None
        minutes = int(seconds // 60)
        if minutes % 1440 == 0:
            n, unit = minutes // 1440, "day"
        elif minutes % 60 == 0:
            n, unit = minutes // 60, "hour"
        else:
            n, unit = minutes, "minute"
        return f"rate({n} {unit}{'s' if n > 1 else ''})"
    fields = text.split()
    if len(fields) != 5:
        return None
    minute, hour, dom, month, dow = fields
    if dow != "*" and dom != "*":
        return None  # Unix cron ORs the two; EventBridge cannot
    if dow == "*":
        dow = "?"
    else:
        dom = "?"
        dow = _eventbridge_weekdays(dow)
        if dow is None:
            return None
    return f"cron({minute} {hour} {dom} {month} {dow} *)"


def _eventbridge_weekdays(field: str) -> str | None:
    """Unix day-of-week numbers (0 or 7 = Sunday) to EventBridge's (1 = Sunday)."""

    def day(token: str) -> str | None:
        if token.isalpha():
            return token.upper()
        if token.isdigit() and int(token) <= 7:
            return str(int(token) % 7 + 1)
        return None

    out = []
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            mapped = "*"
        elif "-" in base:
            a, b = (day(t) for t in base.split("-", 1))
            if a is None or b is None:
                return None
            mapped = f"{a}-{b}"
        else:
            single = day(base)
            if single is None:
                return None
            mapped = single
        out.append(f"{mapped}/{step}" if step else mapped)
    return ",".join(out)


def _port_number(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= 65535 else None
    if isinstance(value, str):
        number, _, protocol = value.partition("/")
        if number.isdigit() and (protocol or "tcp").lower() == "tcp":
            return int(number) if 1 <= int(number) <= 65535 else None
    return None


def _aliases(alias: Any) -> list[str]:
    items = alias if isinstance(alias, list) else [alias] if alias else []
    names = [str(a.get("name")) if isinstance(a, dict) else str(a) for a in items]
    return [n for n in names if re.fullmatch(r"[A-Za-z0-9*?.-]+", n)][:5]


def _alias_zones(alias: Any) -> bool:
    return isinstance(alias, list) and any(
        isinstance(a, dict) and a.get("hosted_zone") for a in alias
    )


def _valid_secret(ref: str) -> bool:
    try:
        check_secret_ref(ref)
    except ValueError:
        return False
    return True


def _is_cidr(value: Any) -> bool:
    try:
        ipaddress.IPv4Network(str(value))
    except ValueError:
        return False
    return "/" in str(value)


def _is_aws_id(value: str) -> bool:
    return re.fullmatch(r"(vpc|subnet)-[0-9a-f]{8}([0-9a-f]{9})?", value) is not None


def _describe(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1:
        key, inner = next(iter(value.items()))
        return f"{key}: {inner}"
    return repr(value)
