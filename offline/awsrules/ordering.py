"""Ordering rules: what must exist before an AWS service starts using it.

Pulumi creates a resource as soon as the resources it depends on exist; a dependency that the
data does not show (a role's policy, an alarm watched by name) must be declared, or AWS is
asked to use something half made. IAM is eventually consistent, so a role handed to a service
must have its grants before the service first acts with it.
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import AwsRule
from .graph import Graph, Node
from .references import T

IAM_CONSISTENCY = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html"
    "#troubleshoot_general_eventual-consistency"
)
DEPLOYMENT_ALARMS = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html"
)

# Inputs that hand a role (or an instance profile) to an AWS service, which acts with it as
# soon as the resource exists: the ECS agent pulls and logs with a task's execution role, the
# scheduler invokes with its role, ECS shifts traffic and calls hooks with its roles, instances
# register with their profile's role, SSM registers servers with the activation's role.
ROLE_USERS: dict[str, tuple[str, ...]] = {
    "aws:ecs/taskDefinition:TaskDefinition": ("executionRoleArn",),
    "aws:scheduler/schedule:Schedule": ("target.roleArn",),
    "aws:ecs/service:Service": (
        "loadBalancers[].advancedConfiguration.roleArn",
        "deploymentConfiguration.lifecycleHooks[].roleArn",
    ),
    "aws:ecs/capacityProvider:CapacityProvider": (
        "managedInstancesProvider.infrastructureRoleArn",
        "managedInstancesProvider.instanceLaunchTemplate.ec2InstanceProfileArn",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": ("iamInstanceProfile.arn",),
    "aws:ssm/activation:Activation": ("iamRole",),
}


def _grants_first(graph: Graph) -> Iterator[tuple[Node, str]]:
    for type_, paths in ROLE_USERS.items():
        for node in graph.of_type(type_):
            for path in paths:
                for where, value in node.values(path):
                    role = graph.role_behind(value)
                    if role is None:
                        continue
                    late = [g.name for g in graph.grants_of(role) if not graph.waits_for(node, g)]
                    if late:
                        yield (
                            node,
                            (
                                f"{where} hands role {role.name} to AWS before its grants exist "
                                f"({', '.join(sorted(late))}): the first use can be denied; depend "
                                "on them"
                            ),
                        )


def _alarms_first(graph: Graph) -> Iterator[tuple[Node, str]]:
    for service in graph.of_type(T["service"]):
        for where, name in service.values("alarms.alarmNames[]"):
            alarm = graph.resolve(name, T["alarm"])
            if alarm is not None and not graph.waits_for(service, alarm):
                yield (
                    service,
                    (
                        f"{where} = {name!r} is created after the service: ECS watches the alarm "
                        "from the first deployment; depend on it"
                    ),
                )


RULES = [
    AwsRule(
        id="role-grants-before-use",
        title="A role handed to an AWS service has its grants first",
        url=IAM_CONSISTENCY,
        reason="IAM changes are eventually consistent; a service that acts with a role before "
        "its policies exist is denied (image pulls, logs, secrets, RunTask, PassRole).",
        check=_grants_first,
    ),
    AwsRule(
        id="deployment-alarms-before-service",
        title="An ECS service's deployment alarms exist before the service",
        url=DEPLOYMENT_ALARMS,
        reason="ECS sets a deployment to failed when a named CloudWatch alarm goes into ALARM; "
        "the alarm must exist when the deployment starts.",
        check=_alarms_first,
    ),
]
