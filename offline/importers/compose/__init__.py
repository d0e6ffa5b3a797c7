"""Docker Compose file -> `ecs-platform:services` (and the public ALB its web ports need).

Mapped: image or build, ports and expose, environment and env_file (plain values; values that
look like credentials are listed instead), command, entrypoint, healthcheck, user, working_dir,
read_only, stop_grace_period, platform, deploy.replicas and deploy.resources (to the cheapest
Fargate size that covers them). Everything else is a finding naming the service and the key.
See docs/migrating.md for the table and the reasons.

The steps, one module each: `parse` (the file, its variables), a mapping module per concern
(`image`, `resources`, `ports`, `container`, `environment`, `health`, then across services
`routing`, `service_connect`, `run_once`), `tables` (the mappings as data), `report` (what was
not mapped, what needs the user's input); `importer` runs them. `..render` prints the result.
"""

from .importer import import_compose

__all__ = ["import_compose"]
