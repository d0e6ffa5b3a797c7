"""Monthly cost of the same workloads on EKS: on Fargate, and on managed node groups.

What changes from the ECS plan is re-priced here with the repository's price book
(offline/prices.yaml) and offline/eks/data.yaml; everything else is carried over from the ECS
plan's own cost lines (NAT, VPC endpoints, log groups, KMS keys, alarms...), so the totals
differ only where the platforms differ:

- the EKS control plane, $0.10 per cluster-hour (standard support);
- compute: Fargate pods at their rounded Fargate size, x86 prices, no Spot (offline/eks/fargate.py);
  or the node groups of offline/eks/capacity.py with their 20 GiB root volumes, Spot nodes at
  the book's Spot discount;
- the cluster's own pods (CoreDNS, the AWS Load Balancer Controller): Fargate pods, or room on
  the nodes;
- load balancers: one ALB per ECS load balancer that has an Ingress (same ALB pricing), one NLB
  per Service of type LoadBalancer; public IPv4 per AZ for internet-facing ones;
- networking: Fargate pods run only in private subnets, so a NAT-less stack gets one NAT gateway
  on Fargate; nodes in a NAT-less stack run in the public subnets with a public IPv4 each.

ECS lines re-priced (not carried): the ECS services' tasks and task IPv4 addresses, ephemeral
storage, EC2 and Managed Instances capacity, load balancers. Carried with a mark (not re-modelled
for EKS): Container Insights, and the ECS Anywhere fee of EXTERNAL services (EKS Hybrid Nodes
bill differently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine import Plan
from ..prices import PriceBook
from ..topology import CAPACITY_PROVIDER, CLUSTER, LOAD_BALANCER, SERVICE, TASK_DEFINITION
from . import data
from .capacity import Group
from .fargate import pod_size
from .workloads import Workload

REPLACED = {
    SERVICE,
    TASK_DEFINITION,
    LOAD_BALANCER,
    CAPACITY_PROVIDER,
    "aws:autoscaling/group:Group",
}
NOT_REMODELLED = {
    CLUSTER: "carried at the ECS figure: EKS Container Insights bills differently (not modelled)",
    "aws:ssm/activation:Activation": "carried at the ECS Anywhere fee: EKS Hybrid Nodes bill "
    "per vCPU-hour (not modelled)",
}


@dataclass(frozen=True)
class Line:
    item: str
    monthly_usd: float
    basis: str
    low_usd: float | None = None
    high_usd: float | None = None
    carried: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "item": self.item,
            "monthlyUsd": round(self.monthly_usd, 2),
            "basis": self.basis,
        }
        if self.low_usd is not None and self.high_usd is not None:
            out["rangeUsd"] = [round(self.low_usd, 2), round(self.high_usd, 2)]
        if self.carried:
            out["carriedFromEcs"] = True
        return out


def ranged(item: str, usd: tuple[float, float, float], basis: str) -> Line:
    """A line whose low and high figures are kept only when autoscaling moves them."""
    base, low, high = usd
    if (low, high) == (base, base):
        return Line(item, base, basis)
    return Line(item, base, basis, low, high)


@dataclass
class VariantCost:
    variant: str
    lines: list[Line] = field(default_factory=list)

    @property
    def monthly_usd(self) -> float:
        return sum(line.monthly_usd for line in self.lines)

    @property
    def range_usd(self) -> tuple[float, float]:
        low = sum(x.monthly_usd if x.low_usd is None else x.low_usd for x in self.lines)
        high = sum(x.monthly_usd if x.high_usd is None else x.high_usd for x in self.lines)
        return low, high

    def to_json(self) -> dict[str, Any]:
        low, high = self.range_usd
        return {
            "monthlyUsd": round(self.monthly_usd, 2),
            "rangeUsd": [round(low, 2), round(high, 2)],
            "lines": [line.to_json() for line in self.lines],
        }


def carried(plan: Plan, ecs_cost: dict[str, Any]) -> list[Line]:
    """The ECS plan's cost lines that EKS leaves unchanged (by the type of the priced resource)."""
    types = {r.urn: r.type for r in plan.resources}
    out = []
    for line in ecs_cost.get("lines", []):
        kind = types.get(line.get("urn", ""), "")
        if kind in REPLACED:
            continue
        note = NOT_REMODELLED.get(kind, "carried from the ECS plan unchanged")
        low, high = line.get("rangeUsd") or (None, None)
        out.append(Line(line["item"], float(line["monthlyUsd"]), f"{note}; {line['basis']}",
                        low, high, carried=True))  # fmt: skip
    return out


