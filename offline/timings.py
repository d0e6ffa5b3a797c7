"""Where an offline plan's time goes: `python -m offline plan --timings` (opt-in, to stderr).

Off (the default) nothing is measured: `phase()` hands back one shared no-op context manager
and no hook is installed. On, each phase's wall time is recorded and module loading is timed
apart wherever it happens (pulumi-aws loads a provider module on its first use, in the middle
of the program): a phase's figure is its wall time without the imports it set off, and
`imports` is the sum of all of them, the CLI's own included. One line on stderr, in seconds:

    timings: imports 0.81 config 0.04 program 0.90 shapes 0.01 policy 0.10 report 0.15
    other 0.01 total 2.02

`other` is what no phase covers (argument parsing, the exit code); `total` runs from the moment
timing started (the CLI's first line when `--timings` is given) to the report. Interpreter
start-up and shutdown are outside it: `benchmarks/plan_command.py` adds them from the wall
time it measures around the process. Imports are counted on the main thread only (the one the
program runs on); phases do not nest.
"""

from __future__ import annotations

import contextlib
import importlib._bootstrap as bootstrap
import threading
import time
from collections.abc import Iterator
from typing import Any, TextIO

PHASES = ("imports", "config", "program", "shapes", "policy", "report")


class _Clock:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.spent: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self._main = threading.get_ident()
        self._depth = 0
        self._sdk_find_and_load = bootstrap._find_and_load  # pyright: ignore[reportAttributeAccessIssue]
        # `import x` and `importlib.import_module` both reach this function (looked up on the
        # module at every import of a module not loaded yet); nested loads are in the outer one.
        bootstrap._find_and_load = self._find_and_load  # pyright: ignore[reportAttributeAccessIssue]

    def _find_and_load(self, name: str, import_: Any) -> Any:
        if self._depth or threading.get_ident() != self._main:
            return self._sdk_find_and_load(name, import_)
        self._depth = 1
        start = time.perf_counter()
        try:
            return self._sdk_find_and_load(name, import_)
        finally:
            self.spent["imports"] += time.perf_counter() - start
            self._depth = 0

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start, imported = time.perf_counter(), self.spent["imports"]
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.spent[name] += elapsed - (self.spent["imports"] - imported)

    def line(self) -> str:
        total = time.perf_counter() - self.started
        figures = {**self.spent, "other": total - sum(self.spent.values()), "total": total}
        return "timings: " + " ".join(f"{k} {v:.3f}" for k, v in figures.items())

    def stop(self) -> None:
        bootstrap._find_and_load = self._sdk_find_and_load  # pyright: ignore[reportAttributeAccessIssue]


_clock: _Clock | None = None
_OFF = contextlib.nullcontext()


def start() -> None:
    """Start timing (once; later calls keep the first start)."""
    global _clock
    if _clock is None:
        _clock = _Clock()


def phase(name: str) -> contextlib.AbstractContextManager[None]:
    """Time a block as `name` (one of PHASES) when timing is on; a no-op otherwise."""
    return _OFF if _clock is None else _clock.phase(name)


def report(stream: TextIO) -> None:
    """Print the timings line to `stream` and stop timing (nothing when timing is off)."""
    global _clock
    if _clock is not None:
        print(_clock.line(), file=stream)
        _clock.stop()
        _clock = None
