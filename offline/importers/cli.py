"""`python -m offline import-compose FILE` and `python -m offline import-copilot DIR`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from components.config import ConfigError

from .check import review, validate
from .findings import ImportResult, SourceError
from .render import render


def add_commands(sub: Any) -> None:
    c = sub.add_parser(
        "import-compose", help="print ecs-platform:services for a Docker Compose file"
    )
    c.add_argument("file", help="docker-compose.yml / compose.yaml")
    c.add_argument(
        "--env-file",
        action="append",
        default=[],
        help="read variables from this file instead of the .env beside the Compose file "
        "(repeatable, as in docker compose)",
    )
    c.add_argument(
        "--plan",
        action="store_true",
        help="also plan the result offline, with cost and the policy checks of a dev stack",
    )
    c.set_defaults(run=_import_compose)

    p = sub.add_parser(
        "import-copilot", help="print a stack config per environment of a Copilot application"
    )
    p.add_argument("directory", help="the copilot/ directory (or the workspace holding it)")
    p.add_argument("--out", help="write Pulumi.<env>.yaml files into this directory")
    p.add_argument("--region", help="aws:region of the environments (Copilot keeps it outside)")
    p.add_argument("--account", help="AWS account ID, to turn SSM parameter names into ARNs")
    p.add_argument(
        "--env", action="append", default=[], help="also emit this environment (repeatable)"
    )
    p.add_argument("--plan", action="store_true", help="also plan each result offline")
    p.set_defaults(run=_import_copilot)


def _import_compose(args: argparse.Namespace) -> int:
    from .compose import import_compose

    try:
        result = import_compose(Path(args.file), [Path(p) for p in args.env_file])
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    header = (
        f"Imported from {args.file} by `python -m offline import-compose`; merge these keys "
        "into your Pulumi.<stack>.yaml."
    )
    return _emit(result, args, lambda _env: header)


def _import_copilot(args: argparse.Namespace) -> int:
    from .copilot import import_copilot

    try:
        result = import_copilot(
            Path(args.directory),
            region=args.region,
            account=args.account,
            environments=tuple(args.env),
        )
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return _emit(
        result,
        args,
        lambda env: (
            f"Pulumi.{env}.yaml: Copilot environment {env}, imported from "
            f"{args.directory} by `python -m offline import-copilot`."
        ),
    )


def _emit(result: ImportResult, args: argparse.Namespace, header: Any) -> int:
    texts: dict[str, str] = {}
    refused = 0
    for env, stack in result.stacks.items():
        try:
            validate(stack, env)
        except ConfigError as exc:
            print(f"error: the imported config does not validate: {exc}", file=sys.stderr)
            return 2
        if args.plan:
            # A Compose file has no environment: it is checked as a dev (non-prod) stack.
            refused += review(stack, "dev" if env == "compose" else env)
        texts[env] = render(stack, header(env))
    out = getattr(args, "out", None)
    if out:
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)
        for env, text in texts.items():
            (directory / f"Pulumi.{env}.yaml").write_text(text)
            print(f"wrote {directory / f'Pulumi.{env}.yaml'}")
    else:
        sys.stdout.write("---\n".join(texts.values()))
    if refused:
        print(
            f"refused: {refused} mandatory policy violation(s); each is listed under "
            "'Needs your input'",
            file=sys.stderr,
        )
        return 3
    return 0
