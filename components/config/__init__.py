"""Stack config: the `ecs-platform:*` keys of Pulumi.<stack>.yaml as one typed, validated object.

This package is the only reader of `pulumi.Config`. A config that AWS would reject, or that
contradicts itself, raises `ConfigError` before any resource is registered.

- `model`: `StackConfig`, the fields of a stack file with their descriptions and defaults.
- `rules`: the cross-key rules, run when a `StackConfig` validates; by concern in
  `capacity_rules`, `egress_rules`, `routing_rules` and `service_connect_rules`.
- `placement`, `priorities`: what the components read across sections (a workload's size,
  capacity and addressing, a load balancer's clients, listener rule priorities).
- `load`: reading `pulumi.Config` or the stack files, merging `Pulumi.yaml`'s project values
  under the stack's (`deep_merge`), `load_stack_config`, `exit_on_config_error`.
- `errors`: `ConfigError` and the one-line text of a validation error.
"""

from .errors import ConfigError
from .load import (
    PROJECT,
    PROJECT_DIR,
    TOP_LEVEL_KEYS,
    deep_merge,
    exit_on_config_error,
    load_stack_config,
    parse_stack_config,
    project_values,
)
from .model import StackConfig

__all__ = [
    "PROJECT",
    "PROJECT_DIR",
    "TOP_LEVEL_KEYS",
    "ConfigError",
    "StackConfig",
    "deep_merge",
    "exit_on_config_error",
    "load_stack_config",
    "parse_stack_config",
    "project_values",
]
