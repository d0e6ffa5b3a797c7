"""The stack model: `StackConfig`, every `ecs-platform:*` key of a stack file as one typed object.

Field names are the keys after `ecs-platform:` (camelCase aliases); each field says what it is
and its default, and the JSON Schema and docs/config-reference.md are generated from them.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from ..specs import ipv6_rules
from ..specs.assumptions import AssumptionsSpec
from ..specs.cluster import CapacityProviderItem, ClusterSpec
from ..specs.common import ResourceKey, Spec, SpecError, suggest
from ..specs.defaults import with_default_load_balancer
from ..specs.fargate import FARGATE_SIZES, cpu_error, memory_error, smallest_fit
from ..specs.image import ImagesSpec
from ..specs.load_balancer import LoadBalancerSpec
from ..specs.network import NetworkSpec
from ..specs.operations import ObservabilitySpec
from ..specs.policy_level import PolicyLevel, PolicyLevelSetting, resolve
from ..specs.protection import ProtectionSpec
from ..specs.service import ServicePlacement, ServiceSpec
from ..specs.workloads import ScheduledTaskSpec, TaskSpec, WorkerSpec


class StackConfig(Spec):
    """Everything a stack is built from. Field names are the keys after `ecs-platform:`."""

    region: str = Field(description="aws:region", exclude=True)
    stack: str = Field(description="Stack name (from the file name / pulumi stack).", exclude=True)
    network: NetworkSpec = Field(
        default_factory=NetworkSpec,  # type: ignore[arg-type]
        description="VPC and subnets, or an existing VPC (default: a new 10.0.0.0/16 VPC in 2 "
        "AZs with one NAT gateway).",
    )
    cluster: ClusterSpec = Field(
        default_factory=ClusterSpec,  # type: ignore[arg-type]
        description="ECS cluster, capacity providers, Service Connect namespace.",
    )
    load_balancers: dict[ResourceKey, LoadBalancerSpec] = Field(
        default_factory=dict,
        description="Load balancers by name; services attach by name. When none is listed, a "
        "service with a containerPort and no loadBalancer gets an internet-facing ALB named "
        "public (HTTP without a certificateArn).",
    )
    services: dict[ResourceKey, ServiceSpec] = Field(
        default_factory=dict, description="ECS services by name."
    )
    observability: ObservabilitySpec = Field(
        default_factory=ObservabilitySpec,  # type: ignore[arg-type]
        description="Alarm notifications and the stack's CloudWatch dashboard.",
    )
    scheduled_tasks: dict[ResourceKey, ScheduledTaskSpec] = Field(
        default_factory=dict, description="Tasks started by EventBridge Scheduler, by name."
    )
    workers: dict[ResourceKey, WorkerSpec] = Field(
        default_factory=dict,
        description="Queue workers (SQS consumers, no load balancer), by name.",
    )
    assumptions: AssumptionsSpec = Field(
        default_factory=AssumptionsSpec,  # type: ignore[arg-type]
        description="Usage and timing figures for the offline plan's cost and deploy-time "
        "models (traffic, log volume, app start and stop); they change no resource.",
    )
    protection: ProtectionSpec = Field(
        default_factory=ProtectionSpec,  # type: ignore[arg-type]
        description="protect / retainOnDelete for stateful resources (prod: both true).",
    )
    policy_level: PolicyLevelSetting = Field(
        "auto",
        description="Which environment's policy levels the stack is held to: dev, staging or "
        "prod. auto (the default) takes it from the stack name: prod, production, prd or live "
        "in the name is prod; staging, stage, stg, preprod or uat is staging; any other name "
        "is dev.",
    )
    images: ImagesSpec = Field(
        default_factory=ImagesSpec,  # type: ignore[arg-type]
        description="Where images may come from (trusted registries).",
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults_across_sections(cls, data: Any) -> Any:
        return with_default_load_balancer(data)

    @property
    def policy_environment(self) -> tuple[PolicyLevel, str]:
        """(dev | staging | prod, why): the policy level and where it came from."""
        return resolve(self.policy_level, self.stack)

    @model_validator(mode="after")
    def _cross_references(self) -> StackConfig:
        for name, svc in self.services.items():
            self._check_service(name, svc)
            self._check_service_connect(name, svc)
        self._check_workloads()
        for lb_name in self.load_balancers:
            self._check_load_balancer(lb_name)
            self._check_listener(lb_name)
        ipv6_rules.check(self)
        return self

    # -- derived views used by components -------------------------------------------------

    def strategy(self, service: ServiceSpec) -> list[CapacityProviderItem]:
        if service.launch_type == "EXTERNAL":
            return []  # a launch type, not a capacity provider strategy
        return service.capacity_providers or self.cluster.capacity_providers

    def runs_on_ec2(self, service: ServiceSpec) -> bool:
        return any(item.provider == "EC2" for item in self.strategy(service))

    def compatibility(
        self, service: ServiceSpec
    ) -> Literal["FARGATE", "EC2", "MANAGED_INSTANCES", "EXTERNAL"]:
        """The task definition's launch compatibility: EXTERNAL, or from the capacity strategy."""
        if service.launch_type == "EXTERNAL":
            return "EXTERNAL"
        providers = {item.provider for item in self.strategy(service)}
        if "EC2" in providers:
            return "EC2"
        return "MANAGED_INSTANCES" if "MANAGED_INSTANCES" in providers else "FARGATE"

    def task_size(self, service: ServiceSpec) -> tuple[int, int]:
        """(cpu units, memory MiB) of the task: configured, or the cheapest Fargate fit."""
        if service.cpu is not None and service.memory is not None:
            return service.cpu, service.memory
        cpu_needed = (service.container_cpu or 0) + sum(
            s.cpu or 0 for s in service.sidecars.values()
        )
        mem_needed = (service.container_memory or 0) + sum(
            s.memory or s.memory_reservation or 0 for s in service.sidecars.values()
        )
        if service.cpu is not None:
            cpu_needed = service.cpu
        if service.memory is not None:
            mem_needed = service.memory
        return smallest_fit(cpu_needed, mem_needed)

    def placement(self, name: str) -> ServicePlacement:
        svc = self.services[name]
        rule_priority = test_rule_priority = None
        if svc.load_balancer is not None:
            rule_priority = self.listener_rules(svc.load_balancer.name).get(name)
            test_rule_priority = self.test_listener_rules(svc.load_balancer.name).get(name)
        return self._placement(svc, rule_priority, test_rule_priority)

    def task_placement(self, task: TaskSpec) -> ServicePlacement:
        """Placement of a scheduled task or worker (sized and placed like a service)."""
        return self._placement(task.service_spec(), None, None)

    def _placement(
        self, svc: ServiceSpec, rule_priority: int | None, test_rule_priority: int | None
    ) -> ServicePlacement:
        cpu, memory = self.task_size(svc)
        return ServicePlacement(
            task_cpu=cpu,
            task_memory=memory,
            on_ec2=self.runs_on_ec2(svc),
            compatibility=self.compatibility(svc),
            strategy=self.strategy(svc),
            rule_priority=rule_priority,
            test_rule_priority=test_rule_priority,
            vpc_cidr=self.network.cidr_block or self.network.vpc_cidr_block,
            container_insights=self.cluster.container_insights != "disabled",
            alarm_actions=[self.observability.alarm_topic_arn]
            if self.observability.alarm_topic_arn
            else [],
            region=self.region,
            task_addressing=self._task_addressing(svc),
            trusted_registries=list(self.images.trusted_registries),
        )

    def _task_addressing(self, svc: ServiceSpec) -> Literal["ipv4", "dual-stack", "ipv6-only"]:
        ipv6 = self.network.ipv6
        return "ipv4" if ipv6 is None or svc.launch_type == "EXTERNAL" else ipv6.tasks

    def client_cidrs(self, lb_name: str) -> list[str]:
        """Who may connect to a load balancer: configured, else the internet or the VPC."""
        lb = self.load_balancers[lb_name]
        if lb.allowed_cidrs is not None:
            return lb.allowed_cidrs
        if not lb.internal:
            return ["0.0.0.0/0"]
        vpc = self.network.cidr_block or self.network.vpc_cidr_block
        assert vpc is not None  # checked in _check_load_balancer
        return [vpc]

    def listener_rules(self, lb_name: str) -> dict[str, int]:
        """Service name -> ALB listener rule priority on `lb_name` (declared or derived)."""
        return _rule_priorities(
            {
                n: s
                for n, s in self.services.items()
                if s.load_balancer is not None and s.load_balancer.name == lb_name
            }
        )

    def test_listener_rules(self, lb_name: str) -> dict[str, int]:
        """Service name -> priority of its blue/green test rule (just ahead of its own rule)."""
        production = self.listener_rules(lb_name)
        taken = set(production.values())
        out: dict[str, int] = {}
        for name in sorted(production):
            if self.services[name].deployment.strategy == "ROLLING":
                continue
            priority = production[name] - 1
            while priority in taken:
                priority -= 1
            if priority < 1:
                raise SpecError(
                    ("services", name, "loadBalancer", "priority"),
                    f"{production[name]} leaves no free priority below it for the "
                    "blue/green test rule; use a higher priority",
                )
            taken.add(priority)
            out[name] = priority
        return out

    # -- rules ----------------------------------------------------------------------------

    def _check_workloads(self) -> None:
        seen = {name: "services" for name in self.services}
        sections: tuple[tuple[str, Mapping[str, TaskSpec]], ...] = (
            ("workers", self.workers),
            ("scheduledTasks", self.scheduled_tasks),
        )
        for section, specs in sections:
            for name, spec in specs.items():
                if name in seen:
                    raise SpecError(
                        (section, name),
                        f"{name!r} is already used in {seen[name]}; names are unique across "
                        "services, workers and scheduled tasks (they name log groups and "
                        "task families)",
                    )
                seen[name] = section
                self._check_service(name, spec.service_spec(), section)

    def _check_service(self, name: str, svc: ServiceSpec, section: str = "services") -> None:
        at = (section, name)
        kind = self.compatibility(svc)
        for i, item in enumerate(self.strategy(svc)):
            if item.provider == "EC2" and self.cluster.ec2_capacity is None:
                raise SpecError(
                    (*at, "capacityProviders", i, "provider"),
                    "EC2 needs cluster.ec2Capacity (the Auto Scaling group it scales)",
                )
            if item.provider == "MANAGED_INSTANCES" and self.cluster.managed_instances is None:
                raise SpecError(
                    (*at, "capacityProviders", i, "provider"),
                    "MANAGED_INSTANCES needs cluster.managedInstances",
                )
        if kind == "EXTERNAL":
            self._check_external(at, svc)
        elif kind != "FARGATE":
            where = "EC2" if kind == "EC2" else "Managed Instances"
            if svc.assign_public_ip:
                raise SpecError(
                    (*at, "assignPublicIp"),
                    f"public IPs are only for Fargate tasks (awsvpc on {where})",
                )
            if svc.ephemeral_storage_gib is not None:
                raise SpecError(
                    (*at, "ephemeralStorageGib"), "ephemeral storage is a Fargate setting"
                )
            if svc.memory is None and svc.container_memory is None:
                raise SpecError((*at, "memory"), f"required for tasks on {where} capacity")
            ec2 = self.cluster.ec2_capacity
            if kind == "EC2" and ec2 is not None and svc.cpu_architecture != ec2.architecture:
                raise SpecError(
                    (*at, "cpuArchitecture"),
                    f"{svc.cpu_architecture} does not match the cluster's EC2 instances "
                    f"({ec2.instance_type} is {ec2.architecture})",
                )
        else:
            self._check_fargate_size(at, svc)
        if (
            svc.assign_public_ip
            and not self.network.creates_vpc
            and not (self.network.public_subnet_ids)
        ):
            raise SpecError(
                (*at, "assignPublicIp"),
                "needs network.publicSubnetIds (tasks go in public subnets)",
            )
        self._check_egress(at, svc)
        if svc.load_balancer is not None:
            self._check_routing(at, svc)

    def _check_external(self, at: tuple[str, ...], svc: ServiceSpec) -> None:
        external = self.cluster.external
        if external is None:
            raise SpecError(
                (*at, "launchType"),
                "EXTERNAL needs cluster.external (the SSM activation that registers your "
                "servers with the cluster)",
            )
        if svc.memory is None and svc.container_memory is None:
            raise SpecError((*at, "memory"), "required for tasks on external instances")
        # Bridge and host mode publish each port on the server itself: one task per server.
        ports = [p for p in (svc.container_port, *svc.ports) if p is not None]
        count = svc.autoscaling.max_count if svc.autoscaling else svc.desired_count
        if ports and count > external.limit:
            raise SpecError(
                (*at, "autoscaling", "maxCount") if svc.autoscaling else (*at, "desiredCount"),
                f"{count} tasks each publish port {ports[0]} on a server, one task per server, "
                f"but cluster.external registers at most {external.limit} servers",
            )

    def _check_fargate_size(self, at: tuple[str, ...], svc: ServiceSpec) -> None:
        if svc.cpu is not None and svc.cpu not in FARGATE_SIZES:
            raise SpecError((*at, "cpu"), cpu_error(svc.cpu))
        if svc.cpu is not None and svc.memory is not None:
            allowed = FARGATE_SIZES[svc.cpu]
            if svc.memory not in allowed:
                raise SpecError((*at, "memory"), memory_error(svc.cpu, svc.memory))
        try:
            cpu, memory = self.task_size(svc)
        except ValueError as exc:
            raise SpecError((*at, "memory"), str(exc)) from None
        used_cpu = (svc.container_cpu or 0) + sum(s.cpu or 0 for s in svc.sidecars.values())
        used_mem = (svc.container_memory or 0) + sum(
            s.memory or s.memory_reservation or 0 for s in svc.sidecars.values()
        )
        if used_cpu > cpu:
            raise SpecError(
                (*at, "cpu"), f"containers ask for {used_cpu} cpu units but the task has {cpu}"
            )
        if used_mem > memory:
            raise SpecError(
                (*at, "memory"), f"containers ask for {used_mem} MiB but the task has {memory}"
            )

    def _check_egress(self, at: tuple[str, ...], svc: ServiceSpec) -> None:
        net = self.network
        if not net.creates_vpc or net.nat_gateways != "none" or svc.assign_public_ip:
            return
        if net.ipv6_only_tasks:  # egress over IPv6: ipv6_rules checks each endpoint instead
            return
        if svc.launch_type == "EXTERNAL":  # on the team's own servers: their egress, not ours
            return
        images = [svc.image, *(s.image for s in svc.sidecars.values())]
        endpoints = set(net.vpc_endpoints)
        private_ecr = re.compile(rf"^\d{{12}}\.dkr\.ecr\.{re.escape(self.region)}\.amazonaws\.com/")
        for image in images:
            ecr = image is None or private_ecr.match(image)  # None: built into this region's ECR
            if ecr and {"ecr.api", "ecr.dkr", "s3"} <= endpoints:
                continue
            raise SpecError(
                (*at, "image"),
                f"{image or 'the built image'} cannot be pulled: tasks in private subnets have "
                "no egress "
                "(network.natGateways is none). Use natGateways single/perAz/instance, an image "
                "from this region's ECR with vpcEndpoints [s3, ecr.api, ecr.dkr], or "
                "assignPublicIp: true",
            )
        if "logs" not in endpoints:
            raise SpecError(
                (*at, "image"),
                "tasks in private subnets without NAT cannot ship logs; add logs to "
                "network.vpcEndpoints",
            )
        refs = [r for c in [svc, *svc.sidecars.values()] for r in c.secrets.values()]
        for needed in sorted({r.split(":")[2] for r in refs}):
            if needed not in endpoints:
                raise SpecError(
                    (*at, "secrets"),
                    f"tasks without NAT read {needed} values through a VPC endpoint; add "
                    f"{needed} to network.vpcEndpoints",
                )

    def _check_routing(self, at: tuple[str, ...], svc: ServiceSpec) -> None:
        assert svc.load_balancer is not None
        ref = svc.load_balancer
        lb = self.load_balancers.get(ref.name)
        if lb is None:
            known = ", ".join(sorted(self.load_balancers)) or "none are defined"
            raise SpecError(
                (*at, "loadBalancer", "name"),
                f"{ref.name!r} is not in loadBalancers{suggest(ref.name, self.load_balancers)}; "
                f"known: {known}",
            )
        if lb.type == "network":
            if ref.path_patterns or ref.host_headers or ref.priority is not None:
                raise SpecError(
                    (*at, "loadBalancer"),
                    "pathPatterns, hostHeaders and priority are ALB rules; an NLB forwards a "
                    "listener port",
                )
            if ref.health_check.path != "/" or ref.health_check.matcher != "200-399":
                raise SpecError(
                    (*at, "loadBalancer", "healthCheck"),
                    "NLB target groups here use TCP health checks; path and matcher need an ALB",
                )
        elif ref.listener_port is not None:
            raise SpecError(
                (*at, "loadBalancer", "listenerPort"),
                "ALB services share the load balancer's listener; listenerPort is for NLBs",
            )
        self._check_deployment(at, svc, lb.type)
        azs = self.network.az_count
        if lb.existing is None and azs < 2 and lb.type == "application":
            raise SpecError(
                ("network", "availabilityZones"),
                f"an ALB needs subnets in at least 2 AZs, got {azs}",
            )

    def _check_deployment(self, at: tuple[str, ...], svc: ServiceSpec, lb_type: str) -> None:
        strategy = svc.deployment.strategy
        if strategy in ("CANARY", "LINEAR") and lb_type != "application":
            raise SpecError(
                (*at, "deployment", "strategy"),
                f"{strategy} shifts traffic by listener rule weights, which needs an ALB; "
                "use BLUE_GREEN or ROLLING behind an NLB",
            )
        no_cidr = self.network.cidr_block is None and self.network.vpc_cidr_block is None
        if strategy != "ROLLING" and lb_type == "application" and no_cidr:
            raise SpecError(
                ("network", "vpcCidrBlock"),
                f"{strategy} test traffic is admitted from inside the VPC only; give the "
                "existing VPC's CIDR",
            )
        scaling = svc.autoscaling
        by_requests = scaling is not None and scaling.requests_per_target is not None
        if by_requests and lb_type != "application":
            raise SpecError(
                (*at, "autoscaling", "requestsPerTarget"),
                "scales on ALB request counts; behind an NLB use cpuTarget or memoryTarget",
            )

    def _check_service_connect(self, name: str, svc: ServiceSpec) -> None:
        at = ("services", name)
        scaling = svc.autoscaling
        by_requests = scaling is not None and scaling.requests_per_target is not None
        if by_requests and svc.load_balancer is None:
            raise SpecError(
                (*at, "autoscaling", "requestsPerTarget"),
                "scales on ALB request counts; it needs loadBalancer",
            )
        connect = svc.service_connect
        if connect is None:
            return
        for i, callee in enumerate(connect.calls):
            target = self.services.get(callee)
            if callee == name:
                raise SpecError((*at, "serviceConnect", "calls", i), "a service cannot call itself")
            if target is None:
                raise SpecError(
                    (*at, "serviceConnect", "calls", i),
                    f"{callee!r} is not in services{suggest(callee, self.services)}; known: "
                    + ", ".join(sorted(self.services)),
                )
            if target.service_connect is None or not target.service_connect.expose:
                raise SpecError(
                    (*at, "serviceConnect", "calls", i),
                    f"services.{callee} does not expose a port through Service Connect; give it "
                    "serviceConnect: {} (and a containerPort)",
                )
        dns = {
            n: (s.service_connect.dns_name or n)
            for n, s in self.services.items()
            if s.service_connect is not None and s.service_connect.expose
        }
        mine = dns.get(name)
        for other, other_dns in dns.items():
            if other != name and mine is not None and other_dns == mine:
                raise SpecError(
                    (*at, "serviceConnect", "dnsName"),
                    f"{mine} is also the Service Connect name of services.{other}",
                )

    def _check_load_balancer(self, lb_name: str) -> None:
        lb, net = self.load_balancers[lb_name], self.network
        if lb.existing is not None or net.creates_vpc:
            return
        if lb.internal and lb.allowed_cidrs is None and net.vpc_cidr_block is None:
            raise SpecError(
                ("loadBalancers", lb_name, "allowedCidrs"),
                "an internal load balancer in an existing VPC needs allowedCidrs or "
                "network.vpcCidrBlock (who may connect)",
            )
        if not lb.internal and len(net.public_subnet_ids) < 2:
            raise SpecError(
                ("network", "publicSubnetIds"),
                f"the internet-facing load balancer {lb_name} needs public subnets in at least "
                "2 AZs",
            )

    def _check_listener(self, lb_name: str) -> None:
        lb = self.load_balancers[lb_name]
        users = {
            n: s
            for n, s in self.services.items()
            if s.load_balancer is not None and s.load_balancer.name == lb_name
        }
        if lb.type == "network":
            ports: dict[int, str] = {}
            for n, s in sorted(users.items()):
                assert s.load_balancer is not None and s.container_port is not None
                port = s.load_balancer.listener_port or s.container_port
                if port in ports:
                    raise SpecError(
                        ("services", n, "loadBalancer", "listenerPort"),
                        f"port {port} on {lb_name} is already taken by services.{ports[port]}",
                    )
                ports[port] = n
            return
        declared: dict[int, str] = {}
        conditions: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}
        for n, s in sorted(users.items()):
            assert s.load_balancer is not None
            ref = s.load_balancer
            key = (
                tuple(sorted(_paths(ref.path_patterns, ref.host_headers))),
                tuple(sorted(h.lower() for h in ref.host_headers)),
            )
            if key in conditions:
                raise SpecError(
                    ("services", n, "loadBalancer"),
                    f"same pathPatterns and hostHeaders as services.{conditions[key]} on "
                    f"{lb_name}; one of the two rules would never match",
                )
            conditions[key] = n
            if ref.priority is not None:
                if ref.priority in declared:
                    raise SpecError(
                        ("services", n, "loadBalancer", "priority"),
                        f"{ref.priority} is already used by services.{declared[ref.priority]} on "
                        f"{lb_name}; listener rule priorities are unique per listener",
                    )
                declared[ref.priority] = n
        if len(users) > 100:
            raise SpecError(
                ("loadBalancers", lb_name),
                f"{len(users)} services; an ALB listener holds at most 100 rules",
            )


