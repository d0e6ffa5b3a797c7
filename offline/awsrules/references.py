"""Reference integrity: every name, ARN or ID a resource input refers to resolves.

A reference resolves when it names a resource of the expected type in the same plan, or a
value the stack file declares (graph.py: declared externals), or a value AWS itself owns
(FARGATE, AWS managed policies). Anything else is a dangling reference: AWS refuses some at
apply time (a target group ARN that does not exist), and accepts others silently (a rollback
alarm name nobody created never fires, and fires the day an unrelated alarm takes the name).

REFERENCES is the table: resource type -> (input path, what it must name). Paths walk lists
with `[]`. The few references that live inside JSON text or derived strings (container log
groups, redrive policies, scaling resource IDs, exported URLs) have small functions below.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

from .base import AwsRule
from .graph import UNKNOWN, Graph, Node, json_document
from .sources import AWS_OWNED_PREFIXES

T = {
    "alarm": "aws:cloudwatch/metricAlarm:MetricAlarm",
    "asg": "aws:autoscaling/group:Group",
    "bucket": "aws:s3/bucket:Bucket",
    "cluster": "aws:ecs/cluster:Cluster",
    "eip": "aws:ec2/eip:Eip",
    "igw": "aws:ec2/internetGateway:InternetGateway",
    "key": "aws:kms/key:Key",
    "lb": "aws:lb/loadBalancer:LoadBalancer",
    "listener": "aws:lb/listener:Listener",
    "log": "aws:cloudwatch/logGroup:LogGroup",
    "lt": "aws:ec2/launchTemplate:LaunchTemplate",
    "namespace": "aws:servicediscovery/httpNamespace:HttpNamespace",
    "nat": "aws:ec2/natGateway:NatGateway",
    "profile": "aws:iam/instanceProfile:InstanceProfile",
    "provider": "aws:ecs/capacityProvider:CapacityProvider",
    "queue": "aws:sqs/queue:Queue",
    "repo": "aws:ecr/repository:Repository",
    "role": "aws:iam/role:Role",
    "route_table": "aws:ec2/routeTable:RouteTable",
    "rule": "aws:lb/listenerRule:ListenerRule",
    "scaling_policy": "aws:appautoscaling/policy:Policy",
    "schedule_group": "aws:scheduler/scheduleGroup:ScheduleGroup",
    "sg": "aws:ec2/securityGroup:SecurityGroup",
    "subnet": "aws:ec2/subnet:Subnet",
    "taskdef": "aws:ecs/taskDefinition:TaskDefinition",
    "tg": "aws:lb/targetGroup:TargetGroup",
    "vpc": "aws:ec2/vpc:Vpc",
    "service": "aws:ecs/service:Service",
    "capacity": "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
}
FARGATE = ("FARGATE", "FARGATE_SPOT")
STRATEGY = (T["provider"],)
NETWORK = {"subnets[]": (T["subnet"],), "securityGroups[]": (T["sg"],)}

REFERENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "aws:ecs/service:Service": {
        "cluster": (T["cluster"], T["capacity"]),
        "taskDefinition": (T["taskdef"],),
        "alarms.alarmNames[]": (T["alarm"],),
        "capacityProviderStrategies[].capacityProvider": STRATEGY,
        "loadBalancers[].targetGroupArn": (T["tg"],),
        "loadBalancers[].advancedConfiguration.alternateTargetGroupArn": (T["tg"],),
        "loadBalancers[].advancedConfiguration.productionListenerRule": (
            T["rule"], T["listener"],
        ),
        "loadBalancers[].advancedConfiguration.testListenerRule": (T["rule"], T["listener"]),
        "loadBalancers[].advancedConfiguration.roleArn": (T["role"],),
        "deploymentConfiguration.lifecycleHooks[].roleArn": (T["role"],),
        **{f"networkConfiguration.{k}": v for k, v in NETWORK.items()},
        "serviceConnectConfiguration.namespace": (T["namespace"],),
        "serviceConnectConfiguration.logConfiguration.options.awslogs-group": (T["log"],),
    },
    "aws:ecs/taskDefinition:TaskDefinition": {
        "executionRoleArn": (T["role"],),
        "taskRoleArn": (T["role"],),
    },
    "aws:ecs/cluster:Cluster": {
        "configuration.executeCommandConfiguration.kmsKeyId": (T["key"],),
        "configuration.executeCommandConfiguration.logConfiguration.cloudWatchLogGroupName": (
            T["log"],
        ),
        "serviceConnectDefaults.namespace": (T["namespace"],),
    },
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": {
        "clusterName": (T["cluster"],),
        "capacityProviders[]": STRATEGY,
        "defaultCapacityProviderStrategies[].capacityProvider": STRATEGY,
    },
    "aws:ecs/capacityProvider:CapacityProvider": {
        "cluster": (T["cluster"],),
        "autoScalingGroupProvider.autoScalingGroupArn": (T["asg"],),
        "managedInstancesProvider.infrastructureRoleArn": (T["role"],),
        "managedInstancesProvider.instanceLaunchTemplate.ec2InstanceProfileArn": (T["profile"],),
        "managedInstancesProvider.instanceLaunchTemplate.networkConfiguration.subnets[]": (
            T["subnet"],
        ),
        "managedInstancesProvider.instanceLaunchTemplate.networkConfiguration.securityGroups[]": (
            T["sg"],
        ),
    },
    "aws:cloudwatch/logGroup:LogGroup": {"kmsKeyId": (T["key"],)},
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        "alarmActions[]": (T["scaling_policy"],),
        "okActions[]": (T["scaling_policy"],),
    },
    "aws:iam/rolePolicy:RolePolicy": {"role": (T["role"],)},
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {"role": (T["role"],), "policyArn": ()},
    "aws:iam/instanceProfile:InstanceProfile": {"role": (T["role"],)},
    "aws:scheduler/schedule:Schedule": {
        "groupName": (T["schedule_group"],),
        "target.arn": (T["cluster"],),
        "target.roleArn": (T["role"],),
        "target.deadLetterConfig.arn": (T["queue"],),
        "target.ecsParameters.taskDefinitionArn": (T["taskdef"],),
        "target.ecsParameters.capacityProviderStrategies[].capacityProvider": STRATEGY,
        **{f"target.ecsParameters.networkConfiguration.{k}": v for k, v in NETWORK.items()},
    },
    "aws:lb/loadBalancer:LoadBalancer": {
        "subnets[]": (T["subnet"],),
        "securityGroups[]": (T["sg"],),
        "accessLogs.bucket": (T["bucket"],),
        "connectionLogs.bucket": (T["bucket"],),
    },
    "aws:lb/listener:Listener": {
        "loadBalancerArn": (T["lb"],),
        "defaultActions[].targetGroupArn": (T["tg"],),
        "defaultActions[].forward.targetGroups[].arn": (T["tg"],),
    },
    "aws:lb/listenerRule:ListenerRule": {
        "listenerArn": (T["listener"],),
        "actions[].targetGroupArn": (T["tg"],),
        "actions[].forward.targetGroups[].arn": (T["tg"],),
    },
    "aws:lb/targetGroup:TargetGroup": {"vpcId": (T["vpc"],)},
    "aws:wafv2/webAclAssociation:WebAclAssociation": {"resourceArn": (T["lb"],)},
    "aws:ec2/subnet:Subnet": {"vpcId": (T["vpc"],)},
    "aws:ec2/securityGroup:SecurityGroup": {"vpcId": (T["vpc"],)},
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {"vpcId": (T["vpc"],)},
    "aws:ec2/internetGateway:InternetGateway": {"vpcId": (T["vpc"],)},
    "aws:ec2/routeTable:RouteTable": {"vpcId": (T["vpc"],)},
    "aws:ec2/route:Route": {
        "routeTableId": (T["route_table"],),
        "gatewayId": (T["igw"],),
        "natGatewayId": (T["nat"],),
    },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        "subnetId": (T["subnet"],),
        "routeTableId": (T["route_table"],),
    },
    "aws:ec2/natGateway:NatGateway": {"subnetId": (T["subnet"],), "allocationId": (T["eip"],)},
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        "vpcId": (T["vpc"],),
        "subnetIds[]": (T["subnet"],),
        "routeTableIds[]": (T["route_table"],),
        "securityGroupIds[]": (T["sg"],),
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        "securityGroupId": (T["sg"],),
        "referencedSecurityGroupId": (T["sg"],),
    },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
        "securityGroupId": (T["sg"],),
        "referencedSecurityGroupId": (T["sg"],),
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        "iamInstanceProfile.arn": (T["profile"],),
        "vpcSecurityGroupIds[]": (T["sg"],),
    },
    "aws:autoscaling/group:Group": {
        "vpcZoneIdentifiers[]": (T["subnet"],),
        "launchTemplate.id": (T["lt"],),
    },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": {"repository": (T["repo"],)},
    "aws:s3/bucketPolicy:BucketPolicy": {"bucket": (T["bucket"],)},
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {"bucket": (T["bucket"],)},
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        "bucket": (T["bucket"],)
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        "bucket": (T["bucket"],)
    },
    "aws:ssm/activation:Activation": {"iamRole": (T["role"],)},
}  # fmt: skip

# Built-in values some fields accept besides a planned resource.
BUILTIN: dict[str, tuple[str, ...]] = {
    "capacityProviderStrategies[].capacityProvider": FARGATE,
    "capacityProviders[]": FARGATE,
    "defaultCapacityProviderStrategies[].capacityProvider": FARGATE,
    "target.ecsParameters.capacityProviderStrategies[].capacityProvider": FARGATE,
}


def _ok(graph: Graph, value: object, types: tuple[str, ...], builtin: tuple[str, ...]) -> bool:
    if value in builtin or graph.declared(value):
        return True
    if isinstance(value, str) and value.startswith(AWS_OWNED_PREFIXES):
        return True
    return graph.resolve(value, *types) is not None if types else False


def _table(graph: Graph) -> Iterator[tuple[Node, str]]:
    for node in graph.nodes:
        for path, types in REFERENCES.get(node.type, {}).items():
            for where, value in node.values(path):
                if not _ok(graph, value, types, BUILTIN.get(path, ())):
                    kinds = " or ".join(t.rsplit(":", 1)[-1] for t in types) or "resource"
                    yield (
                        node,
                        (
                            f"{where} = {value!r} names no {kinds} in this plan and is not "
                            "declared in the stack file"
                        ),
                    )


def _container_log_groups(graph: Graph) -> Iterator[tuple[Node, str]]:
    for node in graph.of_type(T["taskdef"]):
        containers = json_document(node.inputs.get("containerDefinitions")) or []
        for c in containers if isinstance(containers, list) else []:
            options = (c.get("logConfiguration") or {}).get("options") or {}
            group = options.get("awslogs-group")
            if group is not None and not _ok(graph, group, (T["log"],), ()):
                yield (
                    node,
                    (
                        f"container {c.get('name')!r} logs to {group!r}, a log group this plan "
                        "does not create"
                    ),
                )


def _redrive_targets(graph: Graph) -> Iterator[tuple[Node, str]]:
    for node in graph.of_type(T["queue"]):
        redrive = json_document(node.inputs.get("redrivePolicy")) or {}
        target = redrive.get("deadLetterTargetArn") if isinstance(redrive, dict) else None
        if target is not None and not _ok(graph, target, (T["queue"],), ()):
            yield node, f"redrivePolicy.deadLetterTargetArn = {target!r} names no queue"


def _scaling_targets(graph: Graph) -> Iterator[tuple[Node, str]]:
    """`service/<cluster>/<service>`: both parts name planned (or declared) resources."""
    targets = graph.of_type("aws:appautoscaling/target:Target")
    ids = {t.inputs.get("resourceId") for t in targets}
    for node in targets:
        rid = node.inputs.get("resourceId")
        if not isinstance(rid, str) or rid == UNKNOWN or not rid.startswith("service/"):
            continue
        parts = rid.split("/")
        if len(parts) != 3:
            yield node, f"resourceId {rid!r} is not service/<cluster>/<service>"
            continue
        if not _ok(graph, parts[1], (T["cluster"], T["capacity"]), ()):
            yield node, f"resourceId {rid!r}: no cluster {parts[1]!r} in this plan"
        if not _ok(graph, parts[2], (T["service"],), ()):
            yield node, f"resourceId {rid!r}: no ECS service {parts[2]!r} in this plan"
    for node in graph.of_type(
        "aws:appautoscaling/policy:Policy", "aws:appautoscaling/scheduledAction:ScheduledAction"
    ):
        rid = node.inputs.get("resourceId")
        if rid not in ids and not graph.declared(rid):
            yield node, f"resourceId {rid!r} has no scalable target in this plan"


def _existing_hosts(graph: Graph) -> set[str]:
    """Host names of services routed through a load balancer the stack does not create (its
    DNS is the team's own, declared by adopting the listener)."""
    config = graph.config
    if config is None:
        return set()
    existing = {n for n, lb in config.load_balancers.items() if lb.existing is not None}
    return {
        host
        for spec in config.services.values()
        if spec.load_balancer is not None and spec.load_balancer.name in existing
        for host in spec.load_balancer.host_headers
    }


def _exported_urls(graph: Graph) -> Iterator[tuple[Node | None, str]]:
    """Exported URLs resolve: their host is a load balancer's DNS name in this plan, or a host
    on a load balancer the stack adopts (whose DNS the team already has)."""
    services = (graph.outputs or {}).get("services") or {}
    dns = {n for lb in graph.of_type(T["lb"]) for n in lb.ids if n.endswith(".amazonaws.com")}
    hosts = dns | _existing_hosts(graph)
    for name, out in services.items():
        url = out.get("url") if isinstance(out, dict) else None
        if not isinstance(url, str):
            continue
        host = urlparse(url).hostname or ""
        if host not in hosts and not graph.declared(host):  # e.g. the platform's ALB
            yield (
                None,
                (
                    f"services.{name}.url {url!r}: no DNS record in this plan answers {host!r} "
                    "(export the load balancer's DNS name, or create the record)"
                ),
            )


def _all(graph: Graph) -> Iterator[tuple[Node | None, str]]:
    yield from _table(graph)
    yield from _container_log_groups(graph)
    yield from _redrive_targets(graph)
    yield from _scaling_targets(graph)


RULES = [
    AwsRule(
        id="reference-resolves",
        title="Every name, ARN or ID an input refers to resolves",
        url="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
        "deployment-alarm-failure.html",
        reason="AWS refuses a reference to a resource that does not exist (a target group, "
        "role, key or log group), or accepts it silently where it is only a name (ECS "
        "deployment alarms are watched by name and never checked).",
        check=_all,
        pack=False,  # a preview does not know the stack file's declared values
    ),
    AwsRule(
        id="exported-url-resolves",
        title="Exported URLs resolve to something in the plan",
        url="https://docs.aws.amazon.com/ElasticLoadBalancing/latest/DeveloperGuide/"
        "using-domain-names-with-elb.html",
        reason="Each load balancer has a unique DNS name; a custom domain name reaches it only "
        "once someone maps it (a CNAME or a Route 53 alias record).",
        check=_exported_urls,
        pack=False,  # stack outputs do not exist during a preview
    ),
]
