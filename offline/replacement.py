"""Which changes between two plans replace a resource, and which of those lose state or traffic.

`replacements(before, after)` matches resources by URN (the stack segment ignored, so two stacks'
plans compare too) and reports each resource whose change touches a property that forces
replacement. The table is read from the `ForceNew` attributes of the resource schemas in
hashicorp/terraform-provider-aws (https://github.com/hashicorp/terraform-provider-aws, under
internal/service/), which pulumi-aws bridges; `options.replaceOnChanges` adds properties and
`options.ignoreChanges` removes them, as the engine does.

`stateful` marks what a replacement destroys beyond the resource itself: data (log groups,
buckets, keys), a public address, or a DNS name and the registered targets that serve traffic
(load balancers, listeners, target groups). The config can declare a load balancer's or a
target group's replacement intended (`replacementIntended`); `offline diff` and the replacement
guard (offline/guard.py) both refuse the others from this one list, knock-on replacements
included (a replaced load balancer's listeners).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .engine import Captured, Plan

ANY = "*"  # every input except tags and skipDestroy

FORCE_NEW: dict[str, tuple[str, ...]] = {
    "aws:lb/targetGroup:TargetGroup": (
        "name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId",
        "ipAddressType",
    ),
    "aws:lb/loadBalancer:LoadBalancer": (
        "name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool",
        "subnetMappings",
    ),
    "aws:lb/listener:Listener": ("loadBalancerArn",),
    "aws:lb/listenerRule:ListenerRule": ("listenerArn",),
    "aws:ecs/service:Service": (
        "name", "cluster", "launchType", "schedulingStrategy", "iamRole", "deploymentController",
    ),
    "aws:ecs/cluster:Cluster": ("name",),
    "aws:ecs/taskDefinition:TaskDefinition": (ANY,),
    "aws:ecs/capacityProvider:CapacityProvider": ("name",),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "namePrefix"),
    "aws:ec2/vpc:Vpc": ("cidrBlock", "instanceTenancy"),
    "aws:ec2/subnet:Subnet": ("vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"),
    "aws:ec2/natGateway:NatGateway": ("allocationId", "subnetId", "connectivityType"),
    "aws:ec2/eip:Eip": ("domain", "publicIpv4Pool"),
    "aws:ec2/securityGroup:SecurityGroup": ("name", "namePrefix", "vpcId", "description"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("vpcId", "serviceName", "vpcEndpointType"),
    "aws:ec2/instance:Instance": ("ami", "subnetId", "availabilityZone", "userData"),
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix"),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage", "multiRegion"),
    "aws:servicediscovery/httpNamespace:HttpNamespace": ("name",),
    "aws:iam/role:Role": ("name", "namePrefix", "path"),
    "aws:appautoscaling/target:Target": ("resourceId", "scalableDimension", "serviceNamespace"),
    # Every argument of aws_ssm_activation is ForceNew; registered servers stay registered.
    "aws:ssm/activation:Activation": (ANY,),
}  # fmt: skip

# What a replacement loses, per type.
STATEFUL: dict[str, str] = {
    "aws:cloudwatch/logGroup:LogGroup": "its log data",
    "aws:s3/bucket:Bucket": "its objects",
    "aws:kms/key:Key": "the key material (data encrypted with it becomes unreadable)",
    "aws:ec2/eip:Eip": "its public IP address",
    "aws:ec2/natGateway:NatGateway": "its public IP address (egress allow-lists break)",
    "aws:lb/loadBalancer:LoadBalancer": "its DNS name and ARN (clients and DNS records break)",
    "aws:lb/listener:Listener": "traffic on its port while it is recreated",
    "aws:lb/targetGroup:TargetGroup": "its registered targets (traffic drops until re-registered)",
    "aws:ec2/vpc:Vpc": "everything inside it",
    "aws:ec2/subnet:Subnet": "every ENI in it",
    "aws:ecs/cluster:Cluster": "its services and tasks",
    "aws:ecs/service:Service": "its running tasks (scaled to zero, then recreated)",
}
TRAFFIC = (
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/listener:Listener",
    "aws:lb/targetGroup:TargetGroup",
)
NOT_REPLACING = ("tags", "tagsAll", "skipDestroy")
# What uses a target group: while one of these points at it, replacing it drops traffic.
TARGET_GROUP_USERS = (
    "aws:lb/listenerRule:ListenerRule",
    "aws:lb/listener:Listener",
    "aws:ecs/service:Service",
)

# A replaced resource gets a new ID or ARN, which replaces the dependents that hold it in a
# forcing property (a listener's loadBalancerArn, a subnet's vpcId): dependent type -> the
# forcing property and the dependency type it comes from.
CASCADE: dict[str, tuple[tuple[str, str], ...]] = {
    "aws:lb/listener:Listener": (("loadBalancerArn", "aws:lb/loadBalancer:LoadBalancer"),),
    "aws:lb/listenerRule:ListenerRule": (("listenerArn", "aws:lb/listener:Listener"),),
    "aws:lb/targetGroup:TargetGroup": (("vpcId", "aws:ec2/vpc:Vpc"),),
    "aws:ec2/subnet:Subnet": (("vpcId", "aws:ec2/vpc:Vpc"),),
    "aws:ec2/securityGroup:SecurityGroup": (("vpcId", "aws:ec2/vpc:Vpc"),),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (("vpcId", "aws:ec2/vpc:Vpc"),),
    "aws:ec2/natGateway:NatGateway": (
        ("subnetId", "aws:ec2/subnet:Subnet"),
        ("allocationId", "aws:ec2/eip:Eip"),
    ),
    "aws:ecs/service:Service": (("cluster", "aws:ecs/cluster:Cluster"),),
}


@dataclass(frozen=True)
class Replacement:
    urn: str  # in the `after` plan
    type: str
    name: str
    properties: tuple[str, ...]
    loses: str  # "" when nothing beyond the resource is lost
    intended: bool
    protected: bool
    owner: str = ""  # config path whose replacementIntended allows it
    in_use: bool = True  # a target group some listener, rule or service points at

    def describe(self) -> str:
        verdict = "intended" if self.intended else "REFUSED"
        return (
            f"{verdict}: {self.name} [{self.type}] would be replaced "
            f"(changed: {', '.join(self.properties)}); "
            + ("" if self.intended else f"set {self.owner}.replacementIntended: true if meant")
        )

    @property
    def stateful(self) -> bool:
        return bool(self.loses)

    @property
    def refused(self) -> bool:
        """A replacement that drops traffic and that the config did not declare intended."""
        return self.type in TRAFFIC and self.in_use and not self.intended

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "properties": list(self.properties),
            "stateful": self.stateful,
            "loses": self.loses,
            "intended": self.intended,
            "refused": self.refused,
            "protected": self.protected,
        }


def stackless(urn: str) -> str:
    """URN without its stack: `urn:pulumi:dev::p::t::n` -> `p::t::n`."""
    return urn.split("::", 1)[1] if "::" in urn else urn


def changed_properties(before: Captured, after: Captured) -> list[str]:
    keys = set(before.inputs) | set(after.inputs)
    return sorted(k for k in keys if before.inputs.get(k) != after.inputs.get(k))


def forcing(before: Captured, after: Captured) -> tuple[str, ...]:
    """The changed properties of a matched pair that force its replacement."""
    changed = set(changed_properties(before, after)) - set(NOT_REPLACING)
    changed -= set(after.options.get("ignoreChanges") or [])
    table = set(FORCE_NEW.get(after.type, ()))
    table |= set(after.options.get("replaceOnChanges") or [])
    if ANY in table:
        return tuple(sorted(changed))
    found = changed & table
    if after.type == "aws:ecs/service:Service" and "capacityProviderStrategies" in changed:
        # Replaced unless forceNewDeployment is set and neither side is empty (provider docs).
        old = before.inputs.get("capacityProviderStrategies") or []
        new = after.inputs.get("capacityProviderStrategies") or []
        if not after.inputs.get("forceNewDeployment") or not old or not new:
            found.add("capacityProviderStrategies")
    if after.type == "aws:lb/loadBalancer:LoadBalancer" and (
        after.inputs.get("loadBalancerType") == "network"
    ):
        # An NLB cannot lose subnets, nor gain security groups it was created without.
        old_subnets = set(before.inputs.get("subnets") or [])
        if old_subnets - set(after.inputs.get("subnets") or []):
            found.add("subnets (removed from an NLB)")
        if not before.inputs.get("securityGroups") and after.inputs.get("securityGroups"):
            found.add("securityGroups (added to an NLB created without)")
    return tuple(sorted(found))


def replacements(before: Plan, after: Plan, cascade: bool = True) -> list[Replacement]:
    """Resources present in both plans whose change forces replacement, in URN order.

    With `cascade`, also those replaced because a resource they name gets a new ID.
    """
    old = {stackless(r.urn): r for r in before.resources if r.custom}
    pairs = [
        (old[stackless(r.urn)], r)
        for r in sorted(after.resources, key=lambda c: c.urn)
        if r.custom and stackless(r.urn) in old
    ]
    found = {r.urn: set(forcing(prior, r)) for prior, r in pairs}
    by_urn = {r.urn: r for r in after.resources}
    grew = cascade
    while grew:  # follow new IDs down the dependency graph until nothing more is replaced
        grew = False
        for _, r in pairs:
            for prop, dep_type in CASCADE.get(r.type, ()):
                if prop in found[r.urn] or prop in (r.options.get("ignoreChanges") or []):
                    continue
                deps = [by_urn.get(u) for u in r.dependencies]
                if any(d is not None and d.type == dep_type and found.get(d.urn) for d in deps):
                    found[r.urn].add(prop)
                    grew = True
    out = []
    for prior, r in pairs:
        props = tuple(sorted(found[r.urn]))
        if not props:
            continue
        owner, intended = intent(after, r)
        out.append(
            Replacement(
                urn=r.urn,
                type=r.type,
                name=r.name,
                properties=props,
                loses=STATEFUL.get(r.type, ""),
                intended=intended,
                protected=bool(prior.options.get("protect")),
                owner=owner,
                in_use=in_use(before, prior),
            )
        )
    return out


def in_use(plan: Plan, r: Captured) -> bool:
    """Whether traffic depends on `r` in `plan`: load balancers and listeners carry DNS names
    and client connections; a target group only while something points at it."""
    if r.type != "aws:lb/targetGroup:TargetGroup":
        return True
    return any(r.urn in u.dependencies for u in plan.resources if u.type in TARGET_GROUP_USERS)


def intent(plan: Plan, r: Captured) -> tuple[str, bool]:
    """(config path, its replacementIntended) of the load balancer or service that owns `r`."""
    owner = _component(plan, r)
    if owner is None:
        return "", False
    if owner.type == "ecs-platform:service:Service":
        svc = plan.config.services.get(owner.name)
        ref = svc.load_balancer if svc is not None else None
        return f"services.{owner.name}.loadBalancer", bool(ref and ref.replacement_intended)
    lb = plan.config.load_balancers.get(owner.name)
    return f"loadBalancers.{owner.name}", bool(lb and lb.replacement_intended)


def _component(plan: Plan, r: Captured) -> Captured | None:
    by_urn = {c.urn: c for c in plan.resources}
    parent = by_urn.get(r.parent or "")
    while parent is not None and parent.custom:
        parent = by_urn.get(parent.parent or "")
    return parent
