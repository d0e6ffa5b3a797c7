"""Priced family: observability and keys. Log groups (ingestion plus the retained months),
Container Insights (custom metrics; enhanced per task), CloudWatch alarms (billed per alarm
metric: a metric-math alarm pays for every metric it reads), the alarms AWS creates for us
(two per target-tracking scaling policy, two per managed-scaling capacity provider), dashboards
(per dashboard-month) and KMS customer managed keys.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .cost_lines import Ledger
from .engine import Captured
from .topology import CAPACITY_PROVIDER, CLUSTER, ServiceView

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
KMS_KEY = "aws:kms/key:Key"
DAYS_PER_MONTH = 30.4


def price_observability(ledger: Ledger) -> None:
    views = ledger.views
    of_services = {g for v in views for c in v.containers if (g := _log_group(c)) is not None}
    for group in ledger.graph.of_type(LOG_GROUP):
        _log_group_line(ledger, group, group.inputs.get("name") in of_services)
    for cluster in ledger.graph.of_type(CLUSTER):
        _container_insights(ledger, cluster, views)
    _alarms(ledger)
    for dashboard in ledger.graph.of_type(DASHBOARD):
        price = ledger.price("cloudwatch", "dashboardMonth")
        ledger.add(dashboard, f"CloudWatch dashboard {dashboard.name}", price.usd, price.describe())
    for key in ledger.graph.of_type(KMS_KEY):
        price = ledger.price("kms", "keyMonth")
        ledger.add(key, "KMS customer managed key", price.usd, price.describe())


def alarm_metrics(alarm: Captured) -> int:
    """Metrics an alarm is billed for: each metric a metric-math alarm reads, else one."""
    queries = alarm.inputs.get("metricQueries") or []
    return max(sum(1 for q in queries if q.get("metric")), 1)


def _policy_alarms(policy: Captured) -> tuple[int, int]:
    """(alarms, alarm metrics) Application Auto Scaling creates for a target-tracking policy:
    a high and a low alarm (one when scale-in is disabled), each reading the tracked metric."""
    if policy.inputs.get("policyType") != "TargetTrackingScaling":
        return 0, 0
    config: dict[str, Any] = policy.inputs.get("targetTrackingScalingPolicyConfiguration") or {}
    alarms = 1 if config.get("disableScaleIn") else 2
    custom = (config.get("customizedMetricSpecification") or {}).get("metrics") or []
    metrics = max(sum(1 for m in custom if m.get("metricStat")), 1)
    return alarms, alarms * metrics


def _alarms(ledger: Ledger) -> None:
    """One line per component: its own alarms and the ones AWS creates for its scaling."""
    price = ledger.price("cloudwatch", "alarmMetricMonth")
    groups: dict[str, list[tuple[Captured, int, int, str]]] = defaultdict(list)
    for alarm in ledger.graph.of_type(ALARM):
        groups[alarm.parent or alarm.urn].append((alarm, 1, alarm_metrics(alarm), "own"))
    for policy in ledger.graph.of_type(SCALING_POLICY):
        alarms, metrics = _policy_alarms(policy)
        if alarms:
            groups[policy.parent or policy.urn].append((policy, alarms, metrics, "scaling"))
    for provider in ledger.graph.of_type(CAPACITY_PROVIDER):
        scaling = (provider.inputs.get("autoScalingGroupProvider") or {}).get("managedScaling")
        if scaling and scaling.get("status", "ENABLED") == "ENABLED":
            groups[provider.parent or provider.urn].append((provider, 2, 2, "managed scaling"))
    for parent, members in sorted(groups.items()):
        owner = ledger.graph.by_urn.get(parent)
        name = owner.name if owner is not None else members[0][0].name
        alarms = sum(m[1] for m in members)
        metrics = sum(m[2] for m in members)
        own = sum(m[1] for m in members if m[3] == "own")
        made = alarms - own
        ledger.add(
            members[0][0],
            f"{name}: {alarms} CloudWatch alarm(s), {metrics} alarm metric(s)",
            metrics * price.usd,
            f"{metrics} alarm metrics at {price.describe()} (metric-math alarms pay for every "
            f"metric they read); {own} alarm(s) in this stack"
            + (f", {made} created by AWS for target tracking or managed scaling" if made else ""),
        )


def _log_group(container: dict[str, Any]) -> str | None:
    options = (container.get("logConfiguration") or {}).get("options") or {}
    group = options.get("awslogs-group")
    return str(group) if group else None


def _log_group_line(ledger: Ledger, group: Captured, of_service: bool) -> None:
    a = ledger.a
    if of_service:
        gb, key = a.service_log_ingested_gb_per_month, "serviceLogIngestedGbPerMonth"
    else:
        gb, key = a.other_log_ingested_gb_per_month, "otherLogIngestedGbPerMonth"
    ingest = ledger.price("logs", "ingestGb")
    storage = ledger.price("logs", "storageGbMonth")
    retention = group.inputs.get("retentionInDays")
    if retention:
        months = min(int(retention) / DAYS_PER_MONTH, a.log_storage_months_if_never_expire)
        kept = f"{int(retention)} days kept"
    else:
        months = a.log_storage_months_if_never_expire
        kept = f"never expires, priced as {months} months kept"
    stored = gb * months
    ledger.add(
        group,
        f"log group {group.inputs.get('name', group.name)}: {gb:g} GB/month",
        gb * ingest.usd + stored * storage.usd,
        f"{gb:g} GB at {ingest.describe()} (assumptions.{key}); {stored:.3g} GB stored "
        f"({kept}) at {storage.describe()}",
    )


def _container_insights(ledger: Ledger, cluster: Captured, views: list[ServiceView]) -> None:
    settings = {s.get("name"): s.get("value") for s in cluster.inputs.get("settings") or []}
    mode = settings.get("containerInsights", "disabled")
    if mode not in ("enabled", "enhanced"):
        return
    a = ledger.a
    metric = ledger.price("cloudwatch", "metricMonth")
    count = a.container_insights_metrics_per_cluster + (
        a.container_insights_metrics_per_service * len(views)
    )
    base = count * metric.usd
    basis = (
        f"{count} metrics ({a.container_insights_metrics_per_cluster} cluster + "
        f"{a.container_insights_metrics_per_service} x {len(views)} services, "
        f"assumptions.containerInsightsMetricsPer*) at {metric.describe()}"
    )
    if mode != "enhanced":
        ledger.add(cluster, f"Container Insights ({mode})", base, basis)
        return
    per_task = ledger.price("cloudwatch", "enhancedMetricMonth")
    unit = a.container_insights_metrics_per_task * per_task.usd
    counts = [sum(v.counts()[at] for v in views) for at in range(3)]
    basis += (
        f"; enhanced: {a.container_insights_metrics_per_task} metrics x {counts[0]:.3g} tasks "
        f"at {per_task.describe()}"
    )
    usd = [base + unit * n for n in counts]
    ranged = counts[1] != counts[0] or counts[2] != counts[0]
    ledger.add(
        cluster,
        f"Container Insights ({mode})",
        usd[0],
        basis,
        *((usd[1], usd[2]) if ranged else ()),
    )
