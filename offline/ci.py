"""What the CI workflow asks of the repository: which stacks a change touches, in deploy order,
and an image tag recorded in a stack file (so git, not the CI's memory, says what runs).

`python -m offline changed --base REF [--head REF] [--project-dir DIR]` prints a JSON list for
the deploy matrix: one `{"stack", "level", "region", "kind"}` per stack to deploy, dev-level
stacks first, then staging, then prod (by name within a level). A changed `Pulumi.<stack>.yaml`
selects its stack; a change to the program itself (Python code, requirements, Pulumi.yaml, the
policy pack) selects every stack, since every stack runs that program. `kind` is the stack
file's `ecs-platform:stackKind` (single, platform or service; default single). A service stack
whose `ecs-platform:platform` is `{stack: NAME}` (a platform stack of the same project
directory) deploys after that platform when both are listed, and a changed platform stack file
also selects every service stack that references it, with `"reason"` saying so: the platform's
outputs, which the service stack reads through a StackReference, may change.

`python -m offline set-image --stack S --service NAME --image IMAGE` rewrites the one `image:`
value of that service in Pulumi.S.yaml in place (comments and layout kept), for a workflow that
then commits the file and deploys that commit.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import yaml

from components import stack_yaml
from components.config import PROJECT, PROJECT_DIR, ConfigError, project_values
from components.config.load import check_region
from components.specs.platform import StackName
from components.specs.policy_level import PolicyLevelSetting, resolve

from .stackfiles import load_stack, read_stack_file, stack_path

LEVEL_ORDER = {"dev": 0, "staging": 1, "prod": 2}
STACK_FILE = re.compile(r"^Pulumi\.(.+)\.yaml$")
PROGRAM = re.compile(r"(\.py$|^requirements\.txt$|^Pulumi\.yaml$|^policy/)")
SECTIONS = ("services", "workers", "scheduledTasks")
KINDS = ("single", "platform", "service")


@dataclass(frozen=True)
class StackKind:
    """What the deploy order needs of a stack file beyond its level and region."""

    kind: str  # single | platform | service
    platform: str | None  # a service stack's platform, when it is a stack of this project


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


def read_kind(stack: str, root: Path = PROJECT_DIR) -> StackKind:
    """`ecs-platform:stackKind` and, for a service stack, `ecs-platform:platform.stack`.

    Read from the file's YAML, not the config model, so a kind the model refuses still orders.
    """
    raw, lines = read_stack_file(root / f"Pulumi.{stack}.yaml")
    try:
        kind = _decode(raw.get(f"{PROJECT}:stackKind", "single"))
        if kind not in KINDS:
            raise ConfigError(
                f"Pulumi.{stack}.yaml", "stackKind", f"{kind!r} is not one of {', '.join(KINDS)}"
            )
        platform = _decode(raw.get(f"{PROJECT}:platform"))
    except ConfigError as exc:
        raise stack_yaml.located(exc, lines) from None
    if kind != "service" or not isinstance(platform, Mapping):
        return StackKind(kind, None)
    name = platform.get("stack")
    if not isinstance(name, str) or not name:
        return StackKind(kind, None)  # brownfield: a cluster and listener given by ARN
    # None for another project's stack: not deployed from here
    return StackKind(kind, StackName.parse(name).local())


def _decode(value: Any) -> Any:
    """A value as `pulumi config set` may store it: an object as a JSON string."""
    if isinstance(value, str) and value[:1] == "{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def level_and_region(stack: str, kind: str, root: Path = PROJECT_DIR) -> tuple[str, str]:
    """(policy level, region) of a stack file, as the config model resolves them.

    A single stack goes through the full config parser, as it always has; a platform or service
    stack's two values are read from its YAML (`ecs-platform:policyLevel`, else Pulumi.yaml's
    default, else auto; `aws:region`): parsing a service stack in full reads its platform and
    every sibling stack file (the ownership checks), which ordering does not need, and a grant
    problem is for the stack's plan in CI to report, not for the deploy order to hide.
    """
    path = root / f"Pulumi.{stack}.yaml"
    if kind == "single":
        config = load_stack(stack, None if root == PROJECT_DIR else path).config
        return config.policy_environment[0], config.region
    raw, lines = read_stack_file(path)
    source = path.name
    project_file = root / "Pulumi.yaml"
    defaults = project_values(
        project_file if project_file.exists() else PROJECT_DIR / "Pulumi.yaml"
    )
    setting = raw.get(f"{PROJECT}:policyLevel", defaults.get("policyLevel", "auto"))
    region = raw.get("aws:region")
    try:
        if setting not in get_args(PolicyLevelSetting):
            allowed = ", ".join(get_args(PolicyLevelSetting))
            raise ConfigError(source, "policyLevel", f"{setting!r} is not one of {allowed}")
        region = check_region(region, source)
    except ConfigError as exc:
        raise stack_yaml.located(exc, lines) from None
    return resolve(setting, stack)[0], region


def with_service_stacks(
    stacks: Iterable[str], root: Path = PROJECT_DIR
) -> tuple[list[str], dict[str, str]]:
    """`stacks` plus every service stack of `root` whose platform is one of them, and why each
    added one deploys (its platform's outputs may change)."""
    selected = sorted(stacks)
    platforms = {s for s in selected if read_kind(s, root).kind == "platform"}
    reasons: dict[str, str] = {}
    if not platforms:
        return selected, reasons
    for stack in all_stacks(root):
        if stack in selected:
            continue
        platform = read_kind(stack, root).platform
        if platform in platforms:
            reasons[stack] = f"platform {platform} changed"
    return sorted([*selected, *reasons]), reasons


def deploy_order(
    stacks: Iterable[str], project_dir: Path | None = None, reasons: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """One entry per stack with its policy level, region and kind, dev levels first, prod last;
    a service stack after the platform stack it references when both are listed (and no earlier
    than that platform's level)."""
    root = project_dir or PROJECT_DIR
    reasons = reasons or {}
    entries: dict[str, dict[str, str]] = {}
    kinds: dict[str, StackKind] = {}
    for stack in stacks:
        kinds[stack] = read_kind(stack, root)
        level, region = level_and_region(stack, kinds[stack].kind, root)
        entries[stack] = {
            "stack": stack,
            "level": level,
            "region": region,
            "kind": kinds[stack].kind,
        }
        if stack in reasons:
            entries[stack]["reason"] = reasons[stack]

    def key(stack: str) -> tuple[int, int, str]:
        rank = LEVEL_ORDER[entries[stack]["level"]]
        platform = kinds[stack].platform
        if platform in entries and kinds[platform].kind == "platform":
            return max(rank, LEVEL_ORDER[entries[platform]["level"]]), 1, stack
        return rank, 0, stack

    return [entries[s] for s in sorted(entries, key=key)]


def git_changes(base: str, head: str, root: Path = PROJECT_DIR) -> list[str] | None:
    """Paths changed between two commits, relative to the project directory `root` (a path
    outside it keeps its repository path, and another directory's stack file is left out);
    None when the base is unknown (a new branch)."""
    if not base or set(base) == {"0"}:
        return None
    done = subprocess.run(
        ["git", "diff", "--name-only", f"{base}...{head}"],
        cwd=root, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    if done.returncode != 0:
        return None
    prefix = subprocess.run(
        ["git", "rev-parse", "--show-prefix"],
        cwd=root, capture_output=True, text=True, check=False, timeout=120,
    ).stdout.strip()  # fmt: skip
    if not prefix:
        return done.stdout.split()
    inside = [p.removeprefix(prefix) for p in done.stdout.split() if p.startswith(prefix)]
    outside = [p for p in done.stdout.split() if not p.startswith(prefix)]
    return inside + [p for p in outside if not STACK_FILE.match(p)]


def changed(base: str, head: str, project_dir: Path | None = None) -> list[dict[str, str]]:
    root = project_dir or PROJECT_DIR
    paths = git_changes(base, head, root)
    existing = all_stacks(root)
    stacks = existing if paths is None else changed_stacks(paths, existing)
    stacks, reasons = with_service_stacks(stacks, root)
    return deploy_order(stacks, project_dir, reasons)


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
