"""ecs-platform: one program for every environment; they differ only in Pulumi.<stack>.yaml.

`ecs-platform:stackKind` picks the shape (components/stacks/): single (everything in one stack,
the default), platform (network, cluster, shared load balancers, the teams' grants) or service
(one team's workloads on a platform stack or an existing cluster and ALB listener).
"""

from components import protection
from components.config import exit_on_config_error, load_stack_config
from components.stacks import platform, service, single

with exit_on_config_error():
    config = load_stack_config()
protection.configure(config.protection)

SHAPES = {"single": single.build, "platform": platform.build, "service": service.build}
SHAPES[config.stack_kind](config)
