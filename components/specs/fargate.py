"""Fargate task sizes (AWS ECS developer guide, "Task CPU and memory")."""

from __future__ import annotations

# cpu units -> allowed task memory in MiB
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
FARGATE_CPUS = tuple(FARGATE_SIZES)


def cpu_error(cpu: int) -> str:
    return f"{cpu} is not a Fargate CPU size; use one of {', '.join(map(str, FARGATE_CPUS))}"


def memory_error(cpu: int, memory: int) -> str:
    allowed = FARGATE_SIZES[cpu]
    if len(allowed) <= 4:
        options = ", ".join(map(str, allowed))
    else:
        step = allowed[1] - allowed[0]
        options = f"{allowed[0]} to {allowed[-1]} in steps of {step}"
    return f"{memory} MiB is not valid with cpu {cpu} on Fargate; use {options}"


def smallest_fit(cpu_needed: int, memory_needed: int) -> tuple[int, int]:
    """Cheapest (cpu, memory) Fargate size covering the containers' sums.

    Rows are ordered by cpu and each row's smallest memory grows with cpu, so the first fit
    has the least cpu and the least memory of any valid size: nothing is cheaper.
    """
    for cpu, memories in FARGATE_SIZES.items():
        if cpu < cpu_needed:
            continue
        for memory in memories:
            if memory >= memory_needed:
                return cpu, memory
    raise ValueError(
        f"containers need {cpu_needed} cpu units and {memory_needed} MiB; the largest Fargate "
        "task is 16384 cpu and 122880 MiB"
    )
