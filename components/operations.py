"""Day-2 resources of a service: autoscaling and golden-signal alarms.

Functions, not components: their resources are children of the Service component, so logical
names stay `{service}-{role}` (see the naming contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .specs.operations import AlarmsSpec, AutoscalingSpec
from .specs.service import ServiceSpec


@dataclass(frozen=True)
class Traffic:
    """CloudWatch dimensions of a service's load balancer traffic (ARN suffixes)."""

    namespace: str  # AWS/ApplicationELB or AWS/NetworkELB
    load_balancer: pulumi.Input[str]
    target_groups: Sequence[pulumi.Input[str]]  # production first; green too for blue/green


def autoscaling(
    name: str,
    spec: ServiceSpec,
    *,
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Input[str],
    traffic: Traffic | None,
    opts: pulumi.ResourceOptions,
) -> aws.appautoscaling.Target | None:
    """Scalable target, target-tracking policies and scheduled range changes."""
    scaling = spec.autoscaling
    if scaling is None:
        return None
    resource_id = pulumi.Output.concat("service/", cluster_name, "/", service_name)
    target = aws.appautoscaling.Target(
        f"{name}-scaling",
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=resource_id,
        min_capacity=scaling.min_count,
        max_capacity=scaling.max_count,
        opts=opts,
    )
    on_target = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[target]))
    for role, metric, value, label in _tracked_metrics(scaling, traffic):
        aws.appautoscaling.Policy(
            f"{name}-{role}",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=value,
                scale_in_cooldown=scaling.scale_in_cooldown_seconds,
                scale_out_cooldown=scaling.scale_out_cooldown_seconds,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type=metric, resource_label=label
                ),
            ),
            opts=on_target,
        )
    for window in scaling.schedules:
        aws.appautoscaling.ScheduledAction(
            f"{name}-{window.name}",
            name=f"{name}-{window.name}",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            schedule=window.schedule,
            timezone=window.time_zone,
            scalable_target_action=aws.appautoscaling.ScheduledActionScalableTargetActionArgs(
                min_capacity=window.min_count, max_capacity=window.max_count
            ),
            opts=on_target,
        )
    return target


def _tracked_metrics(
    scaling: AutoscalingSpec, traffic: Traffic | None
) -> list[tuple[str, str, int, pulumi.Input[str] | None]]:
    """(role, predefined metric, target value, resource label) of each configured target."""
    metrics: list[tuple[str, str, int, pulumi.Input[str] | None]] = []
    if scaling.cpu_target is not None:
        metrics.append(("cpu", "ECSServiceAverageCPUUtilization", scaling.cpu_target, None))
    if scaling.memory_target is not None:
        metrics.append(
            ("memory", "ECSServiceAverageMemoryUtilization", scaling.memory_target, None)
        )
    if scaling.requests_per_target is not None:
        assert traffic is not None  # checked in config: requestsPerTarget needs an ALB
        label = pulumi.Output.concat(traffic.load_balancer, "/", traffic.target_groups[0])
        metrics.append(("requests", "ALBRequestCountPerTarget", scaling.requests_per_target, label))
    return metrics


def alarm_name(project: str, stack: str, service: str, signal: str) -> str:
    """A readable, fixed alarm name (it is the subject of every notification). Alarms are never
    retained on delete, so a destroy removes them and a re-created stack reuses the names;
    whatever refers to an alarm takes its `name` output, never this string again."""
    return f"{project}-{stack}-{service}-{signal}"


def _alarm_settings(minutes: int, actions: list[str]) -> dict[str, Any]:
    """What every golden-signal alarm shares: N of N one-minute periods, and who hears it."""
    return {
        "evaluation_periods": minutes,
        "datapoints_to_alarm": minutes,
        "alarm_actions": actions,
        "ok_actions": actions,
    }


def traffic_alarms(
    name: str,
    spec: ServiceSpec,
    *,
    traffic: Traffic,
    actions: list[str],
    opts: pulumi.ResourceOptions,
) -> list[aws.cloudwatch.MetricAlarm]:
    """5xx rate, p99 latency (ALB) and unhealthy targets, over every target group it uses."""
    if not spec.alarms.enabled:
        return []
    cfg = spec.alarms
    # These are the deployment alarms: their window is the bake ECS adds to every deployment
    # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html),
    # and ELB publishes these metrics every 60 s, the shortest period they allow
    # (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
    common = {
        **_alarm_settings(cfg.rollback_evaluation_minutes, actions),
        "treat_missing_data": "notBreaching",
        "opts": opts,
    }
    out: list[aws.cloudwatch.MetricAlarm] = []
    if traffic.namespace == "AWS/ApplicationELB":
        out.append(_error_rate_alarm(name, cfg, traffic, common))
        out.append(
            _worst_group_alarm(
                name,
                traffic,
                common,
                signal="p99",
                metric_name="TargetResponseTime",
                stat="p99",
                threshold=cfg.p99_latency_ms / 1000,
                label="p99 seconds",
                why=f"p99 response time above {cfg.p99_latency_ms} ms",
            )
        )
    out.append(
        _worst_group_alarm(
            name,
            traffic,
            common,
            signal="unhealthy",
            metric_name="UnHealthyHostCount",
            stat="Maximum",
            threshold=0,
            label="unhealthy targets",
            why="load balancer targets failing health checks",
        )
    )
    return out


