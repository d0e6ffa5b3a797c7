"""A fresh stack's creation time: the longest path through the planned dependency graph.

Each resource is weighted by its type's typical creation time: the historical averages that
aws-cloudformation/rain's `forecast` uses (https://github.com/aws-cloudformation/rain,
internal/cmd/forecast), with [est] where none is given; docs/model-basis.md lists them. A
dependency on a component waits for all its children. The same seconds apply to every tool
that creates the same resources, so the figure compares stacks, not deployment tools.
"""

from __future__ import annotations

from .engine import Captured
from .topology import Graph

# Creation seconds per type: rain's historical averages unless marked [est].
CREATE_SECONDS: dict[str, float] = {
    "aws:ec2/vpc:Vpc": 12,
    "aws:ec2/subnet:Subnet": 4,
    "aws:ec2/internetGateway:InternetGateway": 29,  # 17 create + 12 attach (vpcId given)
    "aws:ec2/eip:Eip": 17,
    "aws:ec2/natGateway:NatGateway": 106,
    "aws:ec2/securityGroup:SecurityGroup": 6,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 6,
    "aws:ec2/routeTable:RouteTable": 2,  # [est]
    "aws:ec2/route:Route": 2,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,  # [est]
    "aws:ec2/vpcEndpoint:VpcEndpoint": 47,
    "aws:ec2/instance:Instance": 60,  # [est] until running
    "aws:ec2/launchTemplate:LaunchTemplate": 6,
    # 3 s to create, plus [est] 90 s for instances to boot and register before tasks fit.
    "aws:autoscaling/group:Group": 93,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 2,  # [est]
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 2,  # [est]
    "aws:lb/loadBalancer:LoadBalancer": 116,
    "aws:lb/targetGroup:TargetGroup": 18,
    "aws:lb/listener:Listener": 2,
    "aws:lb/listenerRule:ListenerRule": 2,
    "aws:acm/certificateValidation:CertificateValidation": 239,
    "aws:route53/record:Record": 20,
    "aws:iam/role:Role": 12,
    "aws:iam/rolePolicy:RolePolicy": 17,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 17,
    "aws:iam/instanceProfile:InstanceProfile": 126,
    "aws:cloudwatch/logGroup:LogGroup": 1,
    "aws:ecr/repository:Repository": 1,
    "aws:ecs/cluster:Cluster": 5,
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": 5,  # [est]
    "aws:ecs/capacityProvider:CapacityProvider": 5,  # [est]
    "aws:ecs/taskDefinition:TaskDefinition": 4,
    "aws:ecs/service:Service": 119,
    "aws:kms/key:Key": 10,  # [est]
    "aws:servicediscovery/httpNamespace:HttpNamespace": 45,  # [est] asynchronous operation
    "aws:wafv2/webAclAssociation:WebAclAssociation": 5,  # [est]
    "aws:appautoscaling/target:Target": 2,  # [est]
    "aws:appautoscaling/policy:Policy": 2,  # [est]
    "aws:cloudwatch/metricAlarm:MetricAlarm": 2,  # [est]
}
OTHER_CREATE_SECONDS = 3  # [est] S3 bucket settings and anything not listed


def create_seconds(r: Captured) -> float:
    if not r.custom:
        return 0.0
    if (
        r.type == "aws:ec2/vpcEndpoint:VpcEndpoint"
        and r.inputs.get("vpcEndpointType") != "Interface"
    ):
        return 5.0  # [est] gateway endpoints are route-table entries
    return float(CREATE_SECONDS.get(r.type, OTHER_CREATE_SECONDS))


def critical_path(graph: Graph) -> tuple[float, list[tuple[Captured, float]]]:
    """Longest creation path; a dependency on a component waits for all its descendants."""
    children: dict[str, list[str]] = {}
    for r in graph.resources:
        if r.parent:
            children.setdefault(r.parent, []).append(r.urn)

    def expand(urn: str) -> list[str]:
        r = graph.by_urn.get(urn)
        if r is None:
            return []
        if r.custom:
            return [urn]
        return [u for c in children.get(urn, []) for u in expand(c)]

    finish: dict[str, float] = {}
    best_pred: dict[str, str | None] = {}
    visiting: set[str] = set()

    def done(urn: str) -> float:
        if urn in finish:
            return finish[urn]
        if urn in visiting:  # a cycle cannot be planned; treat the back edge as absent
            return 0.0
        visiting.add(urn)
        r = graph.by_urn[urn]
        preds = {p for d in r.dependencies for p in expand(d) if p != urn}
        start, pred = 0.0, None
        for p in sorted(preds):
            t = done(p)
            if t > start:
                start, pred = t, p
        visiting.discard(urn)
        finish[urn] = start + create_seconds(r)
        best_pred[urn] = pred
        return finish[urn]

    custom = [r.urn for r in graph.resources if r.custom]
    if not custom:
        return 0.0, []
    end = max(custom, key=lambda u: (done(u), u))
    path: list[tuple[Captured, float]] = []
    cursor: str | None = end
    while cursor is not None:
        r = graph.by_urn[cursor]
        path.append((r, create_seconds(r)))
        cursor = best_pred.get(cursor)
    return finish[end], list(reversed(path))
