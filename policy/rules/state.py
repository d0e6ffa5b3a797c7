"""Data safety and state rules: protection from config and replace-safe names."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import types as t
from .base import Finding, Resource, Rule, Stack

PROTECTED = t.LOAD_BALANCER + t.LOG_GROUP + t.BUCKET + t.CLUSTER + t.VPC + t.KMS_KEY
RETAINED = t.LOG_GROUP + t.BUCKET


def protect_stateful(stack: Stack, cfg: Mapping[str, Any]) -> Iterator[Finding]:
    retain = bool(cfg["retainOnDelete"])
    for r in stack.of_type(*PROTECTED):
        if r.options.get("protect") is not True:
            yield Finding(
                r.urn,
                "not protected: a delete or replacement would go through; set "
                "ecs-platform:protection.protect in the stack config",
            )
        # pulumi-policy does not expose retainOnDelete; offline plans do.
        if retain and r.type in RETAINED and r.options.get("retainOnDelete") is False:
            yield Finding(
                r.urn,
                "retainOnDelete is off: removing it from the program deletes its data; set "
                "ecs-platform:protection.retainOnDelete",
            )


def target_group_name_prefix(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if r.props.get("name"):
        yield (
            f"fixed name {r.props.get('name')!r}: a replacement must delete first, which fails "
            "while a listener uses it (ResourceInUse); use namePrefix"
        )


def no_fixed_names(r: Resource, cfg: Mapping[str, Any]) -> Iterator[str]:
    if r.props.get("name"):
        yield (
            f"fixed name {r.props.get('name')!r}: a replacement becomes delete-before-replace "
            "(an outage); leave name to auto-naming"
        )


RULES = [
    Rule("pul-protect-stateful", "PUL-01",
         ("Pulumi docs protect / retainOnDelete", "pulumi/pulumi#15956"),
         "Load balancers, log groups, log buckets, the cluster, the VPC and KMS keys are "
         "protected (and log stores retained) from config", "high",
         ("disabled", "advisory", "mandatory"), stack_check=protect_stateful,
         config={"retainOnDelete": True}),
    Rule("pul-target-group-name-prefix", "PUL-02",
         ("pulumi-aws#4220", "pulumi-aws#4226", "pulumi-terraform#465"),
         "Target groups use namePrefix, never a fixed name", "high",
         ("advisory", "mandatory", "mandatory"), t.TARGET_GROUP, target_group_name_prefix),
    Rule("pul-no-fixed-names", "PUL-02", ("pulumi/pulumi#5900", "pulumi-terraform#465"),
         "Load balancers and services leave their name to auto-naming", "low",
         ("advisory",) * 3, t.LOAD_BALANCER + t.SERVICE, no_fixed_names),
]  # fmt: skip
