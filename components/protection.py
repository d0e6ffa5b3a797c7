"""Resource options for stateful resources, from `ecs-platform:protection` (never from code).

`__main__.py` calls `configure()` once with the stack's ProtectionSpec; components pass
`opts=protection.stateful(self)` (or `retained=True` for resources that hold data) instead of
`ResourceOptions(parent=self)`. Everything else is unaffected: protecting whole components
would also protect task definitions, whose every change is a replacement.
"""

from __future__ import annotations

from typing import Any

import pulumi

from .specs.protection import ProtectionSpec

_current = ProtectionSpec(protect=False, retain_on_delete=False)


def configure(spec: ProtectionSpec) -> None:
    global _current
    _current = spec


def stateful(
    parent: pulumi.Resource, *, retained: bool = False, **options: Any
) -> pulumi.ResourceOptions:
    """Options for a stateful child of `parent`: protect (and retainOnDelete if `retained`)."""
    return pulumi.ResourceOptions(
        parent=parent,
        protect=_current.protect,
        retain_on_delete=_current.retain_on_delete if retained else None,
        **options,
    )
