"""`python -m offline <command>`: offline plan of a stack and its tools.

Exit codes: 0 planned; 2 invalid config (one line on stderr); 3 mandatory policy violation.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from components.config import ConfigError


def _plan(args: argparse.Namespace) -> int:
    from .engine import EngineError, plan
    from .report import plan_json, render

    try:
        result = plan(args.stack, Path(args.config_file) if args.config_file else None)
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(plan_json(result), sys.stdout, indent=2, sort_keys=False, default=str)
        print()
    else:
        print(render(result))
    from .policy import check

    refused = check(result).mandatory
    if refused:
        print(
            f"refused: {len(refused)} mandatory policy violation(s), e.g. {refused[0].policy}: "
            f"{refused[0].message}",
            file=sys.stderr,
        )
        return 3
    return 0


def _schema(args: argparse.Namespace) -> int:
    from .docs import DOCS_PATH, reference
    from .schema import SCHEMA_PATH, schema_text

    generated = {SCHEMA_PATH: schema_text(), DOCS_PATH: reference()}
    if args.stdout:
        sys.stdout.write(generated[SCHEMA_PATH])
        return 0
    if args.check:
        stale = [p for p, text in generated.items() if not p.exists() or p.read_text() != text]
        for path in stale:
            print(f"{path} is out of date; run python -m offline schema", file=sys.stderr)
        return 1 if stale else 0
    for path, text in generated.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(path.parent.parent)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plan", help="plan a stack offline (resources, cost, deploy time, policy)")
    p.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml)")
    p.add_argument("--config-file", help="read this stack file instead of Pulumi.<stack>.yaml")
    p.add_argument("--json", action="store_true", help="print one JSON object (DESIGN.md §4)")
    p.set_defaults(run=_plan)

    s = sub.add_parser(
        "schema", help="write the stack files' JSON Schema and docs/config-reference.md"
    )
    s.add_argument("--check", action="store_true", help="fail if the committed schema is stale")
    s.add_argument("--stdout", action="store_true", help="print instead of writing the file")
    s.set_defaults(run=_schema)

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
