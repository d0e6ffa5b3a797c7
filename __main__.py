"""ecs-platform: one program for every environment; they differ only in Pulumi.<stack>.yaml."""

import pulumi

from components.cluster import Cluster
from components.config import exit_on_config_error, load_stack_config
from components.network import Network

with exit_on_config_error():
    config = load_stack_config()

network = Network("network", config.network)
cluster = Cluster(
    "cluster",
    config.cluster,
    vpc_id=network.vpc_id,
    private_subnet_ids=network.private_subnet_ids,
)

pulumi.export("vpcId", network.vpc_id)
pulumi.export("clusterName", cluster.name)
