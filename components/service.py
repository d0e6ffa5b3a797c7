"""Service: one ECS service on Fargate or EC2 capacity, with everything it owns.

Creates: log group, execution role (pull its images, write its log group, read exactly its
secrets), task role (nothing unless the config grants it) and task definition (app container
plus sidecars, awsvpc): task.py; with ECS Exec, the task role's exec policy (`-exec`); the task
security group (egress only; ingress only from its load balancer's security group on the
container port, and from its Service Connect callers: service_connect.py); its routing
(routing.py: target groups, an ALB listener rule or an NLB listener, the load balancer's egress
rule to these tasks); its deployment alarms and the roles ECS deploys with (deployment.py); the
ECS service (capacity provider strategy, circuit breaker with rollback, AZ rebalancing, rolling
min/max percent, Service Connect); autoscaling and capacity alarms (operations.py).
Expects: the cluster, VPC and subnets, and the load balancer it is routed through (if any).

This file is the wiring: each part above is a page of its own that the service calls.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from . import deployment, iam, operations, routing, security_groups, service_connect
from .cluster import Cluster

# Importable from here, beside the Service whose `pulumi up` raises it.
from .deployment import DeploymentRolledBackError as DeploymentRolledBackError
from .deployment import verify_rollout
from .load_balancer import LoadBalancer
from .specs.service import ServicePlacement, ServiceSpec
from .task import task_definition


class Service(pulumi.ComponentResource):
    """One entry of `ecs-platform:services`."""

    service_name: pulumi.Output[str]
    url: pulumi.Output[str] | None
    log_group_name: str
    task_role_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str] | None
    host_header: str | None  # the Host header the routing rule matches
    traffic: operations.Traffic | None  # its load balancer's CloudWatch dimensions

    def __init__(
        self,
        name: str,
        spec: ServiceSpec,
        placement: ServicePlacement,
        *,
        cluster: Cluster,
        vpc_id: pulumi.Input[str],
        subnet_ids: Sequence[pulumi.Input[str]],
        load_balancer: LoadBalancer | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("ecs-platform:service:Service", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._name, self._port = name, spec.container_port
        task = task_definition(self, name, spec, placement)
        self.log_group_name = task.log_group_name
        self.task_role_arn = task.task_role.arn
        if spec.execute_command:
            self._allow_exec(name, task.task_role, cluster)

        # External instances (ECS Anywhere) have no awsvpc: no task ENI, no security group.
        sg = None
        if not placement.external:
            sg = security_groups.for_tasks(
                name,
                vpc_id=vpc_id,
                description=f"Tasks of service {name}",
                opts=child,
                ipv6=placement.task_addressing != "ipv4",
            )
        self.security_group_id = sg.id if sg is not None else None

        route = None
        if load_balancer is not None and spec.load_balancer is not None and sg is not None:
            route = routing.route(
                self, name, spec, placement, load_balancer, sg, vpc_id=vpc_id, account=task.account
            )
        self.url = route.url if route is not None else None
        self.host_header = route.host_header if route is not None else None
        self.traffic = route.traffic if route is not None else None

        rollout = deployment.rollout(
            self, name, spec, placement, account=task.account, traffic=self.traffic
        )
        service = self._ecs_service(
            name, spec, placement, cluster, task.definition, sg, subnet_ids, route, rollout
        )
        self.service_name = service.name
        if rollout.wait_for_steady_state and not pulumi.runtime.is_dry_run():
            pulumi.Output.all(task.definition.arn, service.task_definition).apply(
                lambda a: verify_rollout(name, a[0], a[1])
            )
        self._operate(name, spec, placement, cluster, service.name)
        self.register_outputs(
            {
                "serviceName": service.name,
                "url": self.url,
                "logGroup": self.log_group_name,
                "taskRoleArn": task.task_role.arn,
            }
        )

    def _ecs_service(
        self,
        name: str,
        spec: ServiceSpec,
        placement: ServicePlacement,
        cluster: Cluster,
        definition: aws.ecs.TaskDefinition,
        sg: aws.ec2.SecurityGroup | None,
        subnet_ids: Sequence[pulumi.Input[str]],
        route: routing.Route | None,
        rollout: deployment.Rollout,
    ) -> aws.ecs.Service:
        """The ECS service: its task definition and capacity, network, routes and deployments."""
        external = placement.external
        return aws.ecs.Service(
            f"{name}-service",
            cluster=cluster.name,
            task_definition=definition.arn,
            # With autoscaling this is only the initial count: ignore_changes below keeps the
            # live count on every later update, while the scalable target's min/max apply.
            desired_count=spec.initial_count,
            capacity_provider_strategies=_capacity_strategies(cluster, placement),
            # Capacity providers do not reach external instances; the launch type does.
            launch_type="EXTERNAL" if external else None,
            # How ECS deploys and what `pulumi up` waits for: deployment.py.
            force_new_deployment=rollout.force_new_deployment,
            deployment_minimum_healthy_percent=rollout.minimum_healthy_percent,
            deployment_maximum_percent=rollout.maximum_percent,
            deployment_circuit_breaker=rollout.circuit_breaker,
            deployment_configuration=rollout.configuration,
            alarms=rollout.alarms,
            wait_for_steady_state=rollout.wait_for_steady_state,
            sigint_rollback=rollout.sigint_rollback,
            health_check_grace_period_seconds=(
                spec.health_check_grace_period_seconds if route is not None else None
            ),
            network_configuration=_network(spec, sg, subnet_ids),
            load_balancers=route.load_balancers if route is not None else [],
            service_connect_configuration=service_connect.configuration(
                name,
                spec,
                namespace_arn=cluster.namespace_arn,
                log_group_name=self.log_group_name,
                region=placement.region,
            ),
            enable_execute_command=spec.execute_command,
            # The team's own servers have no Availability Zones to rebalance across.
            availability_zone_rebalancing="DISABLED" if external else "ENABLED",
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            ordered_placement_strategies=_placement_strategies(placement),
            opts=pulumi.ResourceOptions(
                parent=self,
                # CreateService fails unless the target group is already attached to a
                # listener; deployment alarms must exist before ECS watches them; the roles
                # ECS uses for traffic shifts and hooks have their grants before it uses them.
                depends_on=[
                    *(route.prerequisites if route is not None else []),
                    *rollout.prerequisites,
                ],
                ignore_changes=["desiredCount"] if spec.autoscaling is not None else None,
                custom_timeouts=rollout.timeouts,
            ),
        )

    def _allow_exec(self, name: str, task_role: aws.iam.Role, cluster: Cluster) -> None:
        """ECS Exec: the task role opens the SSM session channels and writes the audit log."""
        aws.iam.RolePolicy(
            f"{name}-exec",
            role=task_role.id,
            policy=pulumi.Output.all(cluster.exec_log_group_arn, cluster.exec_kms_key_arn).apply(
                lambda a: iam.exec_policy(a[0], a[1])
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _operate(
        self,
        name: str,
        spec: ServiceSpec,
        placement: ServicePlacement,
        cluster: Cluster,
        service_name: pulumi.Output[str],
    ) -> None:
        """Day 2 (operations.py): autoscaling, and the saturation and running-task alarms."""
        child = pulumi.ResourceOptions(parent=self)
        operations.autoscaling(
            name,
            spec,
            cluster_name=cluster.name,
            service_name=service_name,
            traffic=self.traffic,
            opts=child,
        )
        operations.capacity_alarms(
            name,
            spec,
            cluster_name=cluster.name,
            service_name=service_name,
            container_insights=placement.container_insights,
            actions=list(placement.alarm_actions),
            opts=child,
        )

    def admit(self, caller: str, caller_security_group_id: pulumi.Input[str] | None) -> None:
        """Service Connect: accept `caller`'s tasks on the app port (and nobody else's)."""
        # Service Connect is refused for EXTERNAL services, so both ends have groups.
        assert self._port is not None and self.security_group_id is not None
        assert caller_security_group_id is not None
        service_connect.admit(
            self, self._name, self._port, self.security_group_id, caller, caller_security_group_id
        )


def _capacity_strategies(
    cluster: Cluster, placement: ServicePlacement
) -> list[aws.ecs.ServiceCapacityProviderStrategyArgs] | None:
    """The placement's capacity provider strategy (none for external instances)."""
    if placement.external:
        return None
    return [
        aws.ecs.ServiceCapacityProviderStrategyArgs(
            capacity_provider=cluster.provider_name(item.provider),
            base=item.base,
            weight=item.weight,
        )
        for item in placement.strategy
    ]


def _network(
    spec: ServiceSpec, sg: aws.ec2.SecurityGroup | None, subnet_ids: Sequence[pulumi.Input[str]]
) -> aws.ecs.ServiceNetworkConfigurationArgs | None:
    """awsvpc: the task ENIs' subnets and security group (none on external instances)."""
    if sg is None:
        return None
    return aws.ecs.ServiceNetworkConfigurationArgs(
        subnets=subnet_ids, security_groups=[sg.id], assign_public_ip=spec.assign_public_ip
    )


def _placement_strategies(
    placement: ServicePlacement,
) -> list[aws.ecs.ServiceOrderedPlacementStrategyArgs] | None:
    """EC2: spread over AZs, then pack by memory. External: spread over the servers."""
    strategy = aws.ecs.ServiceOrderedPlacementStrategyArgs
    if placement.external:
        return [strategy(type="spread", field="instanceId")]
    if placement.on_ec2:
        return [
            strategy(type="spread", field="attribute:ecs.availability-zone"),
            strategy(type="binpack", field="memory"),
        ]
    return None
