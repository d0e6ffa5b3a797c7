"""Print an imported stack as a stack file: findings as YAML comments, then `config:`."""

from __future__ import annotations

from typing import Any

import yaml

from .findings import KIND_TITLES, StackImport


class _Dumper(yaml.SafeDumper):
    """Block mappings, flow lists of scalars (`command: [npm, start]`), no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(v, dict | list) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def dump_config(config: dict[str, Any]) -> str:
    return yaml.dump(
        {"config": config}, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=4096
    )


def render(stack: StackImport, header: str) -> str:
    """`header` (one line, e.g. where it came from), findings by kind, notes, then the YAML."""
    lines = [f"# {header}"]
    for kind, title in KIND_TITLES.items():
        found = [f for f in stack.findings if f.kind == kind]
        if found:
            lines += ["#", f"# {title} ({len(found)}):"]
            lines += [f"#   - {f.line()}" for f in found]
    if stack.notes:
        lines.append("#")
        lines += [f"# {note}" for note in stack.notes]
    return "\n".join(lines) + "\n" + dump_config(stack.config)
