"""`python -m offline <command>`: offline plan of a stack and its tools.

Exit codes: 0 planned; 2 invalid config (one line on stderr); 3 mandatory policy violation or
apply-time AWS rule violation (plan, and the after side of diff; docs/aws-rules.md), or a
replacement that would drop traffic without replacementIntended (diff).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from . import timings

if __name__ == "__main__" and "--timings" in sys.argv[1:]:
    timings.start()  # before the imports below, so they are counted too

from components.config import ConfigError

from .errors import EngineError


def _plan(args: argparse.Namespace) -> int:
    from . import awsrules
    from .platform_plans import environment_json, platform_line, render_environment
    from .policy import check
    from .report import plan_json, render

    if args.timings:
        timings.start()
    plans = _plan_stack(args)
    result, source = plans.plan, plans.platform
    with timings.phase("policy"):
        policy = check(result)
        checks = awsrules.check(result)
        platform = source.plan if args.with_platform and source is not None else None
        platform_policy = check(platform) if platform is not None else None
        platform_checks = awsrules.check(platform) if platform is not None else None
    with timings.phase("report"):
        if args.json:
            doc = plan_json(result, policy, checks)
            if source is not None:
                doc["platform"] = {"stack": source.reference, "outputs": source.how}
                if args.with_platform:
                    doc["environment"] = environment_json(plans)
                    if platform is not None:
                        doc["platformPlan"] = plan_json(platform, platform_policy, platform_checks)
            json.dump(doc, sys.stdout, indent=2, sort_keys=False, default=str)
            print()
        else:
            if source is not None:
                print(platform_line(source), end="\n\n")
            if platform is not None:
                print(render(platform, platform_policy, platform_checks), end="\n\n")
            print(render(result, policy, checks))
            if args.with_platform and source is not None:
                print("", *render_environment(plans), sep="\n")
        sys.stdout.flush()
    timings.report(sys.stderr)
    # --with-platform: the environment is refused when either stack is
    refused = policy.mandatory + (platform_policy.mandatory if platform_policy else [])
    if refused:
        print(
            f"refused: {len(refused)} mandatory policy violation(s), e.g. {refused[0].policy}: "
            f"{refused[0].message}",
            file=sys.stderr,
        )
        return 3
    violations = checks.violations + (platform_checks.violations if platform_checks else [])
    if violations:
        print(
            f"refused: {len(violations)} apply-time AWS rule violation(s), e.g. "
            f"{violations[0].line()}",
            file=sys.stderr,
        )
        return 3
    return 0


def _plan_stack(args: argparse.Namespace):
    """plan and diagram: the stack (a service stack's platform planned first or read)."""
    from .platform_plans import plan_stack

    return plan_stack(
        args.stack,
        Path(args.config_file) if args.config_file else None,
        project_dir=_project_dir(args),
        platform_plan=Path(args.platform_plan) if args.platform_plan else None,
    )


def _project_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.project_dir).resolve() if getattr(args, "project_dir", None) else None


def _load(ref: str, stack: str | None = None, project_dir: Path | None = None):
    """A stack name (Pulumi.<name>.yaml) or a path to a stack file, planned as `stack` (default:
    the <name> of a Pulumi.<name>.yaml file, else the file's stem); a service stack's platform
    is planned first (offline/platform_plans.py)."""
    from .platform_plans import plan_stack

    path = Path(ref)
    if path.suffix in (".yaml", ".yml") and path.exists():
        parts = path.name.split(".")
        named = parts[1] if len(parts) == 3 and parts[0] == "Pulumi" else path.stem
        return plan_stack(stack or named, path, project_dir=project_dir).plan
    return plan_stack(ref, project_dir=project_dir).plan


def _diagram(args: argparse.Namespace) -> int:
    from .diagram import build, mermaid, write

    plans = _plan_stack(args)
    platform = plans.platform.plan if args.with_platform and plans.platform else None
    stacks = [p for p in (platform, plans.plan) if p is not None]  # platform first
    if args.readme:
        from .diagram import update_readme

        path = Path(args.readme)
        text = path.read_text()
        for each in stacks:
            text = update_readme(text, each.stack, mermaid(build(each)))
            print(f"wrote the {each.stack} diagram into {path}")
        path.write_text(text)
        return 0
    if args.out is None:
        if len(stacks) == 1:
            sys.stdout.write(mermaid(build(stacks[0])))
            return 0
        for each in stacks:  # Markdown: one Mermaid block per stack
            sys.stdout.write(f"### Stack {each.stack}\n\n```mermaid\n{mermaid(build(each))}```\n\n")
        return 0
    for each in stacks:
        for path in write(each, Path(args.out)):
            print(f"wrote {path}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from components.config import PROJECT_DIR

    from .diff import diff, render

    # both sides are stack files of this project (a snapshot may sit elsewhere, e.g. base/)
    project_dir = _project_dir(args) or PROJECT_DIR
    result = diff(
        _load(args.before, args.stack, project_dir), _load(args.after, args.stack, project_dir)
    )
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2, default=str)
        print()
    else:
        print(render(result))
    for v in result.policy_after.mandatory:
        print(f"refused by policy: {v.policy}: {v.message}", file=sys.stderr)
    for violation in result.checks_after.violations:
        print(f"refused by an apply-time AWS rule: {violation.line()}", file=sys.stderr)
    for r in result.refused:
        print(f"refused replacement: {r.name} ({', '.join(r.properties)})", file=sys.stderr)
    return 3 if result.blocked else 0


def _changed(args: argparse.Namespace) -> int:
    from .ci import changed, deploy_order

    project_dir = _project_dir(args)
    stacks = (
        deploy_order(args.stack, project_dir)
        if args.stack
        else changed(args.base, args.head, project_dir)
    )
    print(json.dumps(stacks))
    return 0


