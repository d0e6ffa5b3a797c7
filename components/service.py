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

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from . import iam, operations, security_groups, timing
from .cluster import Cluster
from .load_balancer import LoadBalancer
from .naming import name_prefix
from .specs.container import APP_CONTAINER
from .specs.service import ServicePlacement, ServiceSpec
from .task import task_definition


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


class Service(pulumi.ComponentResource):
    """One entry of `ecs-platform:services`."""

    service_name: pulumi.Output[str]
    url: pulumi.Output[str] | None
    log_group_name: str
    task_role_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str] | None

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
        region = placement.region
        self._name, self._port, self._region = name, spec.container_port, region

        self._grants: list[pulumi.Resource] = []  # policies of roles handed to ECS
        task = task_definition(self, name, spec, placement)
        account = task.account
        self.log_group_name = task.log_group_name
        task_role, definition = task.task_role, task.definition
        self.task_role_arn = task_role.arn
        if spec.execute_command:
            aws.iam.RolePolicy(
                f"{name}-exec",
                role=task_role.id,
                policy=pulumi.Output.all(
                    cluster.exec_log_group_arn, cluster.exec_kms_key_arn
                ).apply(lambda a: iam.exec_policy(a[0], a[1])),
                opts=child,
            )

        # External instances (ECS Anywhere) have no awsvpc: no task ENI, no security group.
        external = placement.external
        sg: aws.ec2.SecurityGroup | None = None
        self.security_group_id = None
        if not external:
            sg = security_groups.for_tasks(
                name,
                vpc_id=vpc_id,
                description=f"Tasks of service {name}",
                opts=child,
                ipv6=placement.task_addressing != "ipv4",
            )
            self.security_group_id = sg.id

        lb_args: list[aws.ecs.ServiceLoadBalancerArgs] = []
        routing: list[pulumi.Resource] = []
        self.url = None
        self.host_header: str | None = None  # the Host header the routing rule matches
        self.traffic: operations.Traffic | None = None
        if load_balancer is not None and spec.load_balancer is not None and sg is not None:
            lb_args, routing = self._route(
                name, spec, placement, load_balancer, sg, vpc_id, account
            )

        alarm_actions = list(placement.alarm_actions)
        # The traffic alarms (5xx rate, p99 latency on an ALB; unhealthy targets) roll a
        # deployment back. ECS takes alarm *names* and does not check they exist, so the names
        # come from the alarms created here, never rebuilt as strings: a name without an alarm
        # would never fire, and would fire on whatever alarm later takes it.
        # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
        traffic_alarms = (
            operations.traffic_alarms(
                name, spec, traffic=self.traffic, actions=alarm_actions, opts=child
            )
            if self.traffic is not None
            else []
        )
        rollback_alarms = [alarm.name for alarm in traffic_alarms]
        deployment = spec.deployment
        wait = spec.waits_for_steady_state
        timeout = f"{timing.timeout_minutes(spec, placement)}m"
        service = aws.ecs.Service(
            f"{name}-service",
            cluster=cluster.name,
            task_definition=definition.arn,
            # With autoscaling this is only the initial count: ignore_changes below keeps the
            # live count on every later update, while the scalable target's min/max apply.
            desired_count=spec.initial_count,
            capacity_provider_strategies=None
            if external
            else [
                aws.ecs.ServiceCapacityProviderStrategyArgs(
                    capacity_provider=cluster.provider_name(item.provider),
                    base=item.base,
                    weight=item.weight,
                )
                for item in placement.strategy
            ],
            # Capacity providers do not reach external instances; the launch type does.
            launch_type="EXTERNAL" if external else None,
            # Only when asked: with it, every update of the service (an alarm list, a count)
            # restarts every task. The provider needs it for the one update that changes the
            # capacity provider strategy in place ("Updating this argument requires
            # force_new_deployment = true"; otherwise the service is replaced).
            # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
            force_new_deployment=deployment.force_new_deployment or None,
            deployment_minimum_healthy_percent=spec.min_healthy_percent,
            deployment_maximum_percent=spec.max_percent,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            deployment_configuration=self._deployment_configuration(name, spec, account),
            alarms=(
                aws.ecs.ServiceAlarmsArgs(
                    alarm_names=rollback_alarms,
                    enable=True,
                    rollback=deployment.rollback_on_alarms,
                )
                if rollback_alarms
                else None
            ),
            wait_for_steady_state=wait,
            # Ctrl-C during the wait rolls the deployment back instead of leaving it half done.
            sigint_rollback=wait or None,
            health_check_grace_period_seconds=(
                spec.health_check_grace_period_seconds if lb_args else None
            ),
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=subnet_ids,
                security_groups=[sg.id],
                assign_public_ip=spec.assign_public_ip,
            )
            if sg is not None
            else None,
            load_balancers=lb_args,
            service_connect_configuration=self._service_connect(name, spec, cluster),
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
                depends_on=[*routing, *traffic_alarms, *self._grants],
                ignore_changes=["desiredCount"] if spec.autoscaling is not None else None,
                custom_timeouts=pulumi.CustomTimeouts(create=timeout, update=timeout),
            ),
        )
        self.service_name = service.name
        if wait and not pulumi.runtime.is_dry_run():
            pulumi.Output.all(definition.arn, service.task_definition).apply(
                lambda a: verify_rollout(name, a[0], a[1])
            )
        operations.autoscaling(
            name,
            spec,
            cluster_name=cluster.name,
            service_name=service.name,
            traffic=self.traffic,
            opts=child,
        )
        operations.capacity_alarms(
            name,
            spec,
            cluster_name=cluster.name,
            service_name=service.name,
            container_insights=placement.container_insights,
            actions=alarm_actions,
            opts=child,
        )
        self.register_outputs(
            {
                "serviceName": service.name,
                "url": self.url,
                "logGroup": self.log_group_name,
                "taskRoleArn": task_role.arn,
            }
        )

    def admit(self, caller: str, caller_security_group_id: pulumi.Input[str] | None) -> None:
        """Service Connect: accept `caller`'s tasks on the app port (and nobody else's)."""
        # Service Connect is refused for EXTERNAL services, so both ends have groups.
        assert self._port is not None and self.security_group_id is not None
        assert caller_security_group_id is not None
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-from-{caller}",
            security_group_id=self.security_group_id,
            referenced_security_group_id=caller_security_group_id,
            ip_protocol="tcp",
            from_port=self._port,
            to_port=self._port,
            description=f"Service Connect from {caller}",
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _service_connect(
        self, name: str, spec: ServiceSpec, cluster: Cluster
    ) -> aws.ecs.ServiceServiceConnectConfigurationArgs | None:
        connect = spec.service_connect
        if connect is None:
            return None
        services = None
        if connect.expose:
            assert spec.container_port is not None
            port = (
                spec.container_port
                if connect.port_name == "http"
                else int(connect.port_name.removeprefix("port-"))
            )
            services = [
                aws.ecs.ServiceServiceConnectConfigurationServiceArgs(
                    port_name=connect.port_name,
                    discovery_name=connect.dns_name or name,
                    client_alias=[
                        aws.ecs.ServiceServiceConnectConfigurationServiceClientAliasArgs(
                            port=connect.port or port, dns_name=connect.dns_name or name
                        )
                    ],
                )
            ]
        return aws.ecs.ServiceServiceConnectConfigurationArgs(
            enabled=True,
            namespace=cluster.namespace_arn,
            services=services,
            log_configuration=aws.ecs.ServiceServiceConnectConfigurationLogConfigurationArgs(
                log_driver="awslogs",
                options={
                    "awslogs-group": self.log_group_name,
                    "awslogs-region": self._region,
                    "awslogs-stream-prefix": "connect",
                },
            ),
        )

    def _deployment_configuration(
        self, name: str, spec: ServiceSpec, account: pulumi.Output[str]
    ) -> aws.ecs.ServiceDeploymentConfigurationArgs:
        dep = spec.deployment
        if dep.strategy == "ROLLING":
            return aws.ecs.ServiceDeploymentConfigurationArgs(strategy="ROLLING")
        hooks = None
        if dep.lifecycle_hooks:
            lambdas = [h.lambda_arn for h in dep.lifecycle_hooks if h.lambda_arn is not None]
            role_arn = None
            if lambdas:
                role = aws.iam.Role(
                    f"{name}-hooks",
                    assume_role_policy=account.apply(iam.ecs_service_trust),
                    description=f"ECS invokes the deployment lifecycle hooks of {name}",
                    opts=pulumi.ResourceOptions(parent=self),
                )
                self._grants.append(aws.iam.RolePolicy(
                    f"{name}-hooks",
                    role=role.id,
                    policy=iam.invoke_hooks_policy(lambdas),
                    opts=pulumi.ResourceOptions(parent=self),
                ))  # fmt: skip
                role_arn = role.arn
            hooks = [
                aws.ecs.ServiceDeploymentConfigurationLifecycleHookArgs(
                    lifecycle_stages=h.stages,
                    target_type="AWS_LAMBDA" if h.lambda_arn else "PAUSE",
                    hook_target_arn=h.lambda_arn,
                    role_arn=role_arn if h.lambda_arn else None,
                    timeout_configuration=(
                        None
                        if h.lambda_arn
                        else aws.ecs.ServiceDeploymentConfigurationLifecycleHookTimeoutConfigurationArgs(  # noqa: E501
                            action=h.timeout_action, timeout_in_minutes=str(h.timeout_minutes)
                        )
                    ),
                )
                for h in dep.lifecycle_hooks
            ]
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
            lifecycle_hooks=hooks,
        )

    def _route(
        self,
        name: str,
        spec: ServiceSpec,
        placement: ServicePlacement,
        lb: LoadBalancer,
        sg: aws.ec2.SecurityGroup,
        vpc_id: pulumi.Input[str],
        account: pulumi.Output[str],
    ) -> tuple[list[aws.ecs.ServiceLoadBalancerArgs], list[pulumi.Resource]]:
        child = pulumi.ResourceOptions(parent=self)
        ref = spec.load_balancer
        port = spec.container_port
        assert ref is not None and port is not None
        network = lb.spec.type == "network"
        blue_green = spec.deployment.strategy != "ROLLING"
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
        ipv6 = placement.ipv6_only
        target_group = self._target_group(f"{name}-tg", name, spec, network, vpc_id, ipv6)
        # Blue/green: ECS alternates the two groups between deployments ("blue" is only the
        # group production starts on).
        green = (
            self._target_group(f"{name}-tg-green", name, spec, network, vpc_id, ipv6)
            if blue_green
            else None
        )
        groups = [target_group] + ([green] if green is not None else [])
        forward = self._forward(groups)
        # ECS owns the weights of a blue/green rule after the first deployment; never reset them.
        governed = pulumi.ResourceOptions(
            parent=self, ignore_changes=["actions", "defaultActions"] if blue_green else None
        )
        test_rule: aws.lb.ListenerRule | None = None
        if network:
            routing: aws.lb.Listener | aws.lb.ListenerRule = self._nlb_listener(
                name, ref.listener_port or port, lb, forward, governed
            )
        else:
            assert lb.listener_arn is not None and placement.rule_priority is not None
            conditions = self._conditions(ref.path_patterns, ref.host_headers)
            routing = aws.lb.ListenerRule(
                f"{name}-rule",
                listener_arn=lb.listener_arn,
                priority=placement.rule_priority,
                conditions=conditions,
                actions=[forward],
                opts=governed,
            )
            if blue_green:
                assert placement.test_rule_priority is not None and placement.vpc_cidr
                # Test traffic reaches the new revision before production does: same rule plus a
                # header, from inside the VPC only (a lifecycle hook or a smoke test there).
                test_rule = aws.lb.ListenerRule(
                    f"{name}-test-rule",
                    listener_arn=lb.listener_arn,
                    priority=placement.test_rule_priority,
                    conditions=[
                        *conditions,
                        aws.lb.ListenerRuleConditionArgs(
                            http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                                http_header_name="X-Ecs-Test-Traffic", values=[name]
                            )
                        ),
                        aws.lb.ListenerRuleConditionArgs(
                            source_ip=aws.lb.ListenerRuleConditionSourceIpArgs(
                                values=[placement.vpc_cidr]
                            )
                        ),
                    ],
                    actions=[self._forward(groups)],
                    opts=governed,
                )
        self.url = _url(lb, ref.path_patterns, ref.host_headers, ref.listener_port or port)
        if lb.dns_name is not None and ref.host_headers:
            self.host_header = ref.host_headers[0]
        assert lb.arn_suffix is not None
        self.traffic = operations.Traffic(
            namespace="AWS/NetworkELB" if network else "AWS/ApplicationELB",
            load_balancer=lb.arn_suffix,
            target_groups=[g.arn_suffix for g in groups],
        )
        advanced = None
        if green is not None:
            role = aws.iam.Role(
                f"{name}-deploy",
                assume_role_policy=account.apply(iam.ecs_service_trust),
                description=f"ECS shifts traffic between the target groups of {name}",
                opts=child,
            )
            self._grants.append(aws.iam.RolePolicyAttachment(
                f"{name}-deploy",
                role=role.name,
                policy_arn=iam.LOAD_BALANCER_INFRASTRUCTURE_POLICY,
                opts=child,
            ))  # fmt: skip
            advanced = aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
                alternate_target_group_arn=green.arn,
                production_listener_rule=routing.arn,
                test_listener_rule=test_rule.arn if test_rule is not None else None,
                role_arn=role.arn,
            )
        routes: list[pulumi.Resource] = [routing, *([test_rule] if test_rule else [])]
        return [
            aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=target_group.arn,
                container_name=APP_CONTAINER,
                container_port=port,
                advanced_configuration=advanced,
            )
        ], routes

    def _target_group(
        self,
        logical: str,
        name: str,
        spec: ServiceSpec,
        network: bool,
        vpc_id: pulumi.Input[str],
        ipv6: bool,
    ) -> aws.lb.TargetGroup:
        ref = spec.load_balancer
        assert ref is not None and spec.container_port is not None
        hc = ref.health_check
        return aws.lb.TargetGroup(
            logical,
            name_prefix=name_prefix(name),
            port=spec.container_port,
            protocol="TCP" if network else "HTTP",
            target_type="ip",  # awsvpc tasks register by IP
            # IPv6-only tasks register by their IPv6 address: "An IPv6-only Amazon ECS service
            # must use dualstack load balancers with IPv6 target groups"
            # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html)
            ip_address_type="ipv6" if ipv6 else None,
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
            opts=pulumi.ResourceOptions(parent=self),
        )

    @staticmethod
    def _forward(groups: list[aws.lb.TargetGroup]) -> aws.lb.ListenerRuleActionArgs:
        if len(groups) == 1:
            return aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=groups[0].arn)
        # Blue/green: both groups in one weighted forward; ECS moves the weights.
        return aws.lb.ListenerRuleActionArgs(
            type="forward",
            forward=aws.lb.ListenerRuleActionForwardArgs(
                target_groups=[
                    aws.lb.ListenerRuleActionForwardTargetGroupArgs(
                        arn=g.arn, weight=100 if i == 0 else 0
                    )
                    for i, g in enumerate(groups)
                ]
            ),
        )

    @staticmethod
    def _conditions(paths: list[str], hosts: list[str]) -> list[aws.lb.ListenerRuleConditionArgs]:
        conditions = []
        if paths or not hosts:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=paths or ["/*"])
                )
            )
        if hosts:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=hosts)
                )
            )
        return conditions

    def _nlb_listener(
        self,
        name: str,
        port: int,
        lb: LoadBalancer,
        forward: aws.lb.ListenerRuleActionArgs,
        opts: pulumi.ResourceOptions,
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
                aws.lb.ListenerDefaultActionArgs(
                    type="forward",
                    target_group_arn=forward.target_group_arn,
                    forward=(
                        aws.lb.ListenerDefaultActionForwardArgs(
                            target_groups=[
                                aws.lb.ListenerDefaultActionForwardTargetGroupArgs(
                                    arn=g.arn, weight=g.weight
                                )
                                for g in forward.forward.target_groups  # type: ignore[union-attr]
                            ]
                        )
                        if forward.forward is not None
                        else None
                    ),
                )
            ],
            opts=opts,
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


def _url(
    lb: LoadBalancer, paths: list[str], hosts: list[str], port: int
) -> pulumi.Output[str] | None:
    spec = lb.spec
    if spec.type == "network":
        assert lb.dns_name is not None
        return pulumi.Output.concat("tls://" if spec.https else "tcp://", lb.dns_name, f":{port}")
    path = (paths[0].rstrip("*") if paths else "/") or "/"
    scheme = "https://" if spec.https or spec.existing is not None else "http://"
    if lb.dns_name is None:
        # An existing load balancer: its DNS (and the host names on it) is the team's own.
        if hosts and "*" not in hosts[0]:
            return pulumi.Output.from_input(f"{scheme}{hosts[0]}{path}")
        return None
    # A load balancer created here answers at its own DNS name; a host header names a record
    # nobody created, so it is exported beside the URL (hostHeader), not as the URL's host.
    return pulumi.Output.concat(scheme, lb.dns_name, path)