def _target_group_metric(
    traffic: Traffic, id_: str, metric_name: str, tg: pulumi.Input[str], stat: str
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    """One target group's metric as an alarm query that feeds an expression."""
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=id_,
        return_data=False,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace=traffic.namespace,
            metric_name=metric_name,
            period=60,
            stat=stat,
            dimensions={"LoadBalancer": traffic.load_balancer, "TargetGroup": tg},
        ),
    )


def _error_rate_alarm(
    name: str, cfg: AlarmsSpec, traffic: Traffic, common: dict[str, Any]
) -> aws.cloudwatch.MetricAlarm:
    """The share of requests answered 5xx by the tasks, summed over the target groups (once
    there are at least 10 requests in the minute)."""
    tgs = list(traffic.target_groups)
    errors = [
        _target_group_metric(traffic, f"e{i}", "HTTPCode_Target_5XX_Count", tg, "Sum")
        for i, tg in enumerate(tgs)
    ]
    requests = [
        _target_group_metric(traffic, f"r{i}", "RequestCount", tg, "Sum")
        for i, tg in enumerate(tgs)
    ]
    sum_e = "+".join(f"FILL(e{i},0)" for i in range(len(tgs)))
    sum_r = "+".join(f"FILL(r{i},0)" for i in range(len(tgs)))
    return aws.cloudwatch.MetricAlarm(
        f"{name}-5xx",
        name=alarm_name(pulumi.get_project(), pulumi.get_stack(), name, "5xx"),
        alarm_description=f"{name}: more than {cfg.error_rate_percent}% of requests "
        "answered 5xx by the tasks (rolls back a deployment)",
        comparison_operator="GreaterThanThreshold",
        threshold=cfg.error_rate_percent,
        metric_queries=[
            *errors,
            *requests,
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="rate",
                expression=f"IF(({sum_r}) >= 10, 100*({sum_e})/({sum_r}), 0)",
                label="5xx %",
                return_data=True,
            ),
        ],
        **common,
    )


def _worst_group_alarm(
    name: str,
    traffic: Traffic,
    common: dict[str, Any],
    *,
    signal: str,
    metric_name: str,
    stat: str,
    threshold: float,
    label: str,
    why: str,
) -> aws.cloudwatch.MetricAlarm:
    """Alarm on the worst target group (blue/green: either may carry production)."""
    tgs = list(traffic.target_groups)
    fills = ",".join(f"FILL(m{i},0)" for i in range(len(tgs)))
    return aws.cloudwatch.MetricAlarm(
        f"{name}-{signal}",
        name=alarm_name(pulumi.get_project(), pulumi.get_stack(), name, signal),
        alarm_description=f"{name}: {why} (rolls back a deployment)",
        comparison_operator="GreaterThanThreshold",
        threshold=threshold,
        metric_queries=[
            *[
                _target_group_metric(traffic, f"m{i}", metric_name, tg, stat)
                for i, tg in enumerate(tgs)
            ],
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=signal, expression=f"MAX([{fills}])", label=label, return_data=True
            ),
        ],
        **common,
    )


def capacity_alarms(
    name: str,
    spec: ServiceSpec,
    *,
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Input[str],
    container_insights: bool,
    actions: list[str],
    opts: pulumi.ResourceOptions,
) -> list[aws.cloudwatch.MetricAlarm]:
    """CPU and memory saturation, and (with Container Insights) running below desired."""
    if not spec.alarms.enabled:
        return []
    project, stack = pulumi.get_project(), pulumi.get_stack()
    cfg = spec.alarms
    dims = {"ClusterName": cluster_name, "ServiceName": service_name}
    common = _alarm_settings(cfg.evaluation_minutes, actions)
    out = [
        aws.cloudwatch.MetricAlarm(
            f"{name}-{signal}",
            name=alarm_name(project, stack, name, signal),
            alarm_description=f"{name}: average {signal} above {threshold}% (saturation)",
            namespace="AWS/ECS",
            metric_name=metric,
            dimensions=dims,
            statistic="Average",
            period=60,
            comparison_operator="GreaterThanThreshold",
            threshold=threshold,
            treat_missing_data="missing",
            **common,
            opts=opts,
        )
        for signal, metric, threshold in (
            ("cpu", "CPUUtilization", cfg.cpu_percent),
            ("memory", "MemoryUtilization", cfg.memory_percent),
        )
    ]
    if container_insights:
        out.append(_running_alarm(name, cfg, dims, actions, opts))
    return out


def _running_alarm(
    name: str,
    cfg: AlarmsSpec,
    dims: dict[str, pulumi.Input[str]],
    actions: list[str],
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.MetricAlarm:
    """Fewer tasks running than desired (Container Insights' task counts)."""
    return aws.cloudwatch.MetricAlarm(
        f"{name}-running",
        name=alarm_name(pulumi.get_project(), pulumi.get_stack(), name, "running"),
        alarm_description=f"{name}: fewer tasks running than desired",
        comparison_operator="GreaterThanThreshold",
        threshold=0,
        treat_missing_data="breaching",
        metric_queries=[
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=id_,
                return_data=False,
                metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace="ECS/ContainerInsights",
                    metric_name=metric,
                    period=60,
                    stat="Average",
                    dimensions=dims,
                ),
            )
            for id_, metric in (("d", "DesiredTaskCount"), ("r", "RunningTaskCount"))
        ]
        + [
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="missing", expression="d - r", label="missing tasks", return_data=True
            )
        ],
        # A deployment or scale-out legitimately runs below desired for a few minutes.
        evaluation_periods=max(cfg.evaluation_minutes, 5),
        datapoints_to_alarm=max(cfg.evaluation_minutes, 5),
        alarm_actions=actions,
        ok_actions=actions,
        opts=opts,
    )
