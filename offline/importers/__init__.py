"""Importers: Docker Compose files and AWS Copilot manifests -> our stack config.

Each importer returns an `ImportResult`: one stack config per target stack (flat
`ecs-platform:<key>` mapping, as in `Pulumi.<stack>.yaml`) plus `Finding`s that say what could
not be mapped, what needs a value only the user has (secret ARNs, images), and what was mapped
with a change. `render()` prints a stack file with the findings as YAML comments.

The importers never invent values: a secret without an ARN or a service without a pullable
image is left out of the config and listed, so the output always passes the config layer.

Each importer is a package of steps (`compose/`, `copilot/`): parse the source, map it one
concern per module with the mappings as data (`tables`), report what did not map. Shared by
both: `common` (YAML 1.2 loading, durations, names, sizes), `tables` (ECS limits both clamp
to), `findings` (what an import returns), `render` (the stack file), `check` (the config layer
and the offline plan on the result) and `cli` (the two commands).
"""

from .findings import Finding, ImportResult, SourceError
from .render import render

__all__ = ["Finding", "ImportResult", "SourceError", "render"]
