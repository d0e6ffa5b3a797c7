"""How a workload is reached: a ClusterIP Service, an ALB Ingress, or an NLB Service, all for
the AWS Load Balancer Controller with IP targets (the only kind EKS Fargate supports).

ALB (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/):
the services of one ECS load balancer form one IngressGroup (`group.name` = its name), so they
share one ALB as they share it on ECS; the listener rule order follows the ECS rule priorities
(`group.order`); health check, deregistration delay, TLS, WAF and client CIDRs carry over as
annotations. Paths keep the ALB's own wildcard syntax (pathType ImplementationSpecific).

NLB (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/):
a Service of type LoadBalancer with loadBalancerClass service.k8s.aws/nlb. The controller gives
each such Service its own NLB, so services sharing one NLB on ECS get one NLB each here.
"""

from __future__ import annotations

import json
from typing import Any

from components.specs.load_balancer import LoadBalancerSpec

from .pod import labels
from .workloads import Workload

ALB = "alb.ingress.kubernetes.io/"
NLB = "service.beta.kubernetes.io/aws-load-balancer-"


def _meta(workload: Workload, namespace: str, annotations: dict[str, str] | None = None) -> dict:
    meta: dict[str, Any] = {
        "name": workload.name,
        "namespace": namespace,
        "labels": labels(workload),
    }
    if annotations:
        meta["annotations"] = annotations
    return meta


def _ports(workload: Workload) -> list[dict[str, Any]]:
    spec = workload.spec
    port = spec.container_port
    numbers: list[int] = []
    if port is not None and workload.load_balancer is not None:
        numbers.append(port)
    connect = spec.service_connect
    if port is not None and connect is not None and connect.expose:
        numbers.append(connect.port or port)
    out = []
    for number in dict.fromkeys(numbers):
        name = "http" if number == port else f"connect-{number}"
        out.append({"name": name, "port": number, "targetPort": "http", "protocol": "TCP"})
    return out


def cluster_service(workload: Workload, namespace: str) -> dict[str, Any] | None:
    """ClusterIP Service: the ALB's backend and the in-cluster name callers use (Service
    Connect's dnsName becomes `<name>` in the namespace)."""
    if workload.network_lb:
        return None
    ports = _ports(workload)
    if not ports:
        return None
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(workload, namespace),
        "spec": {"type": "ClusterIP", "selector": labels(workload), "ports": ports},
    }


def _lb_attributes(lb: LoadBalancerSpec, alb: bool) -> str:
    attrs = []
    if alb:
        attrs.append(f"idle_timeout.timeout_seconds={lb.idle_timeout_seconds}")
    if lb.deletion_protection:
        attrs.append("deletion_protection.enabled=true")
    return ",".join(attrs)


def ingress(
    workload: Workload, namespace: str, order: int, client_cidrs: list[str]
) -> dict[str, Any]:
    lb, route = workload.load_balancer, workload.spec.load_balancer
    assert lb is not None and route is not None and workload.load_balancer_name
    hc = route.health_check
    notes = {
        "group.name": workload.load_balancer_name,
        "group.order": str(order),
        "scheme": "internal" if lb.internal else "internet-facing",
        "target-type": "ip",
        "listen-ports": json.dumps([{"HTTP": 80}, {"HTTPS": 443}] if lb.https else [{"HTTP": 80}]),
        "healthcheck-path": hc.path,
        "healthcheck-interval-seconds": str(hc.interval_seconds),
        "healthcheck-timeout-seconds": str(hc.timeout_seconds),
        "healthy-threshold-count": str(hc.healthy_threshold),
        "unhealthy-threshold-count": str(hc.unhealthy_threshold),
        "success-codes": hc.matcher,
        "target-group-attributes": (
            f"deregistration_delay.timeout_seconds={route.deregistration_delay_seconds}"
        ),
        "inbound-cidrs": ",".join(client_cidrs),
    }
    if lb.https:
        assert lb.certificate_arn is not None
        notes |= {
            "certificate-arn": lb.certificate_arn,
            "ssl-policy": lb.ssl_policy,
            "ssl-redirect": "443",
        }
    if lb.web_acl_arn:
        notes["wafv2-acl-arn"] = lb.web_acl_arn
    attributes = _lb_attributes(lb, alb=True)
    if attributes:
        notes["load-balancer-attributes"] = attributes
    backend = {"service": {"name": workload.name, "port": {"name": "http"}}}
    paths = [
        {"path": p, "pathType": "ImplementationSpecific", "backend": backend}
        for p in (route.path_patterns or ["/*"])
    ]
    hosts: list[str | None] = list(route.host_headers) or [None]
    rules = [{**({"host": h} if h else {}), "http": {"paths": paths}} for h in hosts]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": _meta(workload, namespace, {ALB + k: v for k, v in notes.items()}),
        "spec": {"ingressClassName": "alb", "rules": rules},
    }


def nlb_service(workload: Workload, namespace: str, client_cidrs: list[str]) -> dict[str, Any]:
    lb, route = workload.load_balancer, workload.spec.load_balancer
    assert lb is not None and route is not None and workload.spec.container_port is not None
    hc = route.health_check
    port = route.listener_port or workload.spec.container_port
    notes = {
        "type": "external",
        "nlb-target-type": "ip",
        "scheme": "internal" if lb.internal else "internet-facing",
        "healthcheck-protocol": "TCP",
        "healthcheck-interval": str(hc.interval_seconds),
        "healthcheck-healthy-threshold": str(hc.healthy_threshold),
        "healthcheck-unhealthy-threshold": str(hc.unhealthy_threshold),
        "target-group-attributes": (
            f"deregistration_delay.timeout_seconds={route.deregistration_delay_seconds}"
        ),
    }
    if lb.https:
        assert lb.certificate_arn is not None
        notes |= {
            "ssl-cert": lb.certificate_arn,
            "ssl-ports": str(port),
            "ssl-negotiation-policy": lb.ssl_policy,
        }
    attributes = _lb_attributes(lb, alb=False)
    if attributes:
        notes["attributes"] = attributes
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(workload, namespace, {NLB + k: v for k, v in notes.items()}),
        "spec": {
            "type": "LoadBalancer",
            "loadBalancerClass": "service.k8s.aws/nlb",
            "loadBalancerSourceRanges": client_cidrs,
            "selector": labels(workload),
            "ports": [{"name": "tls" if lb.https else "tcp", "port": port,
                       "targetPort": "http", "protocol": "TCP"}],
        },
    }  # fmt: skip
