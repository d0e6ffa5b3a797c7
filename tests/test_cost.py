"""Cost model: hand-computed cases on the tests' own stacks (prices: offline/prices.yaml)."""

from __future__ import annotations

import dataclasses

import pytest

from offline.cost import CostReport, estimate, render
from offline.engine import Captured, Plan
from offline.prices import PriceBook
from offline.topology import SCALING_TARGET
from tests.support import config, config_error, fixture_plan, mutate, plan_config
from tests.test_stacks import STACKS, stack_plan

HOURS = 730
US = {"aws:region": "us-east-1"}

WEB = {
    "image": "public.ecr.aws/nginx/nginx:1.27",
    "cpu": 512,
    "memory": 1024,
    "containerPort": 80,
    "desiredCount": 4,
    "loadBalancer": {"name": "public"},
}
ON_DEMAND = {"capacityProviders": [{"provider": "FARGATE", "weight": 1}]}


def us_config(**keys):
    cfg = config(
        cluster={"containerInsights": "disabled", **ON_DEMAND},
        loadBalancers={"public": {"type": "application"}},
        services={"web": WEB},
        **keys,
    )
    return {**cfg, **US}


def report(cfg) -> CostReport:
    return estimate(plan_config(cfg))


def line(rep: CostReport, starts: str):
    found = [c for c in rep.lines if c.item.startswith(starts)]
    assert len(found) == 1, [c.item for c in rep.lines]
    return found[0]


def test_four_half_vcpu_one_gb_x86_tasks_in_us_east_1_cost_72_08_a_month():
    fargate = line(report(us_config()), "web: 4 tasks x 0.5 vCPU / 1 GB X86_64")
    assert fargate.monthly_usd == pytest.approx(4 * (0.5 * 0.04048 + 1 * 0.004445) * HOURS)
    assert round(fargate.monthly_usd, 2) == 72.08


def test_arm64_tasks_use_the_graviton_rates():
    cfg = mutate(us_config(), "services.web.cpuArchitecture", "ARM64")
    fargate = line(report(cfg), "web: 4 tasks x 0.5 vCPU / 1 GB ARM64")
    assert fargate.monthly_usd == pytest.approx(4 * (0.5 * 0.03238 + 1 * 0.00356) * HOURS)


def test_seoul_prices_fargate_at_its_own_rates():
    cfg = {**us_config(), "aws:region": "ap-northeast-2"}
    fargate = line(report(cfg), "web: 4 tasks x")
    assert fargate.monthly_usd == pytest.approx(4 * (0.5 * 0.04656 + 1 * 0.00511) * HOURS)
    assert not fargate.fallback


def test_spot_share_follows_the_strategy_base_then_weights_at_the_stated_discount():
    strategy = [
        {"provider": "FARGATE", "base": 1, "weight": 1},
        {"provider": "FARGATE_SPOT", "weight": 3},
    ]
    cfg = mutate(us_config(), "cluster.capacityProviders", strategy)
    cfg = mutate(cfg, "services.web.desiredCount", 5)
    fargate = line(report(cfg), "web: 5 tasks x")
    task_month = (0.5 * 0.04048 + 1 * 0.004445) * HOURS
    # base 1 on-demand, the other 4 split 1:3 -> 2 on-demand, 3 Spot at 70 % off
    assert fargate.monthly_usd == pytest.approx(2 * task_month + 3 * task_month * 0.3)
    assert "70% off" in fargate.basis


def test_an_application_load_balancer_costs_its_hours_plus_one_lcu_by_default():
    alb = line(report(us_config()), "ALB public (")
    assert round(alb.monthly_usd, 2) == 22.27  # 0.0225 x 730 + 0.008 x 730


def test_the_lcu_baseline_comes_from_assumptions():
    cfg = us_config(assumptions={"loadBalancerCapacityUnits": 3})
    alb = line(report(cfg), "ALB public (")
    assert alb.monthly_usd == pytest.approx((0.0225 + 3 * 0.008) * HOURS)
    assert "assumptions.loadBalancerCapacityUnits" in alb.basis


def test_an_internet_facing_alb_pays_one_public_ipv4_per_az_and_an_internal_one_none():
    cfg = mutate(us_config(), "network.availabilityZones", 3)
    cfg = mutate(cfg, "loadBalancers.back", {"type": "application", "internal": True})
    rep = report(cfg)
    ips = line(rep, "ALB public: one public IPv4 per AZ")
    assert ips.monthly_usd == pytest.approx(3 * 0.005 * HOURS)
    assert not [c for c in rep.lines if c.item.startswith("ALB back: one public IPv4")]


