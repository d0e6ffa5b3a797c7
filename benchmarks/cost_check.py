"""Our monthly cost next to an independent line-by-line estimate, for every shipped stack.

Run: .venv/bin/python benchmarks/cost_check.py [stack ...]
The independent estimate reads only the planned resources (offline engine) and a list-price
table typed into this file from AWS's price pages (docs/model-basis.md lists them); it shares
no code with offline/cost*.py, offline/placement.py or offline/prices.yaml, so the model is
checked against something other than itself. Its rules are deliberately plain:
- tasks: desired count (scheduled scale-to-zero is not averaged), FARGATE base first then
  weights, Spot at 70 % off; EC2 and Managed Instances tasks ride on their hosts;
- hosts: busy = max(total vCPU / host vCPU, total memory / 94 % of host memory, tasks spread
  one per AZ), then ceil(busy x 100 / targetCapacity); Managed Instances: the cheapest
  non-burstable type in range, plus a 12.1 % management fee;
- alarms: $0.10 per metric an alarm reads, two per target-tracking policy and per managed-
  scaling provider; dashboards $3; logs, LCUs, NAT and endpoint GB from the stack's assumptions.
Printed per family; a difference names what one side counts that the other does not.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from offline import cost
from offline.engine import Captured, Plan
from offline.platform_plans import plan_stack
from offline.topology import Graph, services

H = 730
# List prices (USD), typed from the AWS pages in docs/model-basis.md.
LIST: dict[str, dict[str, float]] = {
    "ap-northeast-2": {
        "vcpu_X86_64": 0.04656, "gb_X86_64": 0.00511, "vcpu_ARM64": 0.03725, "gb_ARM64": 0.00409,
        "alb": 0.0225, "nlb": 0.0225, "lcu": 0.008, "nlcu": 0.006, "nat": 0.059, "nat_gb": 0.059,
        "ipv4": 0.005, "vpce_az": 0.013, "vpce_gb": 0.01, "logs_gb": 0.76, "logs_store": 0.0314,
        "metric": 0.30, "alarm_metric": 0.10, "dashboard": 3.0, "kms": 1.0, "gp3": 0.0912,
        "anywhere": 0.01025, "enhanced_metric": 0.07,
        "m7g.large": 0.1003, "m6g.large": 0.094, "m6i.large": 0.118, "m7i.large": 0.1239,
    },
    "us-east-1": {
        "vcpu_X86_64": 0.04048, "gb_X86_64": 0.004445, "vcpu_ARM64": 0.03238, "gb_ARM64": 0.00356,
        "alb": 0.0225, "nlb": 0.0225, "lcu": 0.008, "nlcu": 0.006, "nat": 0.045, "nat_gb": 0.045,
        "ipv4": 0.005, "vpce_az": 0.01, "vpce_gb": 0.01, "logs_gb": 0.50, "logs_store": 0.03,
        "metric": 0.30, "alarm_metric": 0.10, "dashboard": 3.0, "kms": 1.0, "gp3": 0.08,
        "anywhere": 0.01025, "enhanced_metric": 0.07,
        "m7g.large": 0.0816, "m6g.large": 0.077, "m6i.large": 0.096, "m7i.large": 0.1008,
    },
}  # fmt: skip
HOSTS = {
    "m7g.large": (2, 8, "ARM64"),
    "m6g.large": (2, 8, "ARM64"),
    "m6i.large": (2, 8, "X86_64"),
    "m7i.large": (2, 8, "X86_64"),
}


def family(item: str) -> str:
    text = item.lower()
    for key, name in [
        ("alarm", "alarms"),
        ("dashboard", "dashboards"),
        ("log group", "logs"),
        ("insights", "container insights"),
        ("nat gateway", "nat"),
        ("ipv4", "public ipv4"),
        ("elastic ip", "public ipv4"),
        ("endpoint", "vpc endpoints"),
        ("alb ", "load balancers"),
        ("nlb ", "load balancers"),
        ("ec2 capacity", "ec2/managed hosts"),
        ("managed instances", "ec2/managed hosts"),
        ("kms", "kms"),
        ("anywhere", "ecs anywhere"),
        ("runs/month", "scheduled tasks"),
    ]:
        if key in text:
            return name
    return "task compute"


def _split(strategy: list[dict[str, Any]], n: int) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    rest = float(n)
    for s in strategy:
        take = min(float(s.get("base") or 0), rest)
        out[str(s.get("capacityProvider"))] += take
        rest -= take
    weights = sum(int(s.get("weight") or 0) for s in strategy)
    for s in strategy:
        if weights:
            out[str(s.get("capacityProvider"))] += rest * int(s.get("weight") or 0) / weights
    return out


def independent(p: Plan) -> dict[str, float]:
    price = LIST.get(p.region, LIST["us-east-1"])
    a = p.config.assumptions
    g = Graph(p.resources)
    out: dict[str, float] = defaultdict(float)
    of = p.of_type
    host_tasks: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for view in services(g):
        td = view.task_definition
        if td is None or view.external:
            continue
        vcpu, gb = int(td.inputs["cpu"]) / 1024, int(td.inputs["memory"]) / 1024
        arch = (td.inputs.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
        strategy = view.service.inputs.get("capacityProviderStrategies") or [
            {"capacityProvider": s.provider, "base": s.base, "weight": s.weight}
            for s in view.strategy
        ]
        hourly = vcpu * price[f"vcpu_{arch}"] + gb * price[f"gb_{arch}"]
        for provider, n in _split(strategy, view.desired_count).items():
            if provider == "FARGATE":
                out["task compute"] += n * hourly * H
            elif provider == "FARGATE_SPOT":
                out["task compute"] += n * hourly * H * 0.3
            else:
                kind = "managed" if view.managed_instances else "asg"
                host_tasks[kind] += [(vcpu, gb, arch)] * round(n)
        if view.service.inputs.get("networkConfiguration", {}).get("assignPublicIp"):
            out["public ipv4"] += view.desired_count * price["ipv4"] * H
    _hosts(p, price, host_tasks, out)
    for lb in of("aws:lb/loadBalancer:LoadBalancer"):
        nlb = lb.inputs.get("loadBalancerType") == "network"
        units = a.load_balancer_capacity_units
        out["load balancers"] += (
            price["nlb" if nlb else "alb"] + units * price["nlcu" if nlb else "lcu"]
        ) * H
        if not lb.inputs.get("internal"):
            out["public ipv4"] += len(lb.inputs.get("subnets") or []) * price["ipv4"] * H
    nats = of("aws:ec2/natGateway:NatGateway")
    out["nat"] += len(nats) * price["nat"] * H + (
        a.nat_data_processed_gb_per_month * price["nat_gb"] if nats else 0
    )
    out["public ipv4"] += len(of("aws:ec2/eip:Eip")) * price["ipv4"] * H
    for ep in of("aws:ec2/vpcEndpoint:VpcEndpoint"):
        if ep.inputs.get("vpcEndpointType") == "Interface":
            azs = len(ep.inputs.get("subnetIds") or [])
            out["vpc endpoints"] += (
                azs * price["vpce_az"] * H
                + a.interface_endpoint_data_gb_per_month * price["vpce_gb"]
            )
    _observability(p, g, price, out)
    for _ in of("aws:ssm/activation:Activation"):
        servers = p.config.cluster.external.instances if p.config.cluster.external else 1
        out["ecs anywhere"] += servers * price["anywhere"] * H
    return out


def _hosts(
    p: Plan,
    price: dict[str, float],
    tasks: dict[str, list[tuple[float, float, str]]],
    out: dict[str, float],
) -> None:
    for asg in p.of_type("aws:autoscaling/group:Group"):
        lt = p.of_type("aws:ec2/launchTemplate:LaunchTemplate")[0].inputs
        name = lt["instanceType"]
        cpu, mem, _ = HOSTS[name]
        ts = tasks["asg"]
        azs = len(asg.inputs.get("vpcZoneIdentifiers") or []) or 1
        busy = max(
            math.ceil(sum(t[0] for t in ts) / cpu),
            math.ceil(sum(t[1] for t in ts) / (mem * 0.94)),
            min(len(ts), azs),
        )
        cp = p.of_type("aws:ecs/capacityProvider:CapacityProvider")
        target = next(
            (
                c.inputs["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"]
                for c in cp
                if c.inputs.get("autoScalingGroupProvider")
            ),
            100,
        )
        n = max(math.ceil(busy * 100 / target), int(asg.inputs.get("minSize", 0)))
        disk = sum(m["ebs"]["volumeSize"] for m in lt.get("blockDeviceMappings") or [])
        out["ec2/managed hosts"] += n * (
            price[name] * H + disk * price["gp3"] + 7 * price["metric"]
        )
    if tasks["managed"]:
        ts = tasks["managed"]
        cp = next(
            c
            for c in p.of_type("aws:ecs/capacityProvider:CapacityProvider")
            if c.inputs.get("managedInstancesProvider")
        )
        lt = cp.inputs["managedInstancesProvider"]["instanceLaunchTemplate"]
        azs = len(lt["networkConfiguration"]["subnets"])
        req = lt["instanceRequirements"]
        fits = [
            n
            for n, (c, m, arch) in HOSTS.items()
            if arch == ts[0][2]
            and n in price
            and req["vcpuCount"]["min"] <= c <= req["vcpuCount"].get("max", c)
            and req["memoryMib"]["min"] <= m * 1024 <= req["memoryMib"].get("max", m * 1024)
        ]
        name = min(fits, key=lambda n: price[n])
        cpu, mem, _ = HOSTS[name]
        busy = max(
            math.ceil(sum(t[0] for t in ts) / cpu),
            math.ceil(sum(t[1] for t in ts) / (mem * 0.94)),
            min(len(ts), azs),
        )
        disk = float(lt.get("storageConfiguration", {}).get("storageSizeGib", 0))
        out["ec2/managed hosts"] += busy * (price[name] * H * 1.121 + disk * price["gp3"])


def _observability(p: Plan, g: Graph, price: dict[str, float], out: dict[str, float]) -> None:
    a = p.config.assumptions
    views = services(g)
    service_groups = {
        c.get("logConfiguration", {}).get("options", {}).get("awslogs-group")
        for v in views
        for c in v.containers
    }
    for group in p.of_type("aws:cloudwatch/logGroup:LogGroup"):
        gb = (
            a.service_log_ingested_gb_per_month
            if group.inputs.get("name") in service_groups
            else a.other_log_ingested_gb_per_month
        )
        days = group.inputs.get("retentionInDays")
        months = (
            min(days / 30.4, a.log_storage_months_if_never_expire)
            if days
            else a.log_storage_months_if_never_expire
        )
        out["logs"] += gb * price["logs_gb"] + gb * months * price["logs_store"]
    metrics = 0
    for alarm in p.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        metrics += max(sum(1 for q in alarm.inputs.get("metricQueries") or [] if "metric" in q), 1)
    for policy in p.of_type("aws:appautoscaling/policy:Policy"):
        cfg: dict[str, Any] = policy.inputs.get("targetTrackingScalingPolicyConfiguration") or {}
        if cfg:
            reads = (
                len(
                    [
                        m
                        for m in (cfg.get("customizedMetricSpecification") or {}).get("metrics", [])
                        if "metricStat" in m
                    ]
                )
                or 1
            )
            metrics += 2 * reads
    metrics += 2 * sum(
        1
        for c in p.of_type("aws:ecs/capacityProvider:CapacityProvider")
        if c.inputs.get("autoScalingGroupProvider")
    )
    out["alarms"] += metrics * price["alarm_metric"]
    out["dashboards"] += len(p.of_type("aws:cloudwatch/dashboard:Dashboard")) * price["dashboard"]
    out["kms"] += len(p.of_type("aws:kms/key:Key")) * price["kms"]
    for cluster in p.of_type("aws:ecs/cluster:Cluster"):
        mode = {s["name"]: s["value"] for s in cluster.inputs.get("settings") or []}.get(
            "containerInsights"
        )
        if mode in ("enabled", "enhanced"):
            out["container insights"] += (
                a.container_insights_metrics_per_cluster
                + a.container_insights_metrics_per_service * len(views)
            ) * price["metric"]
            if mode == "enhanced":
                out["container insights"] += (
                    a.container_insights_metrics_per_task
                    * sum(v.desired_count for v in views)
                    * price["enhanced_metric"]
                )
    for schedule in p.of_type("aws:scheduler/schedule:Schedule"):
        out["scheduled tasks"] += _scheduled(p, schedule, price)


def _scheduled(p: Plan, schedule: Captured, price: dict[str, float]) -> float:
    expr = schedule.inputs.get("scheduleExpression", "")
    runs = 30.4 if expr.startswith("cron(") and expr.split()[4] in ("?", "*") else 0.0
    if expr.startswith("rate("):
        n, unit = expr[5:-1].split()
        runs = H * 60 / (int(n) * {"minute": 1, "hour": 60, "day": 1440}[unit.rstrip("s")])
    td = next(
        r
        for r in p.of_type("aws:ecs/taskDefinition:TaskDefinition")
        if r.urn in schedule.dependencies
    )
    arch = (td.inputs.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
    hourly = (
        int(td.inputs["cpu"]) / 1024 * price[f"vcpu_{arch}"]
        + int(td.inputs["memory"]) / 1024 * price[f"gb_{arch}"]
    )
    minutes = max(p.config.assumptions.run_minutes(schedule.name.rsplit("-", 1)[0]), 1.0)
    return runs * minutes / 60 * hourly  # on-demand: the independent side ignores Spot here


def main(stacks: list[str]) -> None:
    root = Path(__file__).resolve().parent.parent
    for name in stacks:
        p = plan_stack(name, root / f"Pulumi.{name}.yaml").plan  # a service stack: on its platform
        ours: dict[str, float] = defaultdict(float)
        for line in cost.estimate(p).lines:
            ours[family(line.item)] += line.monthly_usd
        theirs = independent(p)
        print(f"\n{name} ({p.region}), USD/month        ours  independent   diff")
        for fam in sorted(set(ours) | set(theirs)):
            o, t = ours.get(fam, 0.0), theirs.get(fam, 0.0)
            print(f"  {fam:<26} {o:>9.2f} {t:>12.2f} {o - t:>+7.2f}")
        o, t = sum(ours.values()), sum(theirs.values())
        print(f"  {'total':<26} {o:>9.2f} {t:>12.2f} {o - t:>+7.2f}")


if __name__ == "__main__":
    main(
        sys.argv[1:]
        or sorted(
            p.name[len("Pulumi.") : -len(".yaml")]
            for p in Path(__file__).resolve().parent.parent.glob("Pulumi.*.yaml")
        )
    )
