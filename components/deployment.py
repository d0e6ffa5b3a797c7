"""Deployment of a service: how ECS replaces its tasks, what rolls a bad revision back, and what
`pulumi up` waits for.

Creates (children of the Service, names `{service}-{role}`): the deployment alarms
(`operations.traffic_alarms`: 5xx rate and p99 latency on an ALB, unhealthy targets) that roll a
deployment back; for lifecycle hooks that call Lambda functions, the role ECS invokes them with
(`-hooks`, role and policy); for blue/green, canary and linear, the role ECS shifts traffic
between the two target groups with (`-deploy`, asked for by routing.py).
Expects: the service's spec and placement, the deploying account, its load balancer traffic
(if any), and who hears the alarms.

Rolling (the default): min/max percent, circuit breaker with rollback. BLUE_GREEN, CANARY and
LINEAR are ECS-native: ECS shifts the listener's traffic itself, bakes, and keeps the old
revision until the bake is over.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from . import iam, operations, timing
from .specs.service import ServicePlacement, ServiceSpec


class DeploymentRolledBackError(Exception):
    """ECS rolled the deployment back: `pulumi up` must fail, not report success."""


def verify_rollout(name: str, requested: str, running: str) -> str:
    """Fail the update when the service settled on another revision than the one requested.

    What `pulumi up` waits for (docs/model-basis.md, "What pulumi up waits for"): with
    waitForSteadyState, for a new deployment the provider polls the ECS service deployment
    (DescribeServiceDeployments) until SUCCESSFUL, which ECS sets only after the deployment
    alarms' bake, and fails the update with ECS's reason on ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED
    or STOPPED: an alarm rollback during the bake fails `pulumi up`. Otherwise (no new
    deployment, or the provider's fallback: one deployment, running == desired) it returns at
    steady state, and a rollback is caught here: the provider reads the revision the service
    runs back into `taskDefinition`, and a different one than we registered fails the update.
    A rollback that starts after `up` returned is not seen by either.
    """
    if requested != running:
        raise DeploymentRolledBackError(
            f"services.{name}: ECS rolled the deployment back; requested task definition "
            f"{requested.rsplit('/', 1)[-1]} but the service runs {running.rsplit('/', 1)[-1]}. "
            f"See the reason in the service events (aws ecs describe-services --services "
            f"<name> --query 'services[0].events[:5]') and the stopped tasks' stoppedReason."
        )
    return running


@dataclass(frozen=True)
class Rollout:
    """The ECS service's deployment inputs, and what must exist before ECS deploys."""

    force_new_deployment: bool | None
    minimum_healthy_percent: int
    maximum_percent: int
    circuit_breaker: aws.ecs.ServiceDeploymentCircuitBreakerArgs
    configuration: aws.ecs.ServiceDeploymentConfigurationArgs
    alarms: aws.ecs.ServiceAlarmsArgs | None
    wait_for_steady_state: bool
    sigint_rollback: bool | None
    timeouts: pulumi.CustomTimeouts
    # Deployment alarms must exist before ECS watches them; the roles ECS uses for hooks have
    # their grants before it uses them.
    prerequisites: list[pulumi.Resource]


def rollout(
    parent: pulumi.Resource,
    name: str,
    spec: ServiceSpec,
    placement: ServicePlacement,
    *,
    account: pulumi.Output[str],
    traffic: operations.Traffic | None,
) -> Rollout:
    """Create the deployment alarms (and the hooks' role) and return the deployment inputs."""
    # The traffic alarms (5xx rate, p99 latency on an ALB; unhealthy targets) roll a
    # deployment back. ECS takes alarm *names* and does not check they exist, so the names
    # come from the alarms created here, never rebuilt as strings: a name without an alarm
    # would never fire, and would fire on whatever alarm later takes it.
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
    traffic_alarms = (
        operations.traffic_alarms(
            name,
            spec,
            traffic=traffic,
            actions=list(placement.alarm_actions),
            opts=pulumi.ResourceOptions(parent=parent),
        )
        if traffic is not None
        else []
    )
    rollback_alarms = [alarm.name for alarm in traffic_alarms]
    grants: list[pulumi.Resource] = []
    configuration = _configuration(parent, name, spec, account, grants)
    wait = spec.waits_for_steady_state
    timeout = f"{timing.timeout_minutes(spec, placement)}m"
    return Rollout(
        # Only when asked: with it, every update of the service (an alarm list, a count)
        # restarts every task. The provider needs it for the one update that changes the
        # capacity provider strategy in place ("Updating this argument requires
        # force_new_deployment = true"; otherwise the service is replaced).
        # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
        force_new_deployment=spec.deployment.force_new_deployment or None,
        minimum_healthy_percent=spec.min_healthy_percent,
        maximum_percent=spec.max_percent,
        circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
        configuration=configuration,
        alarms=(
            aws.ecs.ServiceAlarmsArgs(
                alarm_names=rollback_alarms,
                enable=True,
                rollback=spec.deployment.rollback_on_alarms,
            )
            if rollback_alarms
            else None
        ),
        wait_for_steady_state=wait,
        # Ctrl-C during the wait rolls the deployment back instead of leaving it half done.
        sigint_rollback=wait or None,
        timeouts=pulumi.CustomTimeouts(create=timeout, update=timeout),
        prerequisites=[*traffic_alarms, *grants],
    )


def _configuration(
    parent: pulumi.Resource,
    name: str,
    spec: ServiceSpec,
    account: pulumi.Output[str],
    grants: list[pulumi.Resource],
) -> aws.ecs.ServiceDeploymentConfigurationArgs:
    dep = spec.deployment
    if dep.strategy == "ROLLING":
        return aws.ecs.ServiceDeploymentConfigurationArgs(strategy="ROLLING")
    return aws.ecs.ServiceDeploymentConfigurationArgs(
        strategy=dep.strategy,
        bake_time_in_minutes=str(dep.bake_time_minutes),
        canary_configuration=(
            aws.ecs.ServiceDeploymentConfigurationCanaryConfigurationArgs(
                canary_percent=dep.canary_percent,
                canary_bake_time_in_minutes=str(dep.canary_bake_time_minutes),
            )
            if dep.strategy == "CANARY"
            else None
        ),
        linear_configuration=(
            aws.ecs.ServiceDeploymentConfigurationLinearConfigurationArgs(
                step_percent=dep.linear_step_percent,
                step_bake_time_in_minutes=str(dep.linear_step_bake_time_minutes),
            )
            if dep.strategy == "LINEAR"
            else None
        ),
        lifecycle_hooks=_lifecycle_hooks(parent, name, spec, account, grants),
    )


def _lifecycle_hooks(
    parent: pulumi.Resource,
    name: str,
    spec: ServiceSpec,
    account: pulumi.Output[str],
    grants: list[pulumi.Resource],
) -> list[aws.ecs.ServiceDeploymentConfigurationLifecycleHookArgs] | None:
    """Lambda hooks (ECS invokes them with a role of their own) and pause hooks."""
    hooks = spec.deployment.lifecycle_hooks
    if not hooks:
        return None
    lambdas = [h.lambda_arn for h in hooks if h.lambda_arn is not None]
    role_arn = None
    if lambdas:
        role = ecs_role(
            parent,
            f"{name}-hooks",
            f"ECS invokes the deployment lifecycle hooks of {name}",
            account,
        )
        grants.append(aws.iam.RolePolicy(
            f"{name}-hooks",
            role=role.id,
            policy=iam.invoke_hooks_policy(lambdas),
            opts=pulumi.ResourceOptions(parent=parent),
        ))  # fmt: skip
        role_arn = role.arn
    return [
        aws.ecs.ServiceDeploymentConfigurationLifecycleHookArgs(
            lifecycle_stages=h.stages,
            target_type="AWS_LAMBDA" if h.lambda_arn else "PAUSE",
            hook_target_arn=h.lambda_arn,
            role_arn=role_arn if h.lambda_arn else None,
            timeout_configuration=(
                None
                if h.lambda_arn
                else aws.ecs.ServiceDeploymentConfigurationLifecycleHookTimeoutConfigurationArgs(
                    action=h.timeout_action, timeout_in_minutes=str(h.timeout_minutes)
                )
            ),
        )
        for h in hooks
    ]


def ecs_role(
    parent: pulumi.Resource, logical: str, description: str, account: pulumi.Output[str]
) -> aws.iam.Role:
    """A role only the ECS service of this account assumes (traffic shifts, lifecycle hooks)."""
    return aws.iam.Role(
        logical,
        assume_role_policy=account.apply(iam.ecs_service_trust),
        description=description,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def traffic_shift_role(
    parent: pulumi.Resource, name: str, account: pulumi.Output[str]
) -> tuple[aws.iam.Role, pulumi.Resource]:
    """Blue/green, canary, linear: the role ECS moves the listener's weights with, and its grant
    (AWS's managed policy for ECS-native deployments behind a load balancer)."""
    role = ecs_role(
        parent,
        f"{name}-deploy",
        f"ECS shifts traffic between the target groups of {name}",
        account,
    )
    grant = aws.iam.RolePolicyAttachment(
        f"{name}-deploy",
        role=role.name,
        policy_arn=iam.LOAD_BALANCER_INFRASTRUCTURE_POLICY,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return role, grant
