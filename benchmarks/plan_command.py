"""The offline plan as users run it: `python -m offline plan --stack <s> --json`, timed whole.

Run: .venv/bin/python benchmarks/plan_command.py [--runs 5] [--sizes 1 10 50 200]
                                                 [--stacks dev prod ...] [--plain] [--out DIR]

Each run is a fresh process (after one untimed run per stack that leaves compiled modules and
the shape cache behind, as any earlier plan does), output to /dev/null, with everything it does:
config validation, the program under the mock engine, the API shape checks, the policy pack and
the JSON report. Stacks: every shipped `Pulumi.<env>.yaml`, every stack of each project
directory under examples/ (a team's service stack plans its platform stack first; once more with
`--with-platform`), and generated stacks of 1, 10, 50 and 200 services (each a copy of a
production-like web service: health check, read-only root, non-root user, scheduled scaling in a
time zone, behind a TLS load balancer with access logs and WAF, 50 services per load balancer).
Per stack it prints the fastest, median and slowest wall time of N runs (default 5), the CPU
time, the peak memory, and the median split from the command's own `--timings`
(offline/timings.py): interpreter start and exit, imports, config, program, shapes, policy,
report. Then how the time grows with the stack: a straight line fitted to the generated stacks'
median times (fixed cost + ms per resource), per phase, and the cost per resource between
consecutive sizes, which stays flat when growth is linear. `--plain` also runs every stack with
`ECS_PLATFORM_FASTPATH=0` (the SDK's own bookkeeping instead of offline/fastpath.py) and prints
the gain.

Other sessions on a shared host add time, never remove it: the fastest run is the best
estimate of the command's own cost, the median says what a user waits; the load average is
printed before and after. CPU time moves less with the host's load than wall time does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SIZES = [1, 10, 50, 200]
PHASES = ["start", "imports", "config", "program", "shapes", "policy", "report"]
ACCOUNT = "123456789012"
REGION = "ap-northeast-2"
PER_LOAD_BALANCER = 50  # an ALB holds 100 rules by default (a quota); each service takes one


def generated_stack(services: int) -> dict[str, Any]:
    """A stack of `services` production-like web services (policy-clean at prod's levels)."""

    def service(i: int) -> dict[str, Any]:
        return {
            "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shop/svc{i:03d}:1.0.{i}",
            "cpu": 256,
            "memory": 512,
            "containerPort": 8080,
            "desiredCount": 2,
            "readonlyRootFilesystem": True,
            "user": "10001",
            "healthCheck": {
                "command": ["CMD-SHELL", "wget -q -O /dev/null http://localhost:8080/health"]
            },
            "loadBalancer": {
                "name": f"lb{i // PER_LOAD_BALANCER}",
                "pathPatterns": [f"/s{i}/*"],
                "healthCheck": {"path": "/health"},
            },
            "logRetentionDays": 365,
            "autoscaling": {
                "minCount": 2,
                "maxCount": 6,
                "cpuTarget": 60,
                "schedules": [
                    {
                        "name": "night",
                        "schedule": "cron(0 20 ? * * *)",
                        "timezone": "Asia/Seoul",
                        "minCount": 1,
                        "maxCount": 2,
                    },
                    {
                        "name": "morning",
                        "schedule": "cron(0 8 ? * MON-FRI *)",
                        "timezone": "Asia/Seoul",
                        "minCount": 2,
                        "maxCount": 6,
                    },
                ],  # fmt: skip
            },
        }

    def load_balancer(k: int) -> dict[str, Any]:
        return {
            "type": "application",
            "certificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/{k:08d}-0000-4000-"
            "8000-000000000000",
            "deletionProtection": True,
            "accessLogs": {"retentionDays": 365},
            "webAclArn": f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/bench/{k:08d}",
        }

    balancers = (services + PER_LOAD_BALANCER - 1) // PER_LOAD_BALANCER
    return {
        "config": {
            "aws:region": REGION,
            "ecs-platform:protection": {"protect": True, "retainOnDelete": True},
            "ecs-platform:cluster": {"execLogRetentionDays": 365},
            "ecs-platform:network": {
                "cidrBlock": "10.20.0.0/16",
                "availabilityZones": 3,
                "natGateways": "single",
            },
            "ecs-platform:loadBalancers": {f"lb{k}": load_balancer(k) for k in range(balancers)},
            "ecs-platform:services": {f"svc{i:03d}": service(i) for i in range(services)},
        }
    }


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mib: float
    phases: dict[str, float]
    exit_code: int


@dataclass
class Row:
    label: str
    resources: int
    runs: list[Run] = field(default_factory=list)

    def walls(self) -> list[float]:
        return sorted(r.wall for r in self.runs)

    def median(self, key: str) -> float:
        if key == "wall":
            return statistics.median(r.wall for r in self.runs)
        if key == "cpu":
            return statistics.median(r.cpu for r in self.runs)
        return statistics.median(r.phases.get(key, 0.0) for r in self.runs)


def run_once(args: list[str], fast: bool, out: Path | None) -> Run:
    """One fresh `python -m offline plan ... --json --timings`, timed from outside."""
    env = dict(os.environ)
    env.pop("ECS_PLATFORM_FASTPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python keeps compiled modules
    if not fast:
        env["ECS_PLATFORM_FASTPATH"] = "0"
    command = [sys.executable, "-m", "offline", "plan", *args, "--json", "--timings"]
    with open(out or os.devnull, "w") as sink, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
    if child.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(args)}: exit {child.returncode}\n{stderr}")
    found = re.search(r"^timings: (.*)$", stderr, re.MULTILINE)
    if found is None:
        raise SystemExit(f"{' '.join(args)}: no timings line on stderr\n{stderr}")
    words = found.group(1).split()
    phases = {k: float(v) for k, v in zip(words[::2], words[1::2], strict=True)}
    phases["start"] = wall - phases["total"]  # interpreter start-up and exit
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mib=usage.ru_maxrss / 1024,
        phases=phases,
        exit_code=child.returncode,
    )


