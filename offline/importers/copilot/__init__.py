"""AWS Copilot application (copilot/ directory) -> one stack config per environment.

Reads workload manifests (`copilot/<name>/manifest.yml`: Load Balanced Web Service, Backend
Service, Worker Service, Scheduled Job) with their `environments:` overrides, and environment
manifests (`copilot/environments/<env>/manifest.yml`). Services go to `ecs-platform:services`,
Worker Services to `ecs-platform:workers`, Scheduled Jobs to `ecs-platform:scheduledTasks`.
What has no equivalent is a finding naming the manifest and key. See docs/migrating.md.

The steps, one module each: `parse` (the manifests, environments and overrides), the mapping
modules (`environment` and `network`; per workload `container`, `secrets`, `health`,
`storage`, `sidecars`, `count`, `routing`, then `services`, `workers` or `jobs` by type),
`tables` (the mappings as data), `report` (what was not mapped); `importer` runs them over
`context` (the environment and workload being mapped). `..render` prints the result.
"""

from .importer import import_copilot

__all__ = ["import_copilot"]
