"""Wall time of the whole test suite (what `make test` runs), printed with the test count.

Run: .venv/bin/python benchmarks/suite_time.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    passed = re.search(r"(\d+) passed", summary)
    print(f"test suite: {wall:.1f} s wall, {passed.group(1) if passed else '?'} passed ({summary})")
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
