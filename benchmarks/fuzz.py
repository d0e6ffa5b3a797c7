"""Config fuzzing figures: `python benchmarks/fuzz.py [--cases N] [--seed S]`.

Runs N mutated stack files (tests/fuzzing.py) through `python -m offline plan` in-process and
prints cases run, accepted (planned: exit 0, or 3 with the policy report), refused (exit 2, one
line naming the key) and tracebacks / other failures (must be 0), plus the wall time.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.fuzzing import classify, mutated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20260)
    args = parser.parse_args()
    counts: Counter[str] = Counter()
    exits: Counter[str] = Counter()
    failures: list[str] = []

    @seed(args.seed)
    @settings(max_examples=args.cases, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=mutated())
    def run(case: tuple[str, dict]) -> None:
        outcome, detail = classify(*case)
        counts[outcome] += 1
        if outcome == "accepted":
            exits[detail] += 1
        if outcome == "bad":
            failures.append(detail)

    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    total = sum(counts.values())
    print(f"cases run:  {total}")
    print(f"accepted:   {counts['accepted']} (planned; {dict(sorted(exits.items()))})")
    print(f"refused:    {counts['refused']} (exit 2, one line naming the key)")
    print(f"tracebacks: {counts['bad']}")
    print(f"wall time:  {elapsed:.1f} s ({1000 * elapsed / max(total, 1):.0f} ms per case)")
    for detail in failures[:3]:
        print("---", detail[-2000:], sep="\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
