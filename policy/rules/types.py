"""Type tokens, with every alias AWS resources have in pulumi-aws (AWSGuard missed some)."""

from __future__ import annotations


def _lb(kind: str) -> tuple[str, ...]:
    lower = kind[0].lower() + kind[1:]
    return tuple(
        f"aws:{module}/{lower}:{kind}"
        for module in ("lb", "alb", "elasticloadbalancingv2", "applicationloadbalancing")
    )


LOAD_BALANCER = _lb("LoadBalancer")
LISTENER = _lb("Listener")
TARGET_GROUP = _lb("TargetGroup")
LISTENER_RULE = _lb("ListenerRule")
TASK_DEFINITION = ("aws:ecs/taskDefinition:TaskDefinition",)
SERVICE = ("aws:ecs/service:Service",)
TASK_SET = ("aws:ecs/taskSet:TaskSet",)
CLUSTER = ("aws:ecs/cluster:Cluster",)
CLUSTER_CAPACITY = ("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",)
CAPACITY_PROVIDER = ("aws:ecs/capacityProvider:CapacityProvider",)
LAUNCH_TEMPLATE = ("aws:ec2/launchTemplate:LaunchTemplate",)
SUBNET = ("aws:ec2/subnet:Subnet",)
VPC = ("aws:ec2/vpc:Vpc",)
SECURITY_GROUP = ("aws:ec2/securityGroup:SecurityGroup",)
DEFAULT_SECURITY_GROUP = ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",)
INGRESS_RULE = ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",)
EGRESS_RULE = ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",)
SG_RULE = ("aws:ec2/securityGroupRule:SecurityGroupRule",)
ROLE = ("aws:iam/role:Role",)
ROLE_POLICY = ("aws:iam/rolePolicy:RolePolicy",)
IAM_POLICY = ("aws:iam/policy:Policy",)
ROLE_POLICY_ATTACHMENT = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",)
LOG_GROUP = ("aws:cloudwatch/logGroup:LogGroup",)
BUCKET = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
KMS_KEY = ("aws:kms/key:Key",)
ECR_REPOSITORY = ("aws:ecr/repository:Repository",)
ECR_LIFECYCLE = ("aws:ecr/lifecyclePolicy:LifecyclePolicy",)
WAF_ASSOCIATION = ("aws:wafv2/webAclAssociation:WebAclAssociation",)
SCALING_TARGET = ("aws:appautoscaling/target:Target",)
SSM_ACTIVATION = ("aws:ssm/activation:Activation",)
SCALING_ACTION = ("aws:appautoscaling/scheduledAction:ScheduledAction",)
SCHEDULE = ("aws:scheduler/schedule:Schedule",)
NAT_GATEWAY = ("aws:ec2/natGateway:NatGateway",)
INSTANCE = ("aws:ec2/instance:Instance",)
BUCKET_LIFECYCLE = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
