"""Modelled deploy times of every shipped service against the targets, and where they go.

Run: .venv/bin/python benchmarks/deploy_times.py [stack ...]
Targets: at most 1.5 min to steady state and 2.5 min to rolloutState COMPLETED (alarm bake
included), never by lowering minimumHealthyPercent. The figures come from offline/deploy.py
(steps and sources: docs/model-basis.md); they are a model, not a measurement.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from offline import deploy
from offline.platform_plans import plan_stack
from offline.rollout import where_the_time_goes

STEADY_TARGET, COMPLETED_TARGET = 1.5, 2.5


def main(stacks: list[str]) -> None:
    root = Path(__file__).resolve().parent.parent
    print(f"{'stack/service':<22} {'steady':>7} {'COMPLETED':>9}  target  where the time goes")
    for name in stacks:
        planned = plan_stack(
            name, root / f"Pulumi.{name}.yaml"
        ).plan  # service stack: on its platform
        for s in deploy.estimate(planned).services:
            label = f"{name}/{s.name}"
            if s.at_zero:
                print(f"{label:<22} {'at 0':>7} {'-':>9}  -       first task "
                      f"{s.new_task_seconds / 60:.1f} min: {where_the_time_goes(s)}")  # fmt: skip
                continue
            done = s.completed_seconds / 60
            ok = s.minutes <= STEADY_TARGET and done <= COMPLETED_TARGET
            print(f"{label:<22} {s.minutes:>7.1f} {done:>9.1f}  {'met' if ok else 'MISSED':<6}  "
                  f"{where_the_time_goes(s)}")  # fmt: skip


if __name__ == "__main__":
    main(
        sys.argv[1:]
        or sorted(
            p.name[len("Pulumi.") : -len(".yaml")]
            for p in Path(__file__).resolve().parent.parent.glob("Pulumi.*.yaml")
        )
    )
