"""The stack files the per-stack invariants run over: whatever `Pulumi.*.yaml` exist.

In the repository's own project directory (the single-stack examples, or whatever the team keeps
there) and in every other project directory under examples/ (a folder with its own
Pulumi.yaml, e.g. a platform stack and its teams' service stacks). A stack is named by its
stack name at the root, and by `<folder>:<stack>` elsewhere (`examples/platform-teams:team-a`).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = [ROOT, *sorted(p.parent for p in (ROOT / "examples").glob("*/Pulumi.yaml"))]


def _names(folder: Path) -> list[str]:
    # Pulumi.<stack>.yaml; a stack name may itself contain dots (Pulumi.eu.prod.yaml)
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))


def stack_ids() -> list[str]:
    return [
        name if folder == ROOT else f"{folder.relative_to(ROOT)}:{name}"
        for folder in PROJECTS
        for name in _names(folder)
    ]


def locate(stack_id: str) -> tuple[Path, str]:
    """(project directory, stack name) of a stack id."""
    folder, sep, name = stack_id.rpartition(":")
    return (ROOT / folder, name) if sep else (ROOT, stack_id)


def stack_file(stack_id: str) -> Path:
    folder, name = locate(stack_id)
    return folder / f"Pulumi.{name}.yaml"
