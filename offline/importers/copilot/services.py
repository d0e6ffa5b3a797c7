"""A Copilot Load Balanced Web Service or Backend Service -> an entry of `ecs-platform:services`:
its container, port, count, storage, sidecars, deployment, log retention, load balancer route
and ECS Exec."""

from __future__ import annotations

from typing import Any

from components.specs.common import LOG_RETENTION_DAYS

from .context import Workload
from .count import service_count
from .network import workload_network
from .report import rest
from .routing import http_route, nlb_route, port_number
from .sidecars import task_containers
from .tables import DEPLOYMENT_UNMAPPED, SERVICE_KEYS, UNMAPPED


def map_service(w: Workload, spec: dict[str, Any], internal: bool) -> dict[str, Any]:
    """`internal`: a Backend Service (behind the internal ALB, never the NLB)."""
    doc = w.doc
    image = doc.get("image") or {}
    port = port_number(image.get("port"))
    if port is not None:
        spec["containerPort"] = port
    alb = isinstance(doc.get("http"), dict) and port is not None
    spec.update(service_count(doc.get("count"), w.add, alb=alb))
    workload_network(w, report_placement=True)
    task_containers(w, spec, port, "service")
    _deployment(w, spec)
    _logging(w, spec)
    _route(w, spec, internal, port)
    if doc.get("exec") is True:
        spec["executeCommand"] = True  # ECS Exec, sessions logged (refused in prod by policy)
    elif doc.get("exec") not in (None, False):
        w.add("unmapped", "exec", f"{doc['exec']!r}: executeCommand takes true or false")
    rest(w, SERVICE_KEYS)
    return spec


def _route(w: Workload, spec: dict[str, Any], internal: bool, port: int | None) -> None:
    """The ALB route of `http`, else the NLB listener of `nlb`: one load balancer a service."""
    http = w.doc.get("http")
    nlb = w.doc.get("nlb")
    if isinstance(http, dict) and port is not None:
        http_route(w, spec, http, internal, port)
        if nlb:
            w.add(
                "unmapped",
                "nlb",
                "a service here sits behind one load balancer; the ALB (http) is imported",
            )
    elif isinstance(http, dict):
        w.add("unmapped", "http", "needs image.port; no load balancer")
    elif isinstance(nlb, dict) and port is not None and not internal:
        nlb_route(w, spec, nlb, port)


def _deployment(w: Workload, spec: dict[str, Any]) -> None:
    deployment = w.doc.get("deployment") or {}
    if deployment.get("rolling") == "recreate":
        spec["minHealthyPercent"] = 0
        spec["maxPercent"] = 100
    for key in deployment:
        if key == "rolling":
            continue
        w.add("unmapped", f"deployment.{key}", DEPLOYMENT_UNMAPPED)


def _logging(w: Workload, spec: dict[str, Any]) -> None:
    """logging.retention -> logRetentionDays; FireLens routing is reported."""
    retention = (w.doc.get("logging") or {}).get("retention")
    if retention is not None:
        if retention in LOG_RETENTION_DAYS:
            spec["logRetentionDays"] = retention
        else:
            w.add(
                "unmapped",
                "logging.retention",
                f"{retention} is not a CloudWatch Logs retention",
            )
    for key in w.doc.get("logging") or {}:
        if key != "retention":
            w.add("unmapped", f"logging.{key}", UNMAPPED["logging"])