def resources_of(path: Path) -> int:
    return len(json.loads(path.read_text())["resources"])


def measure(label: str, args: list[str], runs: int, fast: bool, out_dir: Path) -> Row:
    """An untimed first run (it writes the plan, compiled modules and the shape cache, as a
    user's first plan does), then `runs` timed ones."""
    out = out_dir / f"{label}{'' if fast else '-plain'}.json"
    run_once(args, fast, out)
    row = Row(label, resources_of(out))
    row.runs += [run_once(args, fast, None) for _ in range(runs)]
    return row


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares line through (x, y): (intercept, slope)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    return my - slope * mx, slope


def print_table(rows: list[Row], title: str) -> None:
    print(f"\n{title}")
    head = " ".join(f"{p:>7}" for p in PHASES)
    print(f"{'stack':>15} {'res':>5} {'min s':>6} {'median':>6} {'max s':>6} {'cpu s':>6} "
          f"{'MiB':>4} | median split (s): {head}")  # fmt: skip
    for row in rows:
        walls = row.walls()
        split = " ".join(f"{row.median(p):>7.3f}" for p in PHASES)
        peak = max(r.peak_mib for r in row.runs)
        print(
            f"{row.label:>15} {row.resources:>5} {walls[0]:>6.2f} {row.median('wall'):>6.2f} "
            f"{walls[-1]:>6.2f} {row.median('cpu'):>6.2f} {peak:>4.0f} |                   {split}"
        )


def print_growth(rows: list[Row]) -> None:
    if len(rows) < 2:
        return
    print("\nGrowth over the generated stacks (median times):")
    for key in ["wall", "cpu", *PHASES]:
        intercept, slope = fit([(r.resources, r.median(key)) for r in rows])
        steps = [
            1000 * (b.median(key) - a.median(key)) / (b.resources - a.resources)
            for a, b in zip(rows, rows[1:], strict=False)
        ]
        print(
            f"  {key:>8}: {intercept:6.2f} s + {1000 * slope:6.3f} ms/resource (fitted); "
            "ms/resource from one size to the next: " + ", ".join(f"{s:.3f}" for s in steps)
        )
    first, last = rows[0], rows[-1]
    ratio = (last.median("wall") - first.median("wall")) / (last.resources - first.resources)
    print(
        f"  {last.resources / first.resources:.0f}x the resources ({first.resources} -> "
        f"{last.resources}) cost {1000 * ratio:.2f} ms per added resource"
    )


def example_cases() -> list[tuple[str, list[str]]]:
    """Every stack of each project directory under examples/ (a service stack's command plans
    its platform first), and the first service stack again with --with-platform."""
    cases: list[tuple[str, list[str]]] = []
    for project in sorted(p.parent for p in (ROOT / "examples").glob("*/Pulumi.yaml")):
        services = []
        for path in sorted(project.glob("Pulumi.*.yaml")):
            stack = path.name[len("Pulumi.") : -len(".yaml")]
            where = ["--stack", stack, "--project-dir", str(project)]
            cases.append((stack, where))
            if "stackKind: service" in path.read_text():
                services.append((stack, where))
        if services:
            stack, where = services[0]
            cases.append((f"{stack}+platform", [*where, "--with-platform"]))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per stack (default 5)")
    parser.add_argument("--sizes", type=int, nargs="*", default=SIZES, help="generated stacks")
    parser.add_argument(
        "--stacks", nargs="*", help="shipped stacks (default: every Pulumi.<env>.yaml)"
    )
    parser.add_argument("--plain", action="store_true", help="also time ECS_PLATFORM_FASTPATH=0")
    parser.add_argument("--out", type=Path, help="keep each stack's plan JSON here")
    args = parser.parse_args()
    shipped = args.stacks
    if shipped is None:
        shipped = sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))
    runs = max(1, args.runs)
    print(
        f"python -m offline plan --json: {runs} fresh runs per stack, {os.cpu_count()} CPUs, "
        f"load average before {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = args.out or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        cases = [(s, ["--stack", s]) for s in shipped]
        if args.stacks is None:
            cases += example_cases()
        for n in args.sizes:
            path = Path(tmp) / f"Pulumi.gen{n}.yaml"
            path.write_text(yaml.safe_dump(generated_stack(n)))
            cases.append((f"gen{n}", ["--stack", f"gen{n}", "--config-file", str(path)]))
        modes = [True, False] if args.plain else [True]
        results: dict[bool, list[Row]] = {}
        for fast in modes:
            results[fast] = [measure(label, a, runs, fast, out_dir) for label, a in cases]
    for fast in modes:
        name = "fast paths (default)" if fast else "plain SDK (ECS_PLATFORM_FASTPATH=0)"
        print_table(results[fast], name)
        print_growth([r for r in results[fast] if r.label.startswith("gen")])
    if args.plain:
        print("\nFast paths vs the plain SDK (median wall; min in brackets):")
        for fast_row, plain_row in zip(results[True], results[False], strict=True):
            gain = plain_row.median("wall") - fast_row.median("wall")
            print(
                f"  {fast_row.label:>15}: plain {plain_row.median('wall'):6.2f} s "
                f"({plain_row.walls()[0]:.2f}), fast {fast_row.median('wall'):6.2f} s "
                f"({fast_row.walls()[0]:.2f}): {gain:+.2f} s, "
                f"x{plain_row.median('wall') / fast_row.median('wall'):.2f}"
            )
    print(f"\nload average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