def _paths(path_patterns: list[str], host_headers: list[str]) -> list[str]:
    """The effective path patterns of an ALB rule: none given and no host means everything."""
    return path_patterns or ([] if host_headers else ["/*"])


def _rule_priorities(services: Mapping[str, ServiceSpec]) -> dict[str, int]:
    """Listener rule priority per service: declared, else derived from specificity and name.

    Lower numbers are evaluated first, so specific rules get lower tiers: host and path, host
    only, deep paths, other paths, then catch-alls. Within a tier the number comes from a hash
    of the service name, so adding or removing another service never moves this one (unless two
    names collide in a tier; then the later name in sorted order takes the next free number).
    """
    taken = {s.load_balancer.priority for s in services.values() if s.load_balancer}
    taken.discard(None)
    out: dict[str, int] = {}
    for name, svc in sorted(services.items()):
        ref = svc.load_balancer
        assert ref is not None
        if ref.priority is not None:
            out[name] = ref.priority
            continue
        paths = _paths(ref.path_patterns, ref.host_headers)
        catch_all = all(p in ("/*", "/", "*") for p in paths)
        if ref.host_headers and paths and not catch_all:
            tier = 0
        elif ref.host_headers:
            tier = 1
        elif not catch_all and max(p.strip("/*").count("/") for p in paths) >= 1:
            tier = 2
        elif not catch_all:
            tier = 3
        else:
            tier = 4
        priority = tier * 10_000 + 1 + zlib.crc32(name.encode()) % 9_999
        while priority in taken:
            priority += 1
        taken.add(priority)
        out[name] = priority
    return out