class Pricer:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.config = plan.config
        self.book = PriceBook(plan.region)
        self.hours = self.book.hours_per_month
        self.zones = self.config.network.az_count
        self.nat_less = self.config.network.creates_vpc and (
            self.config.network.nat_gateways == "none"
        )

    def month(self, group: str, item: str, quantity: float = 1.0) -> tuple[float, str]:
        price = self.book.get(group, item)
        return self.book.monthly(price, quantity), price.describe()

    # -- shared by both variants ---------------------------------------------------------------

    def control_plane(self) -> Line:
        std, ext = data.price("controlPlaneHour"), data.price("extendedSupportHour")
        return Line(
            f"EKS control plane (Kubernetes {data.kubernetes_version()}, standard support)",
            std.value * self.hours,
            f"${std.value:g}/{std.unit} x {self.hours:g} h ({std.source}); in extended support "
            f"${ext.value:g}/{ext.unit} = ${ext.value * self.hours:.2f}/month",
        )

    def load_balancers(self, workloads: list[Workload]) -> list[Line]:
        units = self.config.assumptions.load_balancer_capacity_units
        lines = []
        for name, lb in self.config.load_balancers.items():
            users = [w for w in workloads if w.load_balancer_name == name]
            if lb.existing is not None or not users:
                continue
            network = lb.type == "network"
            count = len(users) if network else 1
            hour_usd, hour_basis = self.month("elb", "nlbHour" if network else "albHour", count)
            unit_usd, unit_basis = self.month("elb", "nlcuHour" if network else "lcuHour", units)
            label = "NLB" if network else "ALB"
            how = (
                f"one NLB per Service of type LoadBalancer ({', '.join(w.name for w in users)})"
                if network
                else f"one ALB for the IngressGroup {name}"
            )
            lines.append(Line(
                f"{label} {name} via the AWS Load Balancer Controller ({count} x {label})",
                hour_usd + unit_usd,
                f"{how}; {count} x {hour_basis}; {units:g} capacity units in total at "
                f"{unit_basis} (assumptions.loadBalancerCapacityUnits)",
            ))  # fmt: skip
            if not lb.internal:
                usd, basis = self.month("ipv4", "addressHour", count * self.zones)
                lines.append(Line(f"{label} {name}: public IPv4 per AZ ({count * self.zones})",
                                  usd, f"{basis} x {count} x {self.zones} AZs"))  # fmt: skip
        return lines

    # -- Fargate ---------------------------------------------------------------------------

    def fargate_pod_hour(self, cpu_milli: int, memory_mib: int) -> tuple[float, str]:
        size = pod_size(cpu_milli, memory_mib)
        cpu = self.book.get("fargate", "vcpuHourX86_64")
        mem = self.book.get("fargate", "gbHourX86_64")
        hourly = size.vcpu * cpu.usd + size.memory_gb * mem.usd
        return hourly, f"{size.describe()} at {cpu.describe()} + {mem.describe()}"

    def fargate(self, workloads: list[Workload]) -> list[Line]:
        lines = []
        for w in workloads:
            if w.kind == "scheduled" or w.external:
                continue
            hourly, basis = self.fargate_pod_hour(w.request_milli, w.request_mib)
            usd = (hourly * w.counts[0] * self.hours, hourly * w.counts[1] * self.hours,
                   hourly * w.counts[2] * self.hours)  # fmt: skip
            notes = [basis, f"{w.counts[0]:.3g} pods (the ECS plan's count)"]
            if w.arch == "ARM64":
                notes.append("ARM64 on ECS; EKS Fargate runs x86 only (x86 prices)")
            if w.spot_share:
                notes.append(f"{w.spot_share:.0%} on Spot on ECS; EKS has no Fargate Spot")
            lines.append(ranged(f"{w.name}: Fargate pods", usd, "; ".join(notes)))
        for sp in data.system_pods():
            hourly, basis = self.fargate_pod_hour(sp.cpu_milli, sp.memory_mib)
            lines.append(Line(f"{sp.name}: {sp.replicas} Fargate pods (cluster add-on)",
                              hourly * sp.replicas * self.hours,
                              f"{basis}; {sp.replicas} replicas ({sp.source})"))  # fmt: skip
        if self.nat_less:
            hour_usd, hour_basis = self.month("nat", "gatewayHour")
            gb = self.config.assumptions.nat_data_processed_gb_per_month
            data_price = self.book.get("nat", "dataGb")
            ip_usd, ip_basis = self.month("ipv4", "addressHour")
            lines.append(Line(
                "NAT gateway for the Fargate pods' private subnets (the stack has none)",
                hour_usd + data_price.usd * gb + ip_usd,
                f"EKS Fargate pods run only in private subnets; {hour_basis}; {gb:g} GB at "
                f"{data_price.describe()}; its Elastic IP at {ip_basis}",
            ))  # fmt: skip
        return lines

    # -- managed nodes ---------------------------------------------------------------------

    def nodes(self, found: list[Group]) -> list[Line]:
        spot = self.book.get("fargate", "spotDiscount")
        ebs = self.book.get("ebs", "gp3GbMonth")
        root = int(data.nodes()["rootVolumeGib"]["value"])
        lines = []
        for g in found:
            node = g.choice.shape
            price = self.book.get("ec2", node.instance_type)
            discount = spot.usd if g.capacity == "SPOT" else 0.0
            per_node = price.usd * (1 - discount) * self.hours + ebs.usd * root
            basis = (
                f"{node.instance_type} at {price.describe()}"
                + (f", Spot at the book's {spot.usd:.0%} Spot discount" if discount else "")
                + f"; {root} GiB root volume at {ebs.describe()}; per node {node.max_pods} pods "
                f"max, {node.allocatable_milli}m CPU and {node.allocatable_mib} MiB allocatable; "
                f"{g.pods} pods packed over {self.zones} AZ(s)"
            )
            usd = (g.counts[0] * per_node, g.counts[1] * per_node, g.counts[2] * per_node)
            item = f"node group {g.name}: {g.counts[0]} x {node.instance_type}"
            lines.append(ranged(item, usd, basis))
            if self.nat_less:
                ip_usd, ip_basis = self.month("ipv4", "addressHour", g.counts[0])
                lines.append(
                    Line(
                        f"node group {g.name}: public IPv4 per node ({g.counts[0]})",
                        ip_usd,
                        f"nodes in the public subnets as the ECS tasks are (no NAT); {ip_basis}",
                    )
                )
        return lines


def estimate(
    plan: Plan,
    workloads: list[Workload],
    found: list[Group],
    ecs_cost: dict[str, Any],
) -> dict[str, VariantCost]:
    pricer = Pricer(plan)
    common = [pricer.control_plane(), *pricer.load_balancers(workloads)]
    kept = carried(plan, ecs_cost)
    return {
        "fargate": VariantCost("fargate", [*common, *pricer.fargate(workloads), *kept]),
        "nodes": VariantCost("nodes", [*common, *pricer.nodes(found), *kept]),
    }