def test_three_nat_gateways_with_50_gb_cost_100_80_plus_three_addresses():
    cfg = mutate(us_config(), "network.availabilityZones", 3)
    cfg = mutate(cfg, "network.natGateways", "perAz")
    rep = report(cfg)
    nat = [c for c in rep.lines if c.item.startswith("NAT gateway")]
    eips = [c for c in rep.lines if c.item.startswith("Elastic IP")]
    assert len(nat) == 3 and len(eips) == 3
    assert round(sum(c.monthly_usd for c in nat), 2) == 100.80  # 3 x 32.85 + 50 GB x 0.045
    assert sum(c.monthly_usd for c in eips) == pytest.approx(3 * 3.65)


def test_nat_traffic_comes_from_assumptions():
    cfg = us_config(assumptions={"natDataProcessedGbPerMonth": 0})
    nat = line(report(cfg), "NAT gateway")
    assert nat.monthly_usd == pytest.approx(0.045 * HOURS)


def test_tasks_with_public_ips_pay_for_each_address_and_no_nat():
    cfg = mutate(us_config(), "network.natGateways", "none")
    cfg = mutate(cfg, "services.web.assignPublicIp", True)
    rep = report(cfg)
    ips = line(rep, "web: public IPv4 per task")
    assert ips.monthly_usd == pytest.approx(4 * 3.65)
    assert not [c for c in rep.lines if c.item.startswith("NAT gateway")]


def test_ephemeral_storage_above_20_gb_is_priced_per_task():
    cfg = mutate(us_config(), "services.web.ephemeralStorageGib", 50)
    storage = line(report(cfg), "web: ephemeral storage 30 GB")
    assert storage.monthly_usd == pytest.approx(4 * 30 * 0.000111 * HOURS)


def test_interface_endpoints_are_priced_per_az_and_gateway_endpoints_are_free():
    cfg = mutate(us_config(), "network.vpcEndpoints", ["s3", "logs"])
    rep = report(cfg)
    logs = line(rep, "interface endpoint logs in 2 AZs")
    assert logs.monthly_usd == pytest.approx(2 * 0.01 * HOURS + 5 * 0.01)
    assert not [c for c in rep.lines if "endpoint s3" in c.item]


def test_log_groups_price_ingestion_and_storage_for_their_retention():
    cfg = us_config(assumptions={"serviceLogIngestedGbPerMonth": 10})
    cfg = mutate(cfg, "services.web.logRetentionDays", 30)
    logs = line(report(cfg), "log group /ecs/ecs-platform-test/web")
    assert logs.monthly_usd == pytest.approx(10 * 0.50 + 10 * (30 / 30.4) * 0.03)


def test_container_insights_is_priced_only_when_on():
    assert not [c for c in report(us_config()).lines if "Container Insights" in c.item]
    cfg = mutate(us_config(), "cluster.containerInsights", "enabled")
    insights = line(report(cfg), "Container Insights (enabled)")
    assert insights.monthly_usd == pytest.approx((13 + 25) * 0.30)


RENDERER = {
    "image": "public.ecr.aws/nginx/nginx:1.27",
    "cpu": 1024,
    "memory": 3072,
    "cpuArchitecture": "ARM64",
    "desiredCount": 2,
    "capacityProviders": [{"provider": "EC2", "base": 2, "weight": 1}],
}
M7G_MONTH = 0.0816 * HOURS + 30 * 0.08 + 7 * 0.30  # instance, 30 GB gp3 root, detailed metrics


def ec2_config(target: int, tasks: int = 2, zones: int = 2) -> dict:
    cfg = mutate(us_config(), "services.renderer", {**RENDERER, "desiredCount": tasks})
    cfg = mutate(cfg, "network.availabilityZones", zones)
    return mutate(
        cfg,
        "cluster.ec2Capacity",
        {"instanceType": "m7g.large", "minSize": 1, "maxSize": 6, "targetCapacity": target},
    )


def test_two_tasks_spread_over_azs_at_target_capacity_90_settle_on_three_instances():
    group = line(report(ec2_config(90)), "EC2 capacity:")
    # each AZ holds one 1 vCPU / 3 GB task on its own m7g.large: 2 busy instances, and managed
    # scaling keeps 2 / N <= 90 %: N = ceil(2 x 100 / 90) = 3, above the group's minimum of 1
    assert group.item == "EC2 capacity: 3 x m7g.large (Auto Scaling 1..6)"
    assert group.monthly_usd == pytest.approx(3 * M7G_MONTH)
    assert "on 2 instance(s)" in group.basis


def test_at_target_capacity_100_the_busy_instances_are_all_there_is():
    group = line(report(ec2_config(100)), "EC2 capacity:")
    assert group.item.startswith("EC2 capacity: 2 x m7g.large")