def _set_image(args: argparse.Namespace) -> int:
    from .ci import set_image_in_file

    path = set_image_in_file(args.stack, args.section, args.name, args.image)
    print(f"{path.name}: {args.section}.{args.name}.image = {args.image}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from .docs import DOCS_PATH, reference
    from .policy_docs import POLICY_DOC_PATH, policy_doc
    from .schema import SCHEMA_PATH, schema_text

    generated = {
        SCHEMA_PATH: schema_text(),
        DOCS_PATH: reference(),
        POLICY_DOC_PATH: policy_doc(POLICY_DOC_PATH.read_text()),
    }
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


PROJECT_DIR_HELP = (
    "directory of Pulumi.yaml and the stack files (default: this repository), e.g. "
    "examples/platform-teams"
)


def _platform_arguments(p: argparse.ArgumentParser) -> None:
    """--project-dir, --platform-plan, --with-platform (docs/platform-and-teams.md)."""
    p.add_argument("--project-dir", help=PROJECT_DIR_HELP)
    p.add_argument(
        "--platform-plan",
        help="a service stack: read its platform's outputs from this saved `plan --json` file "
        "instead of planning the platform's stack file",
    )
    p.add_argument(
        "--with-platform",
        action="store_true",
        help="a service stack: also show its platform stack, and the environment's total cost "
        "and fresh deploy time",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plan", help="plan a stack offline (resources, cost, deploy time, policy)")
    p.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml)")
    p.add_argument("--config-file", help="read this stack file instead of Pulumi.<stack>.yaml")
    p.add_argument(
        "--json", action="store_true", help="print one JSON object (README.md, Offline plan)"
    )
    p.add_argument(
        "--timings",
        action="store_true",
        help="print where the time went to stderr: imports, config, program, shapes, policy, "
        "report (seconds)",
    )
    _platform_arguments(p)
    p.set_defaults(run=_plan)

    g = sub.add_parser("diagram", help="the stack's architecture as Mermaid (and SVG/PNG)")
    g.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml)")
    g.add_argument("--config-file", help="read this stack file instead of Pulumi.<stack>.yaml")
    g.add_argument(
        "--out", help="write <stack>.mmd and .dot here, and .svg/.png when Graphviz is installed"
    )
    g.add_argument("--readme", help="replace this stack's Mermaid block in this Markdown file")
    _platform_arguments(g)
    g.set_defaults(run=_diagram)

    d = sub.add_parser(
        "diff",
        help="resources, cost and deploy time from one stack (or stack file) to another; "
        "exit 3 when the after side breaks a mandatory policy rule of its level or a "
        "replacement would drop traffic without replacementIntended",
    )
    d.add_argument("before", help="stack name or stack file (e.g. dev, base/Pulumi.prod.yaml)")
    d.add_argument("after", help="stack name or stack file (e.g. prod, Pulumi.prod.yaml)")
    d.add_argument(
        "--stack",
        help="plan both stack files as this stack (its URNs and policy level); default: the "
        "<name> of Pulumi.<name>.yaml, else the file name without .yaml",
    )
    d.add_argument("--json", action="store_true", help="print one JSON object")
    d.add_argument("--project-dir", help=PROJECT_DIR_HELP)
    d.set_defaults(run=_diff)

    c = sub.add_parser(
        "changed",
        help="stacks a change touches, in deploy order, as JSON [{stack, level, region, kind}] "
        "(dev levels first, prod last, a platform stack before its service stacks; a program "
        "change touches every stack, a platform change its service stacks)",
    )
    c.add_argument("--base", default="", help="commit before the change (empty: every stack)")
    c.add_argument("--head", default="HEAD", help="commit after the change")
    c.add_argument("--stack", action="append", help="these stacks instead of a git range")
    c.add_argument("--project-dir", help=PROJECT_DIR_HELP)
    c.set_defaults(run=_changed)

    i = sub.add_parser(
        "set-image", help="record an image in a stack file (Pulumi.<stack>.yaml), layout kept"
    )
    i.add_argument("--stack", required=True)
    i.add_argument("--section", default="services", help="services, workers or scheduledTasks")
    i.add_argument("--name", required=True, help="the service, worker or scheduled task")
    i.add_argument(
        "--image", required=True, help="e.g. <account>.dkr.ecr.<region>.amazonaws.com/web:1.9.0"
    )
    i.set_defaults(run=_set_image)

    s = sub.add_parser(
        "schema",
        help="write the stack files' JSON Schema, docs/config-reference.md and the rule table "
        "of docs/policy.md",
    )
    s.add_argument(
        "--check", action="store_true", help="fail if the schema or a generated doc is stale"
    )
    s.add_argument("--stdout", action="store_true", help="print instead of writing the file")
    s.set_defaults(run=_schema)

    from .importers.cli import add_commands

    add_commands(sub)

    from .eks.cli import add_command as add_eks_command

    add_eks_command(sub)

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _exit(code: int) -> NoReturn:
    """Exit once the output is out, without the interpreter's teardown.

    Shutting the interpreter down unloads every module (thousands of pulumi-aws classes) and
    collects garbage that the process's end frees anyway: a second of a plan's CPU time at 200
    services. Exit handlers still run (logging flushes its handlers). Should the output not
    flush (a closed pipe), the interpreter exits the usual way and reports it.
    """
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    # One short-lived process: the cyclic collector would re-scan a plan's millions of live
    # objects again and again (a fifth of the CPU time at 200 services) to free a few cycles
    # that the process's end frees anyway; peak memory is the same without it.
    gc.disable()
    _exit(main())
