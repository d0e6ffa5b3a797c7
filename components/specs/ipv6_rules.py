"""Cross-key rules of `network.ipv6`: what AWS refuses, and what IPv6-only tasks cannot reach.

`check(config)` runs in StackConfig's validation, before any resource is registered. For
`ipv6.tasks: ipv6-only` it walks every workload on awsvpc and checks each endpoint the task
needs against `ipv6_support.ENDPOINTS` in the stack's region: the image registries of all its
containers, CloudWatch Logs, the services its secrets live in, its queue (workers), ECS Exec,
Service Connect and EFS. A NAT gateway (natGateways single/perAz) adds NAT64, through which
IPv4-only registries and endpoints stay reachable; a NAT instance does not (NetworkSpec refuses
it). It also resolves each load balancer's IP address type (`ip_address_type`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import SpecError
from .ipv6_support import ENDPOINTS, FARGATE_PAGE, ecs_ipv6_only_regions, registry_of

if TYPE_CHECKING:
    from ..config import StackConfig
    from .service import ServiceSpec

ALB_PAGE = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/"
    "load-balancer-ip-address-type.html"
)


def ip_address_type(config: StackConfig, lb_name: str) -> str:
    """The load balancer's IpAddressType: configured, else dualstack in an IPv6 network."""
    lb = config.load_balancers[lb_name]
    if lb.ip_address_type is not None:
        return lb.ip_address_type
    return "dualstack" if config.network.ipv6 is not None else "ipv4"


def check(config: StackConfig) -> None:
    for name, lb in config.load_balancers.items():
        if lb.ip_address_type not in (None, "ipv4") and config.network.ipv6 is None:
            # "The virtual private cloud (VPC) and subnets that you specify for the load
            # balancer must have associated IPv6 CIDR blocks." (ALB_PAGE, dualstack requirements)
            raise SpecError(
                ("loadBalancers", name, "ipAddressType"),
                f"{lb.ip_address_type} needs IPv6 CIDR blocks on the VPC and subnets; set "
                f"network.ipv6 ({ALB_PAGE})",
            )
    if not config.network.ipv6_only_tasks:
        return
    region = config.region
    if region not in ecs_ipv6_only_regions():
        raise SpecError(
            ("network", "ipv6", "tasks"),
            f"ipv6-only: Amazon ECS does not run IPv6-only tasks in {region} (it lists "
            f"{len(ecs_ipv6_only_regions())} Regions: {FARGATE_PAGE}); use dual-stack",
        )
    workloads = [("services", n, s) for n, s in config.services.items()]
    workloads += [("workers", n, w.service_spec()) for n, w in config.workers.items()]
    workloads += [
        ("scheduledTasks", n, t.service_spec()) for n, t in config.scheduled_tasks.items()
    ]
    for section, name, spec in workloads:
        if spec.launch_type == "EXTERNAL":
            continue  # the team's own servers: their network, not the VPC's subnets
        _check_workload(config, (section, name), spec, section == "workers")
        if spec.load_balancer is not None:
            lb_type = ip_address_type(config, spec.load_balancer.name)
            if lb_type == "ipv4":
                raise SpecError(
                    ("loadBalancers", spec.load_balancer.name, "ipAddressType"),
                    f'ipv4, but {section}.{name} runs IPv6-only tasks behind it: "An IPv6-only '
                    "Amazon ECS service must use dualstack load balancers with IPv6 target "
                    f'groups" ({FARGATE_PAGE}); use dualstack or dualstack-without-public-ipv4',
                )


def _check_workload(
    config: StackConfig, at: tuple[str, str], spec: ServiceSpec, reads_queue: bool
) -> None:
    region, nat64 = config.region, config.network.nat_gateways in ("single", "perAz")
    kind = config.compatibility(spec)
    if kind != "FARGATE":
        raise SpecError(
            (*at, "capacityProviders"),
            f"{kind} with network.ipv6.tasks ipv6-only: IPv6-only container instances need a "
            "primary IPv6 address, an ECS-optimized Linux AMI and agent 1.99.1 or later "
            "(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking.html), "
            "which this project does not build yet; run these tasks on FARGATE/FARGATE_SPOT or "
            "use ipv6.tasks dual-stack",
        )
    if spec.assign_public_ip:
        raise SpecError(
            (*at, "assignPublicIp"),
            "true with network.ipv6.tasks ipv6-only: IPv6-only subnets have no IPv4 addresses, so "
            "there is no public IPv4 to assign (the tasks reach the internet over IPv6 through "
            "the egress-only internet gateway); remove it",
        )
    refusals = [
        ("executeCommand", spec.execute_command, "exec"),
        ("serviceConnect", spec.service_connect is not None, "service-connect"),
        ("efsVolumes", bool(spec.efs_volumes), "efs"),
    ]
    for key, used, endpoint in refusals:
        if used:
            e = ENDPOINTS[endpoint]
            said = "does not support it" if e.status == "not-supported" else "documents no support"
            raise SpecError(
                (*at, key),
                f"{e.what} with network.ipv6.tasks ipv6-only: AWS {said} for IPv6-only tasks "
                f"({e.source}); use ipv6.tasks dual-stack",
            )
    containers = [((*at, "image"), spec.image)]
    containers += [((*at, "sidecars", n, "image"), s.image) for n, s in spec.sidecars.items()]
    for path, image in containers:
        _need(registry_of(image), path, image or "the built image", region, nat64)
    _need("logs", ("network", "ipv6", "tasks"), "awslogs log delivery", region, nat64)
    refs = {k: v for c in [spec, *spec.sidecars.values()] for k, v in c.secrets.items()}
    for key, arn in sorted(refs.items()):
        _need(arn.split(":")[2], (*at, "secrets", key), arn, region, nat64)
    if reads_queue:
        _need("sqs", (*at, "queue"), "its SQS queue", region, nat64)


def _need(endpoint: str, path: tuple[str, ...], value: str, region: str, nat64: bool) -> None:
    e = ENDPOINTS[endpoint]
    if e.served(region) or nat64:
        return
    why = {
        "not-supported": "is not served over IPv6",
        "undocumented": "has no IPv6 endpoint that AWS documents",
    }.get(e.status, f"has no dual-stack endpoint in {region}")
    hint = (
        "; pull the Docker Official Image from ECR Public instead "
        "(public.ecr.aws/docker/library/<name>:<tag>)"
        if endpoint == "docker-hub"
        else ""
    )
    raise SpecError(
        path,
        f"{value}: {e.what} {why} ({e.source}), and IPv6-only tasks without NAT64 reach only "
        f"IPv6 endpoints{hint}; use network.natGateways single/perAz (NAT64) or ipv6.tasks "
        "dual-stack",
    )
