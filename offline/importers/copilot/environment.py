"""A Copilot environment manifest -> the stack's network, cluster settings and the certificates
its load balancers take; without one, Copilot's default VPC."""

from __future__ import annotations

import re
from typing import Any

from components.config import PROJECT

from .context import Environment
from .network import environment_network
from .parse import Manifest
from .tables import COPILOT_DEFAULT_NETWORK, ENVIRONMENT_KEYS, ENVIRONMENT_UNMAPPED

_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/\S+$")


def environment_manifest(env: Environment, manifest: Manifest | None) -> dict[str, Any]:
    """Map the environment manifest into the stack config; return the cluster settings."""
    cfg = env.stack.config
    if manifest is None:
        cfg[f"{PROJECT}:network"] = dict(COPILOT_DEFAULT_NETWORK)
        env.add(
            "changed",
            f"environments/{env.name}/manifest.yml",
            "no environment manifest: network is Copilot's default VPC (10.0.0.0/16, 2 AZs)",
        )
        return {}
    src, doc = manifest.path, manifest.doc
    network = environment_network(env, src, doc.get("network") or {})
    if network is not None:
        cfg[f"{PROJECT}:network"] = network
    cluster: dict[str, Any] = {}
    insights = (doc.get("observability") or {}).get("container_insights")
    if insights is not None:
        cluster["containerInsights"] = (
            "enhanced" if insights == "enhanced" else "enabled" if insights else "disabled"
        )
    http = doc.get("http") or {}
    for side in ("public", "private"):
        _listener_settings(env, src, f"http.{side}", side, http.get(side) or {})
    for key in doc:
        if key in ENVIRONMENT_KEYS:
            continue
        env.add("unmapped", str(key), ENVIRONMENT_UNMAPPED.get(str(key), "not in the config"), src)
    for key in doc.get("observability") or {}:
        if key != "container_insights":
            env.add("unmapped", f"observability.{key}", "not in the config", src)
    return cluster


def _listener_settings(
    env: Environment, src: str, where: str, side: str, http: dict[str, Any]
) -> None:
    """The certificate of the public or private load balancer; other keys are reported."""
    certs = http.get("certificates") or []
    if certs:
        first = str(certs[0])
        if _ACM_ARN.match(first):
            env.certificates[side] = first
        else:
            env.add(
                "input",
                f"{where}.certificates",
                f"{first} is not an ACM certificate "
                "ARN (fill in ${...} placeholders); HTTPS left out",
                src,
            )
        if len(certs) > 1:
            env.add(
                "unmapped",
                f"{where}.certificates",
                "only one certificate per load balancer is in the config; the first is used",
                src,
            )
    for key in http:
        if key != "certificates":
            env.add("unmapped", f"{where}.{key}", "not in the load balancer config", src)
