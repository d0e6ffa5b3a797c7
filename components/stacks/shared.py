"""What the single and platform shapes build alike: network, cluster and load balancers."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from ..cluster import Cluster
from ..config import StackConfig
from ..load_balancer import LoadBalancer
from ..network import Network
from ..specs.ipv6_rules import ip_address_type


@dataclass(frozen=True)
class Foundation:
    network: Network
    cluster: Cluster
    load_balancers: dict[str, LoadBalancer]

    def task_subnets(self, public_ip: bool) -> list[pulumi.Output[str]]:
        """Tasks run in private (or IPv6-only) subnets unless the config asks for public IPs."""
        return self.network.public_subnet_ids if public_ip else self.network.task_subnet_ids


def foundation(config: StackConfig) -> Foundation:
    """The network, the cluster on it, and the load balancers in its subnets."""
    network = Network("network", config.network)
    cluster = Cluster(
        "cluster",
        config.cluster,
        vpc_id=network.vpc_id,
        private_subnet_ids=network.private_subnet_ids,
    )
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
    return Foundation(network, cluster, load_balancers)
