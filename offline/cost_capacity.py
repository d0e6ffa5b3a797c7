"""Priced family: EC2 hosts. An Auto Scaling group capacity provider sized the way ECS places
its tasks (spread over AZs, binpack, managed scaling's targetCapacity; offline/placement.py),
ECS Managed Instances (the cheapest type attribute-based selection allows, burstable types
excluded unless asked, plus the management fee), and single EC2 instances (a NAT instance).
Each instance adds its gp3 root volume; detailed monitoring adds its per-instance metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .cost_compute import task_shape
from .cost_lines import Ledger
from .cost_network import ipv4
from .engine import Captured
from .placement import Tasks, fits, hosts_needed, managed_scaling_size
from .prices import InstanceType
from .topology import CAPACITY_PROVIDER, INSTANCE, ServiceView, split_tasks

ASG = "aws:autoscaling/group:Group"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
DEFAULT_ROOT_VOLUME_GB = 8  # [est] an Amazon Linux 2023 AMI's root volume when none is given
DETAILED_MONITORING_METRICS = 7  # EC2 detailed monitoring: 7 metrics per instance, 1-minute


@dataclass(frozen=True)
class Fleet:
    """Hosts for the tasks at the baseline, the autoscaling minimum and maximum."""

    host: InstanceType
    counts: tuple[int, int, int]
    busy: int  # hosts the baseline tasks occupy before managed scaling's spare
    zones: int


def price_capacity(ledger: Ledger) -> None:
    views = ledger.views
    for asg in ledger.graph.of_type(ASG):
        _asg(ledger, asg, views)
    for provider in ledger.graph.of_type(CAPACITY_PROVIDER):
        if provider.inputs.get("managedInstancesProvider"):
            _managed(ledger, provider, views)
    for instance in ledger.graph.of_type(INSTANCE):
        _instance(ledger, instance)


def task_groups(
    views: list[ServiceView], which: Callable[[ServiceView], bool], at: int
) -> list[Tasks]:
    """Tasks of the matching services placed on non-Fargate capacity, at counts()[at]."""
    out = []
    for view in views:
        if view.task_definition is None or view.fargate or view.external or not which(view):
            continue
        vcpu, gb, _ = task_shape(view.task_definition)
        shares = split_tasks(view.strategy, view.counts()[at])
        placed = sum(n for p, n in shares.items() if p == "EC2")
        out.append(Tasks(view.name, vcpu, gb, int(-(-placed // 1))))  # whole tasks
    return out


def asg_fleet(ledger: Ledger, asg: Captured, views: list[ServiceView]) -> Fleet | None:
    templates = ledger.graph.deps(asg, LAUNCH_TEMPLATE)
    if not templates:
        return None
    name = str(templates[0].inputs.get("instanceType", ""))
    host = ledger.prices.instance_types.get(name)
    if host is None:
        return None
    providers = ledger.graph.dependents(asg, CAPACITY_PROVIDER)
    scaling = (
        (providers[0].inputs.get("autoScalingGroupProvider") or {}).get("managedScaling")
        if providers
        else None
    )
    target = int((scaling or {}).get("targetCapacity", 100))
    low, high = int(asg.inputs.get("minSize", 0)), int(asg.inputs.get("maxSize", 0))
    zones = len(asg.inputs.get("vpcZoneIdentifiers") or []) or 1

    def on_ec2(view: ServiceView) -> bool:
        return not view.managed_instances

    busy = [hosts_needed(task_groups(views, on_ec2, at), host, zones) for at in range(3)]
    counts = tuple(managed_scaling_size(b, target, low, high) for b in busy)
    return Fleet(host, (counts[0], counts[1], counts[2]), busy[0], zones)


def _host_month(
    ledger: Ledger, type_name: str, volume_gb: float, detailed: bool
) -> tuple[float, str]:
    per, basis = ledger.hourly("ec2", type_name, 1)
    if volume_gb:
        ebs = ledger.price("ebs", "gp3GbMonth")
        per += ebs.usd * volume_gb
        basis += f"; {volume_gb:g} GB gp3 at {ebs.describe()}"
    if detailed:
        metric = ledger.price("cloudwatch", "metricMonth")
        per += metric.usd * DETAILED_MONITORING_METRICS
        basis += (
            f"; detailed monitoring {DETAILED_MONITORING_METRICS} metrics at {metric.describe()}"
        )
    return per, basis


def _asg(ledger: Ledger, asg: Captured, views: list[ServiceView]) -> None:
    templates = ledger.graph.deps(asg, LAUNCH_TEMPLATE)
    if not templates:
        return
    lt = templates[0].inputs
    name = str(lt.get("instanceType", ""))
    volume = sum(
        int((m.get("ebs") or {}).get("volumeSize", DEFAULT_ROOT_VOLUME_GB))
        for m in lt.get("blockDeviceMappings") or []
    )
    per, basis = _host_month(
        ledger, name, volume, bool((lt.get("monitoring") or {}).get("enabled"))
    )
    fleet = asg_fleet(ledger, asg, views)
    low, high = int(asg.inputs.get("minSize", 0)), int(asg.inputs.get("maxSize", 0))
    if fleet is None:
        ledger.warnings.append(
            f"EC2 capacity {asg.name}: {name} has no size in offline/prices.yaml; priced at the "
            "group's minimum size"
        )
        ledger.add(
            asg,
            f"EC2 capacity: {low} x {name} (Auto Scaling {low}..{high})",
            per * low,
            basis + "; the group's minimum size",
            per * low,
            per * high,
        )
        return
    n, lo, hi = fleet.counts
    tasks = ", ".join(
        f"{g.count} {g.service}" for g in task_groups(views, lambda v: not v.managed_instances, 0)
    )
    ledger.add(
        asg,
        f"EC2 capacity: {n} x {name} (Auto Scaling {low}..{high})",
        per * n,
        f"{basis}; ECS places {tasks or 'no'} tasks spread over {fleet.zones} AZs, binpacked, "
        f"on {fleet.busy} instance(s); managed scaling at its targetCapacity keeps {n} "
        "(instances needed x 100 / targetCapacity, within the group's min..max)",
        per * lo,
        per * hi,
    )


def managed_choice(
    ledger: Ledger, provider: Captured, views: list[ServiceView]
) -> tuple[InstanceType, tuple[int, int, int], int, str] | None:
    """The type ECS would pick (the cheapest fleet among the allowed types) and its counts."""
    template = (provider.inputs.get("managedInstancesProvider") or {}).get(
        "instanceLaunchTemplate"
    ) or {}
    needs: dict[str, Any] = template.get("instanceRequirements") or {}
    vcpu, mem = needs.get("vcpuCount") or {}, needs.get("memoryMib") or {}
    burstable = str(needs.get("burstablePerformance", "excluded"))
    subnets = (template.get("networkConfiguration") or {}).get("subnets") or []
    zones = len(subnets) or 1
    groups = [task_groups(views, lambda v: v.managed_instances, at) for at in range(3)]
    if not any(g.count for g in groups[0] + groups[2]):
        return None
    archs = {
        task_shape(v.task_definition)[2] for v in views if v.managed_instances and v.task_definition
    }
    best: tuple[float, InstanceType, tuple[int, int, int]] | None = None
    for host in ledger.prices.instance_types.values():
        if host.arch not in archs or (host.burstable and burstable == "excluded"):
            continue
        if burstable == "required" and not host.burstable:
            continue
        if not float(vcpu.get("min", 0)) <= host.vcpu <= float(vcpu.get("max", host.vcpu)):
            continue
        mib = host.memory_gib * 1024
        if not float(mem.get("min", 0)) <= mib <= float(mem.get("max", mib)):
            continue
        if not ledger.prices.has("ec2", host.name, guess=False):
            continue
        if not all(fits(t, host) for t in groups[0] + groups[2]):
            continue
        counts = tuple(hosts_needed(g, host, zones) for g in groups)
        hourly = ledger.prices.get("ec2", host.name).usd
        if best is None or hourly * counts[0] < best[0]:
            best = (hourly * counts[0], host, (counts[0], counts[1], counts[2]))
    if best is None:
        return None
    ranges = (
        f"{vcpu.get('min')}-{vcpu.get('max', 'any')} vCPU, {mem.get('min')}-"
        f"{mem.get('max', 'any')} MiB, burstable {burstable}"
    )
    return best[1], best[2], zones, ranges


def _managed(ledger: Ledger, provider: Captured, views: list[ServiceView]) -> None:
    choice = managed_choice(ledger, provider, views)
    if choice is None:
        if any(v.managed_instances for v in views):
            ledger.warnings.append(
                f"ECS Managed Instances capacity {provider.name} is not priced: no EC2 type "
                "priced for this region in offline/prices.yaml fits its tasks within its ranges"
            )
        return
    host, (n, lo, hi), zones, ranges = choice
    template = provider.inputs["managedInstancesProvider"].get("instanceLaunchTemplate") or {}
    option = template.get("capacityOptionType", "ON_DEMAND")
    storage = float((template.get("storageConfiguration") or {}).get("storageSizeGib", 0))
    per, basis = _host_month(ledger, host.name, storage, False)
    fee = ledger.price("managedInstances", "feeShare")
    on_demand = ledger.prices.get("ec2", host.name).usd * ledger.hours
    per += fee.usd * on_demand
    ledger.add(
        provider,
        f"ECS Managed Instances {provider.name}: {n} x {host.name} [est]",
        per * n,
        f"ECS picks the types ({ranges}); estimated as the cheapest fleet among the priced "
        f"types that allows, {host.name} ({host.vcpu:g} vCPU, {host.memory_gib:g} GiB), tasks "
        f"spread over {zones} AZs and packed; {basis}; management fee {fee.describe()} "
        f"(${fee.usd * on_demand:.2f} an instance-month)"
        + ("; Spot priced at on-demand (Spot prices vary)" if option == "SPOT" else ""),
        *((per * lo, per * hi) if (lo, hi) != (n, n) else ()),
    )


def _instance(ledger: Ledger, instance: Captured) -> None:
    name = str(instance.inputs.get("instanceType", ""))
    root = instance.inputs.get("rootBlockDevice") or {}
    volume = int(root.get("volumeSize", DEFAULT_ROOT_VOLUME_GB))
    usd, basis = _host_month(ledger, name, volume, False)
    ledger.add(instance, f"EC2 instance {instance.name} ({name})", usd, basis)
    if instance.inputs.get("associatePublicIpAddress"):
        ipv4(ledger, instance, 1, f"public IPv4 of instance {instance.name}")
