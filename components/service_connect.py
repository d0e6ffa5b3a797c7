"""Service Connect of a service: how it joins the cluster's namespace, and who may call it.

Creates (children of the called Service): for each service that declares it calls this one, the
ingress rule `{service}-from-{caller}` on this service's task security group, from the caller's
task security group on the app port. The Service Connect configuration itself is an input of
the ECS service (an exposed port with its discovery and client-alias name, the proxy's logs in
the service's own log group).
Expects: the cluster's namespace, the service's log group and Region, and the task security
groups of both ends (Service Connect is refused for EXTERNAL services, so both have one).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from . import security_groups
from .specs.service import ServiceSpec


def configuration(
    name: str,
    spec: ServiceSpec,
    *,
    namespace_arn: pulumi.Input[str],
    log_group_name: str,
    region: str,
) -> aws.ecs.ServiceServiceConnectConfigurationArgs | None:
    """The ECS service's Service Connect input, or None when the service does not use it."""
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
        namespace=namespace_arn,
        services=services,
        log_configuration=aws.ecs.ServiceServiceConnectConfigurationLogConfigurationArgs(
            log_driver="awslogs",
            options={
                "awslogs-group": log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": "connect",
            },
        ),
    )


def admit(
    parent: pulumi.Resource,
    name: str,
    port: int,
    security_group_id: pulumi.Input[str],
    caller: str,
    caller_security_group_id: pulumi.Input[str],
) -> None:
    """Service `name` accepts `caller`'s tasks on its app port (and nobody else's)."""
    security_groups.allow_tcp(
        f"{name}-from-{caller}",
        direction="from",
        security_group_id=security_group_id,
        peer_security_group_id=caller_security_group_id,
        port=port,
        description=f"Service Connect from {caller}",
        opts=pulumi.ResourceOptions(parent=parent),
    )
