"""ecs-platform: one program for every environment; they differ only in Pulumi.<stack>.yaml."""

import pulumi

from components import protection
from components.cluster import Cluster
from components.config import exit_on_config_error, load_stack_config
from components.dashboard import stack_dashboard
from components.load_balancer import LoadBalancer
from components.network import Network
from components.scheduled_task import ScheduledTask
from components.service import Service
from components.specs.ipv6_rules import ip_address_type
from components.worker import Worker

with exit_on_config_error():
    config = load_stack_config()
protection.configure(config.protection)

network = Network("network", config.network)
cluster = Cluster(
    "cluster",
    config.cluster,
    vpc_id=network.vpc_id,
    private_subnet_ids=network.private_subnet_ids,
)


def task_subnets(public_ip: bool) -> list[pulumi.Output[str]]:
    """Tasks run in private (or IPv6-only) subnets unless the config asks for public IPs."""
    return network.public_subnet_ids if public_ip else network.task_subnet_ids


load_balancers = {
    name: LoadBalancer(
        name,
        spec,
        region=config.region,
        vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids if spec.internal else network.public_subnet_ids,
        client_cidrs=config.client_cidrs(name),
        ip_address_type=ip_address_type(config, name),
        vpc_ipv6_cidr=network.ipv6_cidr_block,
    )
    for name, spec in config.load_balancers.items()
}
services = {
    name: Service(
        name,
        spec,
        config.placement(name),
        cluster=cluster,
        vpc_id=network.vpc_id,
        subnet_ids=task_subnets(spec.assign_public_ip),
        load_balancer=load_balancers[spec.load_balancer.name] if spec.load_balancer else None,
    )
    for name, spec in config.services.items()
}
workers = {
    name: Worker(
        name,
        spec,
        config.task_placement(spec),
        cluster=cluster,
        vpc_id=network.vpc_id,
        subnet_ids=task_subnets(spec.assign_public_ip),
    )
    for name, spec in config.workers.items()
}
scheduled_tasks = {
    name: ScheduledTask(
        name,
        spec,
        config.task_placement(spec),
        cluster=cluster,
        vpc_id=network.vpc_id,
        subnet_ids=task_subnets(spec.assign_public_ip),
    )
    for name, spec in config.scheduled_tasks.items()
}

# Service Connect: each callee admits exactly the services that declare they call it.
for caller, spec in config.services.items():
    for callee in spec.service_connect.calls if spec.service_connect else []:
        services[callee].admit(caller, services[caller].security_group_id)

if config.observability.dashboard:
    stack_dashboard(services, cluster_name=cluster.name, region=config.region)

pulumi.export("vpcId", network.vpc_id)
pulumi.export("clusterName", cluster.name)
if cluster.anywhere is not None:  # secrets: the code registers servers with this account
    pulumi.export(
        "anywhere",
        {"activationId": cluster.anywhere.activation_id,
         "activationCode": cluster.anywhere.activation_code,
         "registerCommand": cluster.anywhere.register_command},
    )  # fmt: skip
pulumi.export(
    "loadBalancers",
    {name: {"dnsName": lb.dns_name, "securityGroupId": lb.security_group_id}
     for name, lb in load_balancers.items()},
)  # fmt: skip
pulumi.export(
    "services",
    {
        name: {
            "url": svc.url,
            **({"hostHeader": svc.host_header} if svc.host_header else {}),
            "serviceName": svc.service_name,
            "logGroup": svc.log_group_name,
            "taskRoleArn": svc.task_role_arn,
        }
        for name, svc in services.items()
    },
)
pulumi.export(
    "scheduledTasks",
    {name: {"scheduleArn": t.schedule_arn, "deadLetterQueueUrl": t.dead_letter_queue_url,
            "logGroup": t.log_group_name}
     for name, t in scheduled_tasks.items()},
)  # fmt: skip
pulumi.export(
    "workers",
    {name: {"queueUrl": w.queue_url, "queueArn": w.queue_arn, "serviceName": w.service_name,
            "logGroup": w.log_group_name}
     for name, w in workers.items()},
)  # fmt: skip
