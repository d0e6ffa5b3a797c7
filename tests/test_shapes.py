"""AWS's own models (botocore) for every resource type a stack plans: each type has shape
checks, and the checks refuse what AWS would refuse."""

from __future__ import annotations

import pytest

from offline import shapes
from tests.test_stacks import STACKS, stack_plan  # every stack file that exists


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_resource_type_a_stack_plans_is_checked_against_an_aws_shape(stack):
    planned = {
        r.type for r in stack_plan(stack).resources if r.custom and r.type.startswith("aws:")
    }
    missing = sorted(planned - set(shapes.CHECKS) - set(shapes.EXEMPT))
    assert missing == [], f"no botocore shape checks (offline/shapes) for {missing}"


def test_exemptions_say_why_and_are_not_also_checked():
    for type_, why in shapes.EXEMPT.items():
        assert why and type_ not in shapes.CHECKS


@pytest.mark.parametrize(
    ("type_", "inputs", "fragment"),
    [
        ("aws:ec2/vpc:Vpc", {"cidrBlock": "10.0.0.1/16"}, "is not a CIDR block"),
        ("aws:ec2/vpc:Vpc", {"instanceTenancy": "shared"}, "not one of default, dedicated"),
        ("aws:ec2/eip:Eip", {"domain": "classic"}, "DomainType"),
        ("aws:ec2/launchTemplate:LaunchTemplate", {"instanceType": "m7g.huge"}, "InstanceType"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"fromPort": 70000},
         "is not a port"),
        ("aws:cloudwatch/logGroup:LogGroup", {"name": "/ecs/app name"}, "does not match"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", {"evaluationPeriods": 0}, "below the minimum"),
        ("aws:cloudwatch/dashboard:Dashboard", {"dashboardBody": "{widgets"}, "not JSON"),
        ("aws:sqs/queue:Queue", {"messageRetentionSeconds": 30}, "must be 60..1209600"),
        ("aws:kms/key:Key", {"deletionWindowInDays": 400}, "above the maximum"),
        ("aws:iam/role:Role", {"maxSessionDuration": 60}, "below the minimum"),
        ("aws:iam/rolePolicy:RolePolicy", {"name": "my policy"}, "does not match"),
        ("aws:ecr/repository:Repository", {"name": "Shop/Web"}, "does not match"),
        ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
         {"rules": [{"status": "On"}]}, "ExpirationStatus"),
        ("aws:ssm/activation:Activation", {"registrationLimit": 2000}, "above the maximum"),
        ("aws:appautoscaling/scheduledAction:ScheduledAction", {"name": "night/1"},
         "does not match"),
        ("aws:autoscaling/group:Group", {"healthCheckType": "E" * 40}, "above the maximum"),
        ("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
         {"defaultCapacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 2000}]},
         "above the maximum"),
        ("aws:lb/targetGroup:TargetGroup", {"deregistrationDelay": 4000}, "0..3600"),
        ("aws:servicediscovery/httpNamespace:HttpNamespace", {"name": "arn:x"}, "does not match"),
        ("aws:wafv2/webAclAssociation:WebAclAssociation", {"resourceArn": "arn"}, "below"),
    ],
)  # fmt: skip
def test_inputs_aws_refuses_are_found(type_, inputs, fragment):
    errors = shapes.check_resource(type_, inputs, "x")
    assert any(fragment in e for e in errors), errors


def test_what_the_shipped_stacks_send_passes_every_shape():
    for stack in STACKS:
        result = stack_plan(stack)
        assert [
            e for r in result.resources for e in shapes.check_resource(r.type, r.inputs, r.name)
        ] == []
