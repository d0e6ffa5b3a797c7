"""Offline plans of a service stack and the platform stack it reads through a StackReference.

Under `pulumi up` a service stack (`stackKind: service`, `platform: {stack: NAME}`) reads the
platform's outputs from the Pulumi service; offline there is no service, so the platform stack
is planned first, from its own stack file in the same project directory, and the
StackReference is answered with the platform's planned outputs. Alternatively a saved plan
(`python -m offline plan --stack NAME --json > platform.json`, for a platform in another
project or planned once for many teams) gives those outputs with `--platform-plan`.

`--with-platform` adds the environment's view: both reports, then the total monthly cost (the
two stacks' sums) and a fresh environment's deploy time (the platform's critical path, then the
service stack's, since `pulumi up` of a service stack needs the platform's outputs first).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.specs.platform import StackName

from .engine import Plan, plan
from .errors import EngineError
from .stackfiles import load_stack, project_folder, stack_path


@dataclass(frozen=True)
class PlatformSource:
    """Where a service stack's platform outputs came from."""

    reference: str  # as written in the stack file: NAME or org/project/NAME
    stack: str  # the platform stack's name
    how: str  # "planned from Pulumi.NAME.yaml" or "read from FILE"
    outputs: dict[str, Any]
    plan: Plan | None  # the platform's plan, when planned here
    saved: dict[str, Any] | None  # the platform's saved JSON plan, when read from a file


@dataclass(frozen=True)
class StackPlans:
    plan: Plan
    platform: PlatformSource | None


def plan_stack(
    stack: str,
    config_file: Path | None = None,
    *,
    project_dir: Path | None = None,
    platform_plan: Path | None = None,
) -> StackPlans:
    """Plan `stack`; a service stack's platform is planned first (or read from `platform_plan`).

    The stack's own config is validated first (its errors exit 2 before any platform is
    planned) and only once; the project directory is stackfiles.project_folder's."""
    loaded = load_stack(stack, config_file, project_dir)
    platform = loaded.config.platform
    if platform is None or platform.stack is None:
        return StackPlans(plan(stack, config_file, project_dir=project_dir, loaded=loaded), None)
    source = platform_outputs(
        platform.stack,
        project_dir=project_folder(config_file, project_dir),
        platform_plan=platform_plan,
    )
    outputs = {platform.stack: source.outputs, source.stack: source.outputs}
    result = plan(stack, config_file, project_dir=project_dir, stack_outputs=outputs, loaded=loaded)
    return StackPlans(result, source)


def platform_outputs(
    reference: str, *, project_dir: Path | None, platform_plan: Path | None
) -> PlatformSource:
    """The platform's outputs: from a saved JSON plan, else by planning its stack file."""
    parsed = StackName.parse(reference)
    name = parsed.stack
    if platform_plan is not None:
        try:
            doc = json.loads(platform_plan.read_text())
        except (OSError, ValueError) as exc:
            raise EngineError(
                f"--platform-plan {platform_plan}: not a saved plan ({exc})"
            ) from None
        if not isinstance(doc, dict) or "outputs" not in doc:
            raise EngineError(
                f"--platform-plan {platform_plan}: no outputs; save one with "
                f"`python -m offline plan --stack {name} --json > {platform_plan}`"
            )
        if doc.get("stack") != name:
            raise EngineError(
                f"--platform-plan {platform_plan} is the plan of stack {doc.get('stack')!r}; "
                f"this stack references {reference!r}"
            )
        return PlatformSource(
            reference, name, f"read from {platform_plan}", doc["outputs"], None, doc
        )
    path = stack_path(name, project_dir)
    if parsed.local() is None or not path.exists():
        raise EngineError(
            f"this service stack references platform stack {reference!r}, which is not "
            f"{path} of this project; plan the platform where its stack file is and pass "
            f"its saved plan: "
            f"--platform-plan FILE (`python -m offline plan --stack {name} --json > FILE`)"
        )
    platform = plan(name, project_dir=project_dir)
    return PlatformSource(
        reference, name, f"planned from {path.name}", platform.outputs, platform, None
    )


def environment_json(plans: StackPlans) -> dict[str, Any]:
    """The whole environment (platform + this service stack): cost and fresh deploy time."""
    from . import cost, deploy

    source = plans.platform
    assert source is not None
    service_cost = cost.estimate(plans.plan)
    service_fresh = deploy.estimate(plans.plan).fresh_stack_seconds / 60
    if source.plan is not None:
        platform_cost = cost.estimate(source.plan).monthly_usd
        platform_fresh = deploy.estimate(source.plan).fresh_stack_seconds / 60
    else:
        saved = source.saved or {}
        platform_cost = float(saved.get("cost", {}).get("monthlyUsd", 0.0))
        platform_fresh = float(saved.get("deployment", {}).get("freshStackMinutes", 0.0))
    return {
        "stacks": [source.stack, plans.plan.stack],
        "monthlyUsd": round(platform_cost + service_cost.monthly_usd, 2),
        "monthlyUsdByStack": {
            source.stack: round(platform_cost, 2),
            plans.plan.stack: round(service_cost.monthly_usd, 2),
        },
        "freshEnvironmentMinutes": round(platform_fresh + service_fresh, 2),
        "freshMinutesByStack": {
            source.stack: round(platform_fresh, 2),
            plans.plan.stack: round(service_fresh, 2),
        },
    }


def render_environment(plans: StackPlans) -> list[str]:
    env = environment_json(plans)
    platform, service = env["stacks"]
    cost_by, fresh_by = env["monthlyUsdByStack"], env["freshMinutesByStack"]
    return [
        f"Environment {platform} + {service}:",
        f"  cost per month (USD): {env['monthlyUsd']:.2f} "
        f"({platform} {cost_by[platform]:.2f} + {service} {cost_by[service]:.2f})",
        f"  fresh environment: {env['freshEnvironmentMinutes']:.1f} min "
        f"({platform} {fresh_by[platform]:.1f} min, then {service} {fresh_by[service]:.1f} min: "
        "a service stack deploys once the platform's outputs exist)",
    ]


def platform_line(source: PlatformSource) -> str:
    """One line saying where the StackReference's answer came from."""
    return (
        f"Platform stack {source.reference}: outputs {source.how} "
        "(the StackReference is answered with them)"
    )
