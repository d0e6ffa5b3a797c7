"""Service: one ECS service on Fargate or EC2 capacity, with everything it owns.

Creates: log group, execution role (pull its images, write its log group, read exactly its
secrets), task role (nothing unless the config grants it), task definition (app container plus
sidecars, awsvpc), task security group (ingress only from its load balancer's security group on
the container port), target group and routing (an ALB listener rule, or an NLB listener), the
load balancer's egress rule to these tasks, and the ECS service (capacity provider strategy,
circuit breaker with rollback, AZ rebalancing, rolling min/max percent).
Expects: the cluster, VPC and subnets, and the load balancer it is routed through (if any).

Each service owns its target group and rule, so adding a service never edits the load balancer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from . import iam, protection
from .cluster import Cluster
from .containers import container_definitions, volume_name
from .load_balancer import LoadBalancer
from .naming import aws_name, name_prefix
from .specs.service import APP_CONTAINER, ServicePlacement, ServiceSpec


class Service(pulumi.ComponentResource):
    """One entry of `ecs-platform:services`."""

    service_name: pulumi.Output[str]
    url: pulumi.Output[str] | None
    log_group_name: str
    task_role_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

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
        stack, project, region = pulumi.get_stack(), pulumi.get_project(), placement.region
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self)).account_id

        self.log_group_name = f"/ecs/{project}-{stack}/{name}"
        logs = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=self.log_group_name,
            retention_in_days=spec.log_retention_days,
            opts=protection.stateful(self, retained=True),
        )
        execution, task_role = self._roles(name, spec, account, region, logs)
        self.task_role_arn = task_role.arn

        containers = container_definitions(spec, self.log_group_name, region)
        task_definition = aws.ecs.TaskDefinition(
            f"{name}-taskdef",
            family=aws_name(project, stack, name, limit=255),
            cpu=str(placement.task_cpu),
            memory=str(placement.task_memory),
            network_mode="awsvpc",
            requires_compatibilities=["EC2" if placement.on_ec2 else "FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                cpu_architecture=spec.cpu_architecture, operating_system_family="LINUX"
            ),
            execution_role_arn=execution.arn,
            task_role_arn=task_role.arn,
            container_definitions=json.dumps(containers),
            ephemeral_storage=(
                aws.ecs.TaskDefinitionEphemeralStorageArgs(size_in_gib=spec.ephemeral_storage_gib)
                if spec.ephemeral_storage_gib is not None
                else None
            ),
            volumes=self._volumes(spec),
            # Keep earlier revisions registered so a circuit-breaker rollback (or a manual one)
            # can always start the previous revision.
            skip_destroy=True,
            opts=child,
        )

        sg = aws.ec2.SecurityGroup(
            f"{name}-tasks",
            vpc_id=vpc_id,
            description=f"Tasks of service {name}",
            opts=child,
        )
        self.security_group_id = sg.id
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress",
            security_group_id=sg.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            description="AWS APIs, image registries and dependencies (via NAT or endpoints)",
            opts=child,
        )

        lb_args: list[aws.ecs.ServiceLoadBalancerArgs] = []
        routing: list[pulumi.Resource] = []
        self.url = None
        if load_balancer is not None and spec.load_balancer is not None:
            lb_args, routing = self._route(name, spec, placement, load_balancer, sg, vpc_id)

        service = aws.ecs.Service(
            f"{name}-service",
            cluster=cluster.name,
            task_definition=task_definition.arn,
            desired_count=spec.desired_count,
            capacity_provider_strategies=[
                aws.ecs.ServiceCapacityProviderStrategyArgs(
                    capacity_provider=cluster.provider_name(item.provider),
                    base=item.base,
                    weight=item.weight,
                )
                for item in placement.strategy
            ],
            # Lets a capacity provider strategy change update the service in place instead of
            # replacing it (every service update then starts a new deployment).
            force_new_deployment=True,
            deployment_minimum_healthy_percent=spec.min_healthy_percent,
            deployment_maximum_percent=spec.max_percent,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            health_check_grace_period_seconds=(
                spec.health_check_grace_period_seconds if lb_args else None
            ),
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=subnet_ids,
                security_groups=[sg.id],
                assign_public_ip=spec.assign_public_ip,
            ),
            load_balancers=lb_args,
            availability_zone_rebalancing="ENABLED",
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            ordered_placement_strategies=(
                [
                    aws.ecs.ServiceOrderedPlacementStrategyArgs(
                        type="spread", field="attribute:ecs.availability-zone"
                    ),
                    aws.ecs.ServiceOrderedPlacementStrategyArgs(type="binpack", field="memory"),
                ]
                if placement.on_ec2
                else None
            ),
            # CreateService fails unless the target group is already attached to a listener.
            opts=pulumi.ResourceOptions(parent=self, depends_on=routing),
        )
        self.service_name = service.name
        self.register_outputs(
            {
                "serviceName": service.name,
                "url": self.url,
                "logGroup": self.log_group_name,
                "taskRoleArn": task_role.arn,
            }
        )

    def _roles(
        self,
        name: str,
        spec: ServiceSpec,
        account: pulumi.Output[str],
        region: str,
        logs: aws.cloudwatch.LogGroup,
    ) -> tuple[aws.iam.Role, aws.iam.Role]:
        child = pulumi.ResourceOptions(parent=self)
        trust = account.apply(lambda a: iam.ecs_tasks_trust(a, region))
        execution = aws.iam.Role(
            f"{name}-execution",
            assume_role_policy=trust,
            description=f"ECS agent for {name}: pull images, write logs, read its secrets",
            opts=child,
        )
        images = [spec.image, *(s.image for s in spec.sidecars.values())]
        refs = [r for c in [spec, *spec.sidecars.values()] for r in c.secrets.values()]
        log_group_arn = pulumi.Output.concat(
            "arn:aws:logs:", region, ":", account, ":log-group:", logs.name
        )
        aws.iam.RolePolicy(
            f"{name}-execution",
            role=execution.id,
            policy=log_group_arn.apply(lambda arn: iam.execution_policy(arn, images, refs)),
            opts=child,
        )
        task = aws.iam.Role(
            f"{name}-task",
            assume_role_policy=trust,
            description=f"Application permissions of {name}",
            opts=child,
        )
        for arn in spec.task_role.managed_policy_arns:
            aws.iam.RolePolicyAttachment(
                f"{name}-task-{arn.rsplit('/', 1)[-1]}", role=task.name, policy_arn=arn, opts=child
            )
        if spec.task_role.statements:
            aws.iam.RolePolicy(
                f"{name}-task",
                role=task.id,
                policy=iam.policy(
                    {"Effect": s.effect, "Action": s.actions, "Resource": s.resources}
                    for s in spec.task_role.statements
                ),
                opts=child,
            )
        return execution, task

    @staticmethod
    def _volumes(spec: ServiceSpec) -> list[aws.ecs.TaskDefinitionVolumeArgs]:
        volumes = [
            aws.ecs.TaskDefinitionVolumeArgs(
                name=v.name,
                efs_volume_configuration=aws.ecs.TaskDefinitionVolumeEfsVolumeConfigurationArgs(
                    file_system_id=v.file_system_id,
                    root_directory=None if v.access_point_id else v.root_directory,
                    transit_encryption="ENABLED",  # Security Hub ECS.18
                    authorization_config=aws.ecs.TaskDefinitionVolumeEfsVolumeConfigurationAuthorizationConfigArgs(
                        access_point_id=v.access_point_id, iam="ENABLED"
                    ),
                ),
            )
            for v in spec.efs_volumes
        ]
        # Empty task volumes live on the task's ephemeral storage: scratch space for a
        # read-only root filesystem.
        volumes += [
            aws.ecs.TaskDefinitionVolumeArgs(name=volume_name(p)) for p in spec.writable_paths
        ]
        return volumes

    def _route(
        self,
        name: str,
        spec: ServiceSpec,
        placement: ServicePlacement,
        lb: LoadBalancer,
        sg: aws.ec2.SecurityGroup,
        vpc_id: pulumi.Input[str],
    ) -> tuple[list[aws.ecs.ServiceLoadBalancerArgs], list[pulumi.Resource]]:
        child = pulumi.ResourceOptions(parent=self)
        ref = spec.load_balancer
        port = spec.container_port
        assert ref is not None and port is not None
        network = lb.spec.type == "network"
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-from-lb",
            security_group_id=sg.id,
            referenced_security_group_id=lb.security_group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=f"Load balancer {ref.name} to the app port",
            opts=child,
        )
        if lb.spec.existing is None:
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-lb-to-tasks",
                security_group_id=lb.security_group_id,
                referenced_security_group_id=sg.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=f"To the tasks of {name} (traffic and health checks)",
                opts=child,
            )
        hc = ref.health_check
        target_group = aws.lb.TargetGroup(
            f"{name}-tg",
            name_prefix=name_prefix(name),
            port=port,
            protocol="TCP" if network else "HTTP",
            target_type="ip",  # awsvpc tasks register by IP
            vpc_id=vpc_id,
            deregistration_delay=ref.deregistration_delay_seconds,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                protocol="TCP" if network else "HTTP",
                port="traffic-port",
                path=None if network else hc.path,
                matcher=None if network else hc.matcher,
                interval=hc.interval_seconds,
                timeout=hc.timeout_seconds,
                healthy_threshold=hc.healthy_threshold,
                unhealthy_threshold=hc.unhealthy_threshold,
            ),
            opts=child,
        )
        if network:
            routing: pulumi.Resource = self._nlb_listener(
                name, ref.listener_port or port, lb, target_group
            )
        else:
            assert lb.listener_arn is not None and placement.rule_priority is not None
            conditions = []
            if ref.path_patterns or not ref.host_headers:
                conditions.append(
                    aws.lb.ListenerRuleConditionArgs(
                        path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(
                            values=ref.path_patterns or ["/*"]
                        )
                    )
                )
            if ref.host_headers:
                conditions.append(
                    aws.lb.ListenerRuleConditionArgs(
                        host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(
                            values=ref.host_headers
                        )
                    )
                )
            routing = aws.lb.ListenerRule(
                f"{name}-rule",
                listener_arn=lb.listener_arn,
                priority=placement.rule_priority,
                conditions=conditions,
                actions=[
                    aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)
                ],
                opts=child,
            )
        self.url = _url(lb, ref.path_patterns, ref.host_headers, ref.listener_port or port)
        return [
            aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=target_group.arn,
                container_name=APP_CONTAINER,
                container_port=port,
            )
        ], [routing]

    def _nlb_listener(
        self, name: str, port: int, lb: LoadBalancer, target_group: aws.lb.TargetGroup
    ) -> aws.lb.Listener:
        assert lb.arn is not None
        lb.ingress(f"{name}-lb-{port}", port, parent=self)
        tls = lb.spec.https
        return aws.lb.Listener(
            f"{name}-listener",
            load_balancer_arn=lb.arn,
            port=port,
            protocol="TLS" if tls else "TCP",
            ssl_policy=lb.spec.ssl_policy if tls else None,
            certificate_arn=lb.spec.certificate_arn if tls else None,
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )


def _url(
    lb: LoadBalancer, paths: list[str], hosts: list[str], port: int
) -> pulumi.Output[str] | None:
    spec = lb.spec
    if spec.type == "network":
        assert lb.dns_name is not None
        return pulumi.Output.concat("tls://" if spec.https else "tcp://", lb.dns_name, f":{port}")
    path = (paths[0].rstrip("*") if paths else "/") or "/"
    scheme = "https://" if spec.https or spec.existing is not None else "http://"
    if hosts and "*" not in hosts[0]:
        return pulumi.Output.from_input(f"{scheme}{hosts[0]}{path}")
    if lb.dns_name is None:
        return None
    return pulumi.Output.concat(scheme, lb.dns_name, path)