def test_tasks_in_one_az_are_binpacked_onto_shared_instances():
    # four 1 vCPU / 3 GB tasks over two AZs: two per AZ share one m7g.large (2 vCPU, 8 GiB)
    group = line(report(ec2_config(100, tasks=4)), "EC2 capacity:")
    assert group.item.startswith("EC2 capacity: 2 x m7g.large")
    # five tasks: one AZ gets three, which needs a second instance there
    group = line(report(ec2_config(100, tasks=5)), "EC2 capacity:")
    assert group.item.startswith("EC2 capacity: 3 x m7g.large")


def test_the_ec2_tasks_themselves_cost_nothing_beside_their_instances():
    tasks = line(report(ec2_config(90)), "renderer: 2 tasks x 1 vCPU / 3 GB ARM64")
    assert tasks.monthly_usd == 0 and tasks.item.endswith("on EC2 capacity")


def test_an_unknown_region_is_priced_by_guesses_and_the_report_says_so_first():
    cfg = {**us_config(), "aws:region": "sa-east-1"}
    rep = report(cfg)
    assert rep.warnings[0].startswith("GUESSED PRICES") and "sa-east-1" in rep.warnings[0]
    regional = [c for c in rep.lines if c.item.startswith(("ALB public (", "web: 4 tasks"))]
    assert regional and all(c.fallback for c in regional)
    assert render(rep)[1].startswith("  warning: GUESSED PRICES")


def test_a_price_missing_for_a_listed_region_is_listed_as_a_guess_and_marked():
    cfg = {**us_config(), "aws:region": "eu-west-1"}
    rep = report(cfg)
    logs = line(rep, "log group /ecs/ecs-platform-test/web")
    assert logs.fallback and "GUESSED from us-east-1" in logs.basis
    assert not line(rep, "web: 4 tasks x").fallback
    (guessed,) = [w for w in rep.warnings if w.startswith("GUESSED PRICES")]
    assert "logs.ingestGb" in guessed and "fargate.vcpuHourX86_64" not in guessed


def test_global_prices_are_no_guess_in_any_listed_region():
    book = PriceBook("ap-northeast-2")
    assert not book.get("ecsAnywhere", "instanceHour").fallback
    assert not book.guessed


def with_scaling(plan: Plan, service: str, low: int, high: int) -> Plan:
    """The plan plus an autoscaling target on `service`, as the component registers it."""
    target = plan.named(f"{service}-service", "aws:ecs/service:Service")
    scaling = Captured(
        urn=target.urn.replace("aws:ecs/service:Service::", f"{SCALING_TARGET}::").replace(
            f"::{service}-service", f"::{service}-scaling"
        ),
        type=SCALING_TARGET,
        name=f"{service}-scaling",
        parent=target.parent,
        inputs={
            "minCapacity": low,
            "maxCapacity": high,
            "scalableDimension": "ecs:service:DesiredCount",
        },
        custom=True,
        dependencies=[target.urn],
        options={},
    )
    return dataclasses.replace(plan, resources=[*plan.resources, scaling])


def test_autoscaling_shows_the_range_from_min_to_max_around_the_desired_baseline():
    plan = with_scaling(plan_config(us_config()), "web", 2, 8)
    rep = estimate(plan)
    fargate = line(rep, "web: 4 tasks x")
    task_month = (0.5 * 0.04048 + 1 * 0.004445) * HOURS
    assert fargate.monthly_usd == pytest.approx(4 * task_month)
    assert (fargate.min_usd, fargate.max_usd) == pytest.approx((2 * task_month, 8 * task_month))
    low, high = rep.range_usd
    assert high - low == pytest.approx(6 * task_month)


def test_every_line_names_a_planned_resource():
    plan = plan_config(us_config())
    urns = {r.urn for r in plan.resources}
    assert {c.urn for c in estimate(plan).lines} <= urns


def test_assumptions_reject_negative_usage():
    error = config_error(us_config(assumptions={"natDataProcessedGbPerMonth": -1}))
    assert "assumptions.natDataProcessedGbPerMonth" in str(error)


def test_every_price_has_a_source_with_a_public_url_and_a_date():
    for region in ("us-east-1", "ap-northeast-2", "eu-west-1"):
        book = PriceBook(region)
        for group, item in [
            ("fargate", "vcpuHourX86_64"),
            ("fargate", "gbHourARM64"),
            ("elb", "albHour"),
            ("nat", "gatewayHour"),
            ("ipv4", "addressHour"),
        ]:
            price = book.get(group, item)
            assert not price.fallback, (region, group, item)
            assert price.url.startswith("https://") and "(20" in price.source


