"""One CloudWatch dashboard per stack: every service's golden signals on one page."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from .service import Service


def stack_dashboard(
    services: Mapping[str, Service], *, cluster_name: pulumi.Input[str], region: str
) -> aws.cloudwatch.Dashboard | None:
    """A row per service: tasks and CPU/memory, then requests, 5xx and p99 when it has traffic."""
    if not services:
        return None
    project, stack = pulumi.get_project(), pulumi.get_stack()
    parts: dict[str, Any] = {"cluster": cluster_name}
    for name, svc in services.items():
        parts[f"{name}/service"] = svc.service_name
        if svc.traffic is not None:
            parts[f"{name}/lb"] = svc.traffic.load_balancer
            parts[f"{name}/tgs"] = pulumi.Output.all(*svc.traffic.target_groups)
    body = pulumi.Output.all(**parts).apply(
        lambda values: json.dumps(_body(services, values, region), sort_keys=True)
    )
    return aws.cloudwatch.Dashboard(
        "dashboard", dashboard_name=f"{project}-{stack}", dashboard_body=body
    )


def _body(services: Mapping[str, Service], v: Mapping[str, Any], region: str) -> dict[str, Any]:
    widgets: list[dict[str, Any]] = []
    y = 0
    cluster = v["cluster"]
    for name, svc in services.items():
        ecs = {"ClusterName": cluster, "ServiceName": v[f"{name}/service"]}
        row = [
            _widget(
                f"{name}: CPU and memory %",
                [
                    ["AWS/ECS", "CPUUtilization", *_dims(ecs)],
                    ["AWS/ECS", "MemoryUtilization", *_dims(ecs)],
                ],
                region,
            )
        ]
        if svc.traffic is not None:
            ns = svc.traffic.namespace
            lb = v[f"{name}/lb"]
            tgs = v[f"{name}/tgs"]
            per_tg = [{"LoadBalancer": lb, "TargetGroup": tg} for tg in tgs]
            if ns == "AWS/ApplicationELB":
                row.append(
                    _widget(
                        f"{name}: requests and 5xx",
                        [[ns, "RequestCount", *_dims(d), {"stat": "Sum"}] for d in per_tg]
                        + [
                            [ns, "HTTPCode_Target_5XX_Count", *_dims(d), {"stat": "Sum"}]
                            for d in per_tg
                        ],
                        region,
                    )
                )
                row.append(
                    _widget(
                        f"{name}: p99 response time (s)",
                        [[ns, "TargetResponseTime", *_dims(d), {"stat": "p99"}] for d in per_tg],
                        region,
                    )
                )
            row.append(
                _widget(
                    f"{name}: healthy / unhealthy targets",
                    [[ns, "HealthyHostCount", *_dims(d)] for d in per_tg]
                    + [[ns, "UnHealthyHostCount", *_dims(d)] for d in per_tg],
                    region,
                )
            )
        width = 24 // len(row)
        for i, widget in enumerate(row):
            widgets.append({**widget, "x": i * width, "y": y, "width": width, "height": 6})
        y += 6
    return {"widgets": widgets}


def _dims(dims: Mapping[str, str]) -> list[str]:
    return [x for key, value in dims.items() for x in (key, value)]


def _widget(title: str, metrics: list[list[Any]], region: str) -> dict[str, Any]:
    return {
        "type": "metric",
        "properties": {
            "title": title,
            "metrics": metrics,
            "region": region,
            "period": 60,
            "stat": "Average",
            "view": "timeSeries",
        },
    }
