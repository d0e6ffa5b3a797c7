"""Monthly cost of a planned stack, per resource, from its captured inputs and offline/prices.yaml.

Each line is one priced resource (a service's Fargate tasks, a load balancer, a NAT gateway, an
address, a log group...) with its monthly USD at the baseline (desired count, Auto Scaling group
minimum) and, where autoscaling can move it, the range min..max. Usage the program cannot know
(NAT traffic, LCUs, log volume, Container Insights metric counts) comes from the stack's
`ecs-platform:assumptions`, and each line's `basis` says which figures it used. Prices a region
lacks are read from the fallback region, and the line says so.

Formulas: reference/deploy-time-and-cost.md section 4 (730 hours a month; Fargate per vCPU-hour
and GB-hour by architecture; Spot as a stated discount on the Spot share of the capacity
strategy; public IPv4 per address-hour, whether attached or idle).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from components.specs.assumptions import AssumptionsSpec
from components.specs.cluster import FARGATE_PROVIDERS

from .engine import Captured, Plan
from .prices import Price, PriceBook
from .topology import (
    ACTIVATION,
    CAPACITY_PROVIDER,
    CLUSTER,
    INSTANCE,
    LOAD_BALANCER,
    NAT_GATEWAY,
    VPC_ENDPOINT,
    Graph,
    ServiceView,
    services,
    split_tasks,
)

EIP = "aws:ec2/eip:Eip"
ASG = "aws:autoscaling/group:Group"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KMS_KEY = "aws:kms/key:Key"

FREE_EPHEMERAL_GB = 20  # Fargate includes 20 GB of ephemeral storage per task
DAYS_PER_MONTH = 30.4
DEFAULT_ROOT_VOLUME_GB = 8  # [est] an Amazon Linux 2023 AMI's root volume when none is given
DETAILED_MONITORING_METRICS = 7  # EC2 detailed monitoring: 7 metrics per instance, 1-minute

FALLBACK_NOTE = "the fallback region's price (none listed for this region; see basis)"
NOT_INCLUDED = [
    "data transfer out and cross-AZ traffic",
    "S3 storage and requests (load balancer access logs)",
    "WAF web ACLs and their rules (associated, not created, by this stack)",
    "ECR storage, Secrets Manager secrets, Route 53, Cloud Map",
    "Container Insights performance-log ingestion",
    "Savings Plans, reserved capacity and free tiers",
]


@dataclass(frozen=True)
class CostLine:
    urn: str
    item: str
    monthly_usd: float
    basis: str
    min_usd: float | None = None  # with autoscaling: the cost at the minimum...
    max_usd: float | None = None  # ...and at the maximum
    fallback: bool = False  # a price was read from the fallback region

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "urn": self.urn,
            "item": self.item,
            "monthlyUsd": round(self.monthly_usd, 2),
            "basis": self.basis,
        }
        if self.fallback:
            out["fallbackPrice"] = True
        if self.min_usd is not None and self.max_usd is not None:
            out["rangeUsd"] = [round(self.min_usd, 2), round(self.max_usd, 2)]
        return out


@dataclass
class CostReport:
    region: str
    lines: list[CostLine]
    warnings: list[str] = field(default_factory=list)

    @property
    def monthly_usd(self) -> float:
        return sum(line.monthly_usd for line in self.lines)

    @property
    def range_usd(self) -> tuple[float, float]:
        low = sum(line.monthly_usd if line.min_usd is None else line.min_usd for line in self.lines)
        high = sum(
            line.monthly_usd if line.max_usd is None else line.max_usd for line in self.lines
        )
        return low, high

    def to_json(self) -> dict[str, Any]:
        low, high = self.range_usd
        return {
            "monthlyUsd": round(self.monthly_usd, 2),
            "rangeUsd": [round(low, 2), round(high, 2)],
            "currency": "USD",
            "region": self.region,
            "lines": [line.to_json() for line in self.lines],
            "warnings": self.warnings,
            "notIncluded": NOT_INCLUDED,
        }


def estimate(plan: Plan) -> CostReport:
    """Cost lines for every priced resource of the plan, in a stable order."""
    return Estimator(plan).report()


class Estimator:
    def __init__(self, plan: Plan) -> None:
        self.graph = Graph(plan.resources)
        self.prices = PriceBook(plan.region)
        self.a: AssumptionsSpec = plan.config.assumptions
        self.external = plan.config.cluster.external
        self.lines: list[CostLine] = []
        self.hours = self.prices.hours_per_month
        self._fallback_used = False  # a price of the line being built came from another region

    def report(self) -> CostReport:
        views = services(self.graph)
        for view in views:
            self._service(view)
        for asg in self.graph.of_type(ASG):
            self._asg(asg)
        for lb in self.graph.of_type(LOAD_BALANCER):
            self._load_balancer(lb)
        nats = self.graph.of_type(NAT_GATEWAY)
        for nat in nats:
            self._nat_gateway(nat, len(nats))
        for eip in self.graph.of_type(EIP):
            self._ipv4(eip, 1, f"Elastic IP {eip.name}")
        for instance in self.graph.of_type(INSTANCE):
            self._instance(instance)
        for endpoint in self.graph.of_type(VPC_ENDPOINT):
            self._endpoint(endpoint)
        log_groups_of_services = {
            _log_group(c) for v in views for c in v.containers if _log_group(c) is not None
        }
        for group in self.graph.of_type(LOG_GROUP):
            self._log_group(group, group.inputs.get("name") in log_groups_of_services)
        for cluster in self.graph.of_type(CLUSTER):
            self._container_insights(cluster, views)
        for activation in self.graph.of_type(ACTIVATION):
            self._external_instances(activation)
        for key in self.graph.of_type(KMS_KEY):
            price = self._price("kms", "keyMonth")
            self._add(key, "KMS customer managed key", price.usd, price.describe())
        warnings = list(self.prices.warnings) + self._managed_instances(views)
        return CostReport(self.prices.region, self.lines, warnings)

    def _managed_instances(self, views: list[ServiceView]) -> list[str]:
        """ECS Managed Instances: the instances ECS would launch for the tasks placed there.

        ECS picks the types within the provider's attribute ranges; the estimate takes the
        cheapest type in prices.yaml that fits the largest task, packs the tasks by total vCPU
        and memory, and adds the root volumes. The management fee is not in prices.yaml.
        """
        warnings: list[str] = []
        placed = [v for v in views if v.managed_instances and v.task_definition is not None]
        for provider in self.graph.of_type(CAPACITY_PROVIDER):
            managed = provider.inputs.get("managedInstancesProvider")
            if not managed:
                continue
            template = managed.get("instanceLaunchTemplate") or {}
            needs = template.get("instanceRequirements") or {}
            vcpu, mem = needs.get("vcpuCount") or {}, needs.get("memoryMib") or {}
            option = template.get("capacityOptionType", "ON_DEMAND")
            ranges = (
                f"{vcpu.get('min')}-{vcpu.get('max', 'any')} vCPU, "
                f"{mem.get('min')}-{mem.get('max', 'any')} MiB, {option}"
            )
            tasks = [_task_shape(v) for v in placed]
            counts = [v.counts() for v in placed]
            choice = self._instance_for(tasks, vcpu, mem)
            if choice is None:
                warnings.append(
                    f"ECS Managed Instances capacity {provider.name} is not priced: no EC2 "
                    f"type in offline/prices.yaml fits its tasks within {ranges}"
                )
                continue
            name, spec, hourly = choice
            storage = float((template.get("storageConfiguration") or {}).get("storageSizeGib", 0))
            ebs = self._price("ebs", "gp3GbMonth")
            per_instance = hourly.usd * self.hours + ebs.usd * storage

            n, low, high = (_instances_needed(tasks, counts, at, spec) for at in range(3))
            basis = (
                f"ECS picks the types ({ranges}); estimated as the cheapest fitting type in "
                f"prices.yaml, {name} ({spec['vcpu']} vCPU, {spec['memoryGib']} GiB) at "
                f"{hourly.describe()}, tasks packed by total vCPU and memory; "
                f"{storage:g} GB gp3 each at {ebs.describe()}; the Managed Instances "
                "management fee per instance-hour is not included"
                + ("; Spot priced at on-demand (Spot prices vary)" if option == "SPOT" else "")
            )
            self._add(
                provider,
                f"ECS Managed Instances {provider.name}: {n} x {name} [est]",
                n * per_instance,
                basis,
                *((low * per_instance, high * per_instance) if (low, high) != (n, n) else ()),
            )
        return warnings

    def _instance_for(
        self, tasks: list[tuple[float, float, str]], vcpu: dict[str, Any], mem: dict[str, Any]
    ) -> tuple[str, dict[str, Any], Price] | None:
        """The cheapest priced type within the ranges that holds the largest task."""
        if not tasks:
            return None
        arch = tasks[0][2]
        need_cpu, need_gib = max(t[0] for t in tasks), max(t[1] for t in tasks)
        best: tuple[str, dict[str, Any], Price] | None = None
        for name, spec in sorted(self.prices.instance_types.items()):
            gib, cores = float(spec["memoryGib"]), float(spec["vcpu"])
            if spec["arch"] != arch or cores < need_cpu or gib < need_gib:
                continue
            if not float(vcpu.get("min", 0)) <= cores <= float(vcpu.get("max", cores)):
                continue
            mib = gib * 1024
            if not float(mem.get("min", 0)) <= mib <= float(mem.get("max", mib)):
                continue
            if not self.prices.has("ec2", name):
                continue
            price = self.prices.get("ec2", name)
            if best is None or price.usd < best[2].usd:
                best = (name, spec, price)
        if best is not None:
            self._fallback_used = self._fallback_used or best[2].fallback
        return best

    # -- helpers ------------------------------------------------------------------------------

    def _add(
        self,
        r: Captured,
        item: str,
        usd: float,
        basis: str,
        low: float | None = None,
        high: float | None = None,
    ) -> None:
        self.lines.append(CostLine(r.urn, item, usd, basis, low, high, self._fallback_used))
        self._fallback_used = False

    def _price(self, group: str, item: str) -> Price:
        price = self.prices.get(group, item)
        self._fallback_used = self._fallback_used or price.fallback
        return price

    def _hourly(self, group: str, item: str, quantity: float) -> tuple[float, str]:
        price = self._price(group, item)
        return self.prices.monthly(price, quantity), price.describe()

    # -- ECS services ---------------------------------------------------------------------------

    def _service(self, view: ServiceView) -> None:
        td = view.task_definition
        if td is None:
            return
        vcpu = int(td.inputs.get("cpu", 0)) / 1024
        gb = int(td.inputs.get("memory", 0)) / 1024
        arch = (td.inputs.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
        per_task, basis = self._fargate_task_hour(vcpu, gb, arch)
        counts = view.counts()
        week = view.weekly()
        shares = split_tasks(view.strategy, view.desired_count)
        mix = ", ".join(f"{n:g} {p}" for p, n in shares.items() if n)
        shape = f"{vcpu:g} vCPU / {gb:g} GB" + ("" if view.external else f" {arch}")
        item = f"{view.name}: {view.desired_count} x {shape} task"
        note = f"{basis}; {mix or 'no tasks'} ({view.strategy_source} strategy)"
        discount = 0.0
        if any(s.provider == "FARGATE_SPOT" for s in view.strategy):
            spot = self._price("fargate", "spotDiscount")
            discount = spot.usd
            note += f"; Spot at {spot.usd:.0%} off ({spot.note})"
        costs = [self._fargate_month(view, n, per_task, discount) for n in counts]
        if view.external:
            note += "; runs on the team's own servers, billed per registered server (ECS Anywhere)"
            item += " on external instances"
        elif view.managed_instances:
            note += "; priced with the Managed Instances capacity they run on"
            item += " on Managed Instances"
        elif not view.fargate:
            note += "; EC2 tasks are priced with their Auto Scaling group"
            item += " on EC2 capacity"
        low, high = (costs[1], costs[2]) if view.count_range else (None, None)
        if view.count_range:
            scheduled = ", on a schedule" if week is not None else ""
            item += f" (autoscaling {view.count_range[0]}..{view.count_range[1]}{scheduled})"
            if week is not None:
                note += (
                    f"; {week.describe()}: {week.baseline:.2f} tasks on average (desired count "
                    "held within the min..max in force)"
                )
            elif view.scheduled_actions:
                note += "; scheduled actions not modelled (not a weekly cron): desired count"
        self._add(view.service, item, costs[0], note, low, high)

        storage = (td.inputs.get("ephemeralStorage") or {}).get("sizeInGib")
        if storage and int(storage) > FREE_EPHEMERAL_GB:
            extra = int(storage) - FREE_EPHEMERAL_GB
            price = self._price("fargate", "ephemeralGbHour")
            per_task_month = self.prices.monthly(price, extra)
            fargate = [self._fargate_tasks(view, n) for n in counts]
            self._add(
                td,
                f"{view.name}: ephemeral storage {extra} GB above the free 20 GB per task",
                per_task_month * fargate[0],
                f"{price.describe()} x {fargate[0]:.3g} Fargate tasks",
                *(
                    (per_task_month * fargate[1], per_task_month * fargate[2])
                    if view.count_range
                    else ()
                ),
            )

        if view.service.inputs.get("networkConfiguration", {}).get("assignPublicIp"):
            price = self._price("ipv4", "addressHour")
            per_ip = self.prices.monthly(price, 1)
            fargate = [self._fargate_tasks(view, n) for n in counts]
            self._add(
                view.service,
                f"{view.name}: public IPv4 per task (assignPublicIp)",
                per_ip * fargate[0],
                f"{price.describe()} x {fargate[0]:.3g} tasks",
                *((per_ip * fargate[1], per_ip * fargate[2]) if view.count_range else ()),
            )

    def _fargate_task_hour(self, vcpu: float, gb: float, arch: str) -> tuple[float, str]:
        cpu_price = self._price("fargate", f"vcpuHour{arch}")
        mem_price = self._price("fargate", f"gbHour{arch}")
        hourly = vcpu * cpu_price.usd + gb * mem_price.usd
        return hourly, f"{cpu_price.describe()} + {mem_price.describe()}"

    def _fargate_tasks(self, view: ServiceView, tasks: float) -> float:
        shares = split_tasks(view.strategy, tasks)
        return sum(n for p, n in shares.items() if p in FARGATE_PROVIDERS)

    def _fargate_month(
        self, view: ServiceView, tasks: float, hourly: float, discount: float
    ) -> float:
        shares = split_tasks(view.strategy, tasks)
        on_demand = shares.get("FARGATE", 0.0)
        spot = shares.get("FARGATE_SPOT", 0.0)
        return (on_demand + spot * (1 - discount)) * hourly * self.hours

    # -- ECS Anywhere -----------------------------------------------------------------------

    def _external_instances(self, activation: Captured) -> None:
        """ECS Anywhere bills each registered server by the hour; the activation registers
        them. Assumed: cluster.external.instances servers registered all month."""
        limit = int(activation.inputs.get("registrationLimit") or 1)
        servers = self.external.instances if self.external is not None else limit
        usd, basis = self._hourly("ecsAnywhere", "instanceHour", servers)
        self._add(
            activation,
            f"ECS Anywhere: {servers} registered server(s)",
            usd,
            f"{basis} x {servers} (cluster.external.instances, registered all month; the "
            f"activation allows {limit}); the servers themselves are yours",
        )

    # -- EC2 ------------------------------------------------------------------------------------

    def _asg(self, asg: Captured) -> None:
        templates = self.graph.deps(asg, LAUNCH_TEMPLATE)
        if not templates:
            return
        lt = templates[0].inputs
        instance_type = str(lt.get("instanceType", ""))
        low, high = int(asg.inputs.get("minSize", 0)), int(asg.inputs.get("maxSize", 0))
        per_instance, basis = self._hourly("ec2", instance_type, 1)
        volume_gb = sum(
            int((m.get("ebs") or {}).get("volumeSize", DEFAULT_ROOT_VOLUME_GB))
            for m in lt.get("blockDeviceMappings") or []
        )
        if volume_gb:
            ebs = self._price("ebs", "gp3GbMonth")
            per_instance += ebs.usd * volume_gb
            basis += f"; {volume_gb} GB gp3 at {ebs.describe()}"
        if (lt.get("monitoring") or {}).get("enabled"):
            metric = self._price("cloudwatch", "metricMonth")
            per_instance += metric.usd * DETAILED_MONITORING_METRICS
            basis += (
                f"; detailed monitoring {DETAILED_MONITORING_METRICS} metrics at "
                f"{metric.describe()}"
            )
        self._add(
            asg,
            f"EC2 capacity: {low} x {instance_type} (Auto Scaling {low}..{high})",
            per_instance * low,
            basis + "; baseline is the group's minimum size",
            per_instance * low,
            per_instance * high,
        )

    def _instance(self, instance: Captured) -> None:
        instance_type = str(instance.inputs.get("instanceType", ""))
        usd, basis = self._hourly("ec2", instance_type, 1)
        root = instance.inputs.get("rootBlockDevice") or {}
        volume_gb = int(root.get("volumeSize", DEFAULT_ROOT_VOLUME_GB))
        ebs = self._price("ebs", "gp3GbMonth")
        usd += ebs.usd * volume_gb
        basis += f"; {volume_gb} GB gp3 root at {ebs.describe()}"
        self._add(instance, f"EC2 instance {instance.name} ({instance_type})", usd, basis)
        if instance.inputs.get("associatePublicIpAddress"):
            self._ipv4(instance, 1, f"public IPv4 of instance {instance.name}")

    # -- networking -----------------------------------------------------------------------------

    def _load_balancer(self, lb: Captured) -> None:
        kind = lb.inputs.get("loadBalancerType", "application")
        network = kind == "network"
        hour_usd, hour_basis = self._hourly("elb", "nlbHour" if network else "albHour", 1)
        units = self.a.load_balancer_capacity_units
        unit_name = "NLCU" if network else "LCU"
        unit_usd, unit_basis = self._hourly("elb", "nlcuHour" if network else "lcuHour", units)
        label = "NLB" if network else "ALB"
        scope = "internal" if lb.inputs.get("internal") else "internet-facing"
        self._add(
            lb,
            f"{label} {self.graph.display_name(lb)} ({scope}), {units:g} {unit_name} baseline",
            hour_usd + unit_usd,
            f"{hour_basis}; {units:g} {unit_name} at {unit_basis} "
            "(assumptions.loadBalancerCapacityUnits)",
        )
        # dualstack-without-public-ipv4: the ALB has public IPv6 addresses only (ELB API
        # reference, CreateLoadBalancer IpAddressType), so no public IPv4 charge.
        public_ipv4 = lb.inputs.get("ipAddressType") != "dualstack-without-public-ipv4"
        if not lb.inputs.get("internal") and public_ipv4:
            zones = len(lb.inputs.get("subnets") or lb.inputs.get("subnetMappings") or [])
            self._ipv4(lb, zones, f"{label} {self.graph.display_name(lb)}: one public IPv4 per AZ")

    def _ipv4(self, r: Captured, count: int, item: str) -> None:
        if count <= 0:
            return
        price = self._price("ipv4", "addressHour")
        usd = self.prices.monthly(price, count)
        self._add(
            r, f"{item} ({count})" if count > 1 else item, usd, f"{price.describe()} x {count}"
        )

    def _nat_gateway(self, nat: Captured, gateways: int) -> None:
        hour_usd, hour_basis = self._hourly("nat", "gatewayHour", 1)
        gb = self.a.nat_data_processed_gb_per_month / gateways
        data = self._price("nat", "dataGb")
        self._add(
            nat,
            f"NAT gateway {nat.name}, {gb:.3g} GB processed",
            hour_usd + data.usd * gb,
            f"{hour_basis}; {gb:.3g} GB at {data.describe()} "
            f"(assumptions.natDataProcessedGbPerMonth split over {gateways})",
        )

    def _endpoint(self, endpoint: Captured) -> None:
        if endpoint.inputs.get("vpcEndpointType", "Gateway") != "Interface":
            return  # gateway endpoints (S3, DynamoDB) are free
        zones = len(endpoint.inputs.get("subnetIds") or [])
        hour_usd, hour_basis = self._hourly("vpce", "interfaceAzHour", zones)
        gb = self.a.interface_endpoint_data_gb_per_month
        data = self._price("vpce", "dataGb")
        # com.amazonaws.<region>.<service>; the service part may hold dots (ecr.api).
        service = str(endpoint.inputs.get("serviceName", endpoint.name)).split(".", 3)[-1]
        self._add(
            endpoint,
            f"interface endpoint {service} in {zones} AZs, {gb:g} GB",
            hour_usd + data.usd * gb,
            f"{hour_basis} x {zones} AZs; {gb:g} GB at {data.describe()} "
            "(assumptions.interfaceEndpointDataGbPerMonth)",
        )

    # -- observability --------------------------------------------------------------------------

    def _log_group(self, group: Captured, of_service: bool) -> None:
        if of_service:
            gb, key = self.a.service_log_ingested_gb_per_month, "serviceLogIngestedGbPerMonth"
        else:
            gb, key = self.a.other_log_ingested_gb_per_month, "otherLogIngestedGbPerMonth"
        ingest = self._price("logs", "ingestGb")
        storage = self._price("logs", "storageGbMonth")
        retention = group.inputs.get("retentionInDays")
        if retention:
            months = min(int(retention) / DAYS_PER_MONTH, self.a.log_storage_months_if_never_expire)
            kept = f"{int(retention)} days kept"
        else:
            months = self.a.log_storage_months_if_never_expire
            kept = f"never expires, priced as {months} months kept"
        stored = gb * months
        self._add(
            group,
            f"log group {group.inputs.get('name', group.name)}: {gb:g} GB/month",
            gb * ingest.usd + stored * storage.usd,
            f"{gb:g} GB at {ingest.describe()} (assumptions.{key}); {stored:.3g} GB stored "
            f"({kept}) at {storage.describe()}",
        )

    def _container_insights(self, cluster: Captured, views: list[ServiceView]) -> None:
        settings = {s.get("name"): s.get("value") for s in cluster.inputs.get("settings") or []}
        mode = settings.get("containerInsights", "disabled")
        if mode not in ("enabled", "enhanced"):
            return
        metric = self._price("cloudwatch", "metricMonth")
        count = self.a.container_insights_metrics_per_cluster + (
            self.a.container_insights_metrics_per_service * len(views)
        )
        usd = count * metric.usd
        basis = (
            f"{count} metrics ({self.a.container_insights_metrics_per_cluster} cluster + "
            f"{self.a.container_insights_metrics_per_service} x {len(views)} services, "
            f"assumptions.containerInsightsMetricsPer*) at {metric.describe()}"
        )
        low = high = None
        if mode == "enhanced":
            per_task = self._price("cloudwatch", "enhancedMetricMonth")
            unit = self.a.container_insights_metrics_per_task * per_task.usd
            tasks = sum(v.desired_count for v in views)
            usd += unit * tasks
            basis += (
                f"; enhanced: {self.a.container_insights_metrics_per_task} metrics x {tasks} "
                f"tasks at {per_task.describe()}"
            )
            if any(v.count_range for v in views):
                low_tasks = sum(
                    v.count_range[0] if v.count_range else v.desired_count for v in views
                )
                high_tasks = sum(
                    v.count_range[1] if v.count_range else v.desired_count for v in views
                )
                low, high = (
                    count * metric.usd + unit * low_tasks,
                    count * metric.usd + unit * high_tasks,
                )
        self._add(cluster, f"Container Insights ({mode})", usd, basis, low, high)


def _instances_needed(
    tasks: list[tuple[float, float, str]],
    counts: list[tuple[float, float, float]],
    at: int,
    spec: dict[str, Any],
) -> int:
    """Instances of `spec` that hold the tasks (counts[i][at] of each), by vCPU and by memory."""
    need_cpu = sum(t[0] * c[at] for t, c in zip(tasks, counts, strict=True))
    need_mem = sum(t[1] * c[at] for t, c in zip(tasks, counts, strict=True))
    return max(
        math.ceil(need_cpu / float(spec["vcpu"]) - 1e-9),
        math.ceil(need_mem / float(spec["memoryGib"]) - 1e-9),
    )


def _task_shape(view: ServiceView) -> tuple[float, float, str]:
    """(vCPU, GiB, CPU architecture) of a service's task."""
    assert view.task_definition is not None
    td = view.task_definition.inputs
    arch = (td.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
    return int(td.get("cpu", 0)) / 1024, int(td.get("memory", 0)) / 1024, arch


def _log_group(container: dict[str, Any]) -> str | None:
    options = (container.get("logConfiguration") or {}).get("options") or {}
    group = options.get("awslogs-group")
    return str(group) if group else None


def render(report: CostReport) -> list[str]:
    """The report's cost table: one row per line, total, range, warnings."""
    lines = [f"Cost per month (USD, {report.region}, 730 h; prices: offline/prices.yaml):"]
    width = max((len(line.item) for line in report.lines), default=10)
    width = min(width, 78)
    for line in sorted(report.lines, key=lambda c: -c.monthly_usd):
        span = (
            f"  ({line.min_usd:.2f}..{line.max_usd:.2f})"
            if line.min_usd is not None and line.max_usd is not None
            else ""
        )
        mark = " *" if line.fallback else ""
        lines.append(f"  {line.item[:width]:<{width}}  {line.monthly_usd:>9.2f}{span}{mark}")
    low, high = report.range_usd
    total = f"  {'total':<{width}}  {report.monthly_usd:>9.2f}"
    if (low, high) != (report.monthly_usd, report.monthly_usd):
        total += f"  ({low:.2f}..{high:.2f} with autoscaling)"
    lines.append(total)
    if any(line.fallback for line in report.lines):
        lines.append(f"  * priced with {FALLBACK_NOTE}")
    for warning in report.warnings:
        lines.append(f"  warning: {warning}")
    lines.append("  not included: " + "; ".join(NOT_INCLUDED))
    return lines
