"""Data both importers map with: ECS's container health check limits, the command fields and the
schedule of a task kept to run by hand."""

from __future__ import annotations

# Source key -> (our health check field, lowest, highest): ECS takes an interval of 5-300 s, a
# timeout of 2-120 s and a start period of 0-300 s, and 1-10 retries
# (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html).
HEALTH_CHECK_SECONDS: dict[str, tuple[str, int, int]] = {
    "interval": ("intervalSeconds", 5, 300),
    "timeout": ("timeoutSeconds", 2, 120),
    "start_period": ("startPeriodSeconds", 0, 300),
}
HEALTH_CHECK_RETRIES = (1, 10)

# Source key -> container field, for the command and entrypoint of Compose and Copilot alike.
COMMAND_FIELDS = (("command", "command"), ("entrypoint", "entryPoint"))

# The per-task schedule of a run-once job: never invoked while `enabled` is false.
RUN_ONCE_SCHEDULE = "rate(1 day)"