def test_seoul_prices_every_item_the_shipped_families_use_without_guessing():
    book = PriceBook("ap-northeast-2")
    for group, item in [
        ("elb", "nlbHour"),
        ("elb", "nlcuHour"),
        ("vpce", "interfaceAzHour"),
        ("ebs", "gp3GbMonth"),
        ("ec2", "m7g.large"),
        ("cloudwatch", "alarmMetricMonth"),
        ("cloudwatch", "dashboardMonth"),
        ("kms", "keyMonth"),
    ]:
        assert not book.get(group, item).fallback, (group, item)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_has_cost_lines_that_add_up_to_its_total(stack):
    rep = estimate(stack_plan(stack))
    assert rep.lines and rep.monthly_usd == pytest.approx(sum(c.monthly_usd for c in rep.lines))


def test_a_metric_math_alarm_pays_for_every_metric_it_reads():
    rep = report(us_config())
    alarms = [c for c in rep.lines if "CloudWatch alarm" in c.item]
    (web,) = alarms
    # 5xx reads 2 metrics (errors, requests), p99 1, unhealthy 1, cpu 1, memory 1: 6 metrics
    assert web.item == "web: 5 CloudWatch alarm(s), 6 alarm metric(s)"
    assert web.monthly_usd == pytest.approx(6 * 0.10)


def test_target_tracking_policies_add_the_two_alarms_aws_creates_for_each():
    scaling = {"minCount": 2, "maxCount": 8, "cpuTarget": 60, "memoryTarget": 70}
    cfg = mutate(us_config(), "services.web.autoscaling", scaling)
    (web,) = [c for c in report(cfg).lines if "CloudWatch alarm" in c.item]
    assert web.item == "web: 9 CloudWatch alarm(s), 10 alarm metric(s)"
    assert "4 created by AWS" in web.basis


def test_a_dashboard_costs_three_dollars_a_month_and_none_without_it():
    dashboard = line(report(us_config()), "CloudWatch dashboard")
    assert dashboard.monthly_usd == pytest.approx(3.00)
    cfg = mutate(us_config(), "observability", {"dashboard": False})
    assert not [c for c in report(cfg).lines if c.item.startswith("CloudWatch dashboard")]


NIGHTLY = {
    "image": "public.ecr.aws/docker/library/busybox:1.37",
    "command": ["sh", "-c", "echo report"],
    "schedule": "rate(1 hour)",
}


def test_a_scheduled_task_is_priced_per_run_from_its_schedule_and_run_time():
    cfg = mutate(us_config(), "scheduledTasks", {"nightly": NIGHTLY})
    cfg = mutate(cfg, "assumptions", {"workloads": {"nightly": {"runMinutes": 6}}})
    task = line(report(cfg), "nightly: 730 runs/month x 1 task x 6 min")
    hourly = 0.25 * 0.04048 + 0.5 * 0.004445  # the cheapest Fargate size, x86, on-demand
    assert task.monthly_usd == pytest.approx(730 * 6 / 60 * hourly)
    assert "assumptions.workloads.nightly.runMinutes" in task.basis


def test_a_disabled_schedule_costs_nothing():
    cfg = mutate(us_config(), "scheduledTasks", {"nightly": {**NIGHTLY, "enabled": False}})
    assert line(report(cfg), "nightly: 0 runs/month").monthly_usd == 0


def test_an_assumption_for_an_unknown_workload_is_reported():
    cfg = mutate(us_config(), "assumptions", {"workloads": {"ghost": {"imageSizeMb": 10}}})
    assert any("assumptions.workloads.ghost" in w for w in report(cfg).warnings)


def test_the_basis_page_lists_every_price_and_its_source():
    import yaml

    from offline.prices import PRICES_PATH

    doc = yaml.safe_load(PRICES_PATH.read_text())
    page = (PRICES_PATH.parent.parent / "docs" / "model-basis.md").read_text()
    for source in doc["sources"].values():
        assert source["url"] in page, source["url"]
    for table in [doc["global"], *doc["regions"].values()]:
        for group, items in table.items():
            for item in items:
                assert f"`{group}.{item}`" in page, (group, item)


def test_a_nat_less_stack_without_insights_pays_for_neither_and_scheduled_scaling_costs_less():
    # The dev fixture: no NAT (tasks take public IPs), Container Insights off, web scaled to
    # zero at night. Its cost against the $35 goal is a benchmark figure (benchmarks/targets.py).
    rep = estimate(fixture_plan("dev"))
    items = [c.item for c in rep.lines]
    assert not [i for i in items if "Container Insights" in i or "NAT" in i or "EC2 instance" in i]
    web = line(rep, "web: 0.36 tasks avg x 0.25 vCPU / 0.5 GB ARM64")
    assert web.monthly_usd < web.max_usd
