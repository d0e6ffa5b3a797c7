"""Defaults that span sections of a stack file, applied to the raw config before validation.

A stack that configures no load balancer but has a service asking for a port (`containerPort`,
no `loadBalancer`, no Service Connect, not on the team's own servers) gets one internet-facing
ALB named `public`, and those services route to it with the catch-all rule. So region plus one
image and its port is a complete stack. A stack that lists any load balancer gets none added:
its services attach by name as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_LOAD_BALANCER = "public"


def wants_default_load_balancer(service: Any) -> bool:
    return (
        isinstance(service, Mapping)
        and service.get("containerPort") is not None
        and service.get("loadBalancer") is None
        and service.get("serviceConnect") is None
        and service.get("launchType") != "EXTERNAL"
    )


def with_default_load_balancer(data: Any) -> Any:
    """`data` (StackConfig input, camelCase keys) with the default ALB added when it applies."""
    if not isinstance(data, Mapping) or data.get("loadBalancers"):
        return data
    services = data.get("services")
    if not isinstance(services, Mapping):
        return data
    wanting = [name for name, spec in services.items() if wants_default_load_balancer(spec)]
    if not wanting:
        return data
    ref = {"name": DEFAULT_LOAD_BALANCER}
    return {
        **data,
        "loadBalancers": {DEFAULT_LOAD_BALANCER: {}},
        "services": {
            name: {**spec, "loadBalancer": ref} if name in wanting else spec
            for name, spec in services.items()
        },
    }
