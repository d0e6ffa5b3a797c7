"""`python -m offline compare-eks --stack <env>`: the stack's services on ECS and on EKS.

Exit codes: 0 compared; 2 invalid config (one line on stderr, raised as ConfigError and printed
by offline/__main__.py); 1 when a rendered manifest fails the Kubernetes schema (a bug here).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_command(sub: Any) -> None:
    e = sub.add_parser(
        "compare-eks",
        help="price and time the stack's services on EKS (Fargate and managed nodes) beside "
        "ECS, and render them as Kubernetes manifests",
    )
    e.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml)")
    e.add_argument("--config-file", help="read this stack file instead of Pulumi.<stack>.yaml")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.add_argument("--out", help="write the manifests here as YAML (<out>/fargate, <out>/nodes)")
    e.add_argument(
        "--prefix-delegation",
        action="store_true",
        help="size nodes with VPC CNI prefix delegation (more pods per node)",
    )
    e.add_argument(
        "--project-dir",
        help="directory of Pulumi.yaml and the stack files (default: this repository)",
    )
    e.set_defaults(run=_compare_eks)


def _compare_eks(args: argparse.Namespace) -> int:
    from ..platform_plans import plan_stack
    from .compare import compare, render_table, to_json
    from .manifests import ManifestError

    config_file = Path(args.config_file) if args.config_file else None
    project_dir = Path(args.project_dir).resolve() if args.project_dir else None
    # a service stack is compared as planned on its platform's outputs
    result = plan_stack(args.stack, config_file, project_dir=project_dir).plan
    try:
        comparison = compare(result, prefix_delegation=args.prefix_delegation)
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(to_json(comparison), sys.stdout, indent=2)
        print()
    else:
        print(render_table(comparison))
    if args.out:
        for path in comparison.manifests.write(Path(args.out)):
            print(f"wrote {path}", file=sys.stderr if args.json else sys.stdout)
    return 0
