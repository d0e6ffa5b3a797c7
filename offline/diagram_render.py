"""The neutral diagram graph (nodes, groups, edges) and its two renderings: Mermaid and
Graphviz DOT text. offline/diagram.py builds the graph from a plan."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Diagram:
    title: str
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (label, shape)
    groups: dict[str, list[str]] = field(default_factory=dict)  # group label -> node ids
    edges: list[tuple[str, str, str, bool]] = field(default_factory=list)  # a, b, label, dashed

    def node(self, key: str, label: str, shape: str = "box", group: str | None = None) -> str:
        node_id = re.sub(r"[^A-Za-z0-9_]", "_", key)
        self.nodes[node_id] = (label, shape)
        if group is not None:
            self.groups.setdefault(group, []).append(node_id)
        return node_id

    def edge(self, a: str, b: str, label: str = "", dashed: bool = False) -> None:
        self.edges.append((a, b, label, dashed))


_MERMAID_SHAPES = {
    "box": ("[", "]"),
    "round": ("(", ")"),
    "circle": ("((", "))"),
    "diamond": ("{{", "}}"),
    "cylinder": ("[(", ")]"),
}


def mermaid(d: Diagram) -> str:
    lines = ["---", f"title: {d.title}", "---", "flowchart LR"]
    grouped = {n for ids in d.groups.values() for n in ids}

    def node(node_id: str) -> str:
        label, shape = d.nodes[node_id]
        left, right = _MERMAID_SHAPES[shape]
        return f'{node_id}{left}"{label}"{right}'

    for node_id in d.nodes:
        if node_id not in grouped:
            lines.append(f"  {node(node_id)}")
    for i, (label, ids) in enumerate(d.groups.items()):
        lines.append(f'  subgraph group{i}["{label}"]')
        lines += [f"    {node(n)}" for n in ids]
        lines.append("  end")
    for a, b, label, dashed in d.edges:
        arrow = "-.->" if dashed else "-->"
        if re.search(r"[()\[\]{}?<>#;|\"]", label):  # Mermaid reads these as syntax unquoted
            label = '"' + label.replace('"', "#quot;") + '"'
        lines.append(f"  {a} {arrow}|{label}| {b}" if label else f"  {a} {arrow} {b}")
    return "\n".join(lines) + "\n"


_DOT_SHAPES = {
    "box": "box",
    "round": "box",
    "circle": "circle",
    "diamond": "diamond",
    "cylinder": "cylinder",
}


def dot(d: Diagram) -> str:
    def label(text: str) -> str:
        return text.replace("<br/>", "\\n").replace('"', '\\"')

    lines = [
        "digraph stack {",
        "  rankdir=LR;",
        f'  label="{label(d.title)}"; labelloc=t;',
        '  node [fontname="Helvetica", fontsize=10];',
    ]
    grouped = {n for ids in d.groups.values() for n in ids}
    for node_id, (text, shape) in d.nodes.items():
        if node_id not in grouped:
            lines.append(f'  {node_id} [label="{label(text)}", shape={_DOT_SHAPES[shape]}];')
    for i, (title, ids) in enumerate(d.groups.items()):
        lines.append(f'  subgraph cluster_{i} {{ label="{label(title)}";')
        for node_id in ids:
            text, shape = d.nodes[node_id]
            lines.append(f'    {node_id} [label="{label(text)}", shape={_DOT_SHAPES[shape]}];')
        lines.append("  }")
    for a, b, text, dashed in d.edges:
        style = ", style=dashed" if dashed else ""
        lines.append(f'  {a} -> {b} [label="{label(text)}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"
