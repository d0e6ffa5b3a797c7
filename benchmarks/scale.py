"""Plan time and peak memory for 1, 10, 50 and 200 generated services.

Run: .venv/bin/python benchmarks/scale.py [--repeat N] [counts...]
Each run is a fresh process (the engine's globals and the interpreter's start stay out of the
figure; pulumi-aws's lazily imported modules are in it); the table gives wall time of plan +
cost + deploy model, ms per resource and peak RSS. Shared and virtual machines add noise that
only ever adds time, so each count runs N times (default 3) and the table shows the fastest
run and the median. Target: under 10 s for 200 services on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COUNTS = [1, 10, 50, 200]

CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from offline.engine import plan
from offline import cost, deploy
start = time.perf_counter()
p = plan("bench", Path({path!r}))
planned = time.perf_counter()
cost.estimate(p); deploy.estimate(p)
done = time.perf_counter()
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"resources": len(p.resources), "plan_s": planned - start,
                   "total_s": done - start, "peak_mib": peak_mib}}))
"""


def stack(services: int) -> dict:
    def service(i: int) -> dict:
        return {
            "image": "public.ecr.aws/nginx/nginx:1.27",
            "cpu": 256,
            "memory": 512,
            "containerPort": 8080,
            "desiredCount": 2,
            # an ALB listener holds at most 100 rules: 50 services per load balancer
            "loadBalancer": {"name": f"lb{i // 50}", "pathPatterns": [f"/s{i}/*"]},
        }

    return {
        "config": {
            "aws:region": "ap-northeast-2",
            "ecs-platform:network": {"cidrBlock": "10.20.0.0/16", "availabilityZones": 2},
            "ecs-platform:loadBalancers": {
                f"lb{k}": {"type": "application"} for k in range((services + 49) // 50)
            },
            "ecs-platform:services": {f"svc{i:03d}": service(i) for i in range(services)},
        }
    }


def measure(services: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Pulumi.bench.yaml"
        path.write_text(yaml.safe_dump(stack(services)))
        code = CHILD.format(root=str(ROOT), path=str(path))
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True
        )
    if done.returncode != 0:
        raise SystemExit(f"{services} services: {done.stderr.strip().splitlines()[-1]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per count (default 3)")
    parser.add_argument("counts", type=int, nargs="*", default=COUNTS)
    args = parser.parse_args()
    print(f"{'services':>8} {'resources':>9} {'plan s':>7} {'+models s':>9} {'median s':>8} "
          f"{'ms/resource':>11} {'peak MiB':>8}")  # fmt: skip
    for n in args.counts:
        runs = [measure(n) for _ in range(max(1, args.repeat))]
        best = min(runs, key=lambda m: m["total_s"])
        median = statistics.median(m["total_s"] for m in runs)
        print(
            f"{n:>8} {best['resources']:>9} {best['plan_s']:>7.2f} {best['total_s']:>9.2f} "
            f"{median:>8.2f} {1000 * best['total_s'] / best['resources']:>11.1f} "
            f"{max(m['peak_mib'] for m in runs):>8.0f}"
        )


if __name__ == "__main__":
    main()
