"""What the CI workflow asks of the repository: which stacks a change touches, in deploy order,
and an image tag recorded in a stack file (so git, not the CI's memory, says what runs).

`python -m offline changed --base REF [--head REF]` prints a JSON list for the deploy matrix:
one `{"stack", "level", "region"}` per stack to deploy, dev-level stacks first, then staging,
then prod (by name within a level). A changed `Pulumi.<stack>.yaml` selects its stack; a change
to the program itself (Python code, requirements, Pulumi.yaml, the policy pack) selects every
stack, since every stack runs that program.

`python -m offline set-image --stack S --service NAME --image IMAGE` rewrites the one `image:`
value of that service in Pulumi.S.yaml in place (comments and layout kept), for a workflow that
then commits the file and deploys that commit.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from components.config import PROJECT, PROJECT_DIR, ConfigError

from .stackfiles import load_stack, stack_path

LEVEL_ORDER = {"dev": 0, "staging": 1, "prod": 2}
STACK_FILE = re.compile(r"^Pulumi\.(.+)\.yaml$")
PROGRAM = re.compile(r"(\.py$|^requirements\.txt$|^Pulumi\.yaml$|^policy/)")
SECTIONS = ("services", "workers", "scheduledTasks")


def all_stacks(root: Path = PROJECT_DIR) -> list[str]:
    return sorted(m.group(1) for p in root.glob("Pulumi.*.yaml") if (m := STACK_FILE.match(p.name)))


def changed_stacks(paths: Iterable[str], existing: Iterable[str]) -> list[str]:
    """Stacks a change touches: their own stack file, or every stack when the program changed."""
    existing = sorted(existing)
    touched: set[str] = set()
    for path in paths:
        match = STACK_FILE.match(path)
        if match is not None:
            touched.add(match.group(1))
        elif PROGRAM.search(path):
            return existing
    return [s for s in existing if s in touched]  # a deleted stack file deploys nothing


def deploy_order(stacks: Iterable[str]) -> list[dict[str, str]]:
    """One entry per stack with its policy level and region, dev levels first, prod last."""
    out = []
    for stack in stacks:
        config = load_stack(stack).config
        out.append({"stack": stack, "level": config.policy_environment[0], "region": config.region})
    return sorted(out, key=lambda e: (LEVEL_ORDER[e["level"]], e["stack"]))


def git_changes(base: str, head: str) -> list[str] | None:
    """Paths changed between two commits; None when the base is unknown (a new branch)."""
    if not base or set(base) == {"0"}:
        return None
    done = subprocess.run(
        ["git", "diff", "--name-only", f"{base}...{head}"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    return done.stdout.split() if done.returncode == 0 else None


def changed(base: str, head: str) -> list[dict[str, str]]:
    paths = git_changes(base, head)
    stacks = all_stacks() if paths is None else changed_stacks(paths, all_stacks())
    return deploy_order(stacks)


def set_image(text: str, source: str, section: str, name: str, image: str) -> str:
    """`text` (a stack file) with `ecs-platform:<section>.<name>.image` set to `image`."""
    if section not in SECTIONS:
        raise ConfigError(source, section, f"not a section with images; use one of {SECTIONS}")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}", image):
        raise ConfigError(source, f"{section}.{name}.image", f"{image!r} is not an image reference")
    node = _child(yaml.compose(text), "config", source)
    key = f"{PROJECT}:{section}"
    node = _child(_child(_child(node, key, source), name, source), "image", source)
    if not isinstance(node, yaml.ScalarNode):
        raise ConfigError(source, f"{section}.{name}.image", "is not a plain value")
    start, end = node.start_mark.index, node.end_mark.index
    plain = yaml.safe_load(image) == image  # else quote it (a bare 1.10 would be a number)
    return text[:start] + (image if plain else json.dumps(image)) + text[end:]


def _child(node: Any, key: str, source: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    where = key.removeprefix(f"{PROJECT}:")
    raise ConfigError(source, where, f"{where} is not in the stack file (image is set, not added)")


def set_image_in_file(stack: str, section: str, name: str, image: str) -> Path:
    path = stack_path(stack)
    if not path.exists():
        raise ConfigError(path.name, "", f"no such stack file: {path}")
    text = set_image(path.read_text(), path.name, section, name, image)
    with tempfile.TemporaryDirectory() as tmp:  # the edited file must still be a valid config
        candidate = Path(tmp) / path.name
        candidate.write_text(text)
        load_stack(stack, candidate)
    path.write_text(text)
    return path
