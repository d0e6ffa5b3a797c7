"""Routing spec of a service: how it is reached through one of `ecs-platform:loadBalancers`.

The listener rule conditions, the target group's health check and draining, and the routing a
deployment strategy other than ROLLING needs (a second target group and a test listener rule).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from .common import Port, Spec, SpecError


class TargetGroupHealthCheckSpec(Spec):
    """Load balancer health check; defaults favour fast, safe deployments."""

    path: str = Field("/", pattern=r"^/[^\s]*$", description="HTTP path (ALB).")
    matcher: str = Field(
        "200-399", pattern=r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$", description="HTTP codes."
    )
    interval_seconds: int = Field(
        5, ge=5, le=300, description="5 s (AWS default 30): a new task turns healthy in seconds."
    )
    timeout_seconds: int = Field(
        4, ge=2, le=120, description="Must be below the interval; 4 s suits a 5 s interval."
    )
    healthy_threshold: int = Field(
        2, ge=2, le=10, description="2 checks (AWS default 5) to mark a target healthy."
    )
    unhealthy_threshold: int = Field(
        2, ge=2, le=10, description="2 failed checks take a target out of rotation."
    )

    @field_validator("matcher")
    @classmethod
    def _codes(cls, value: str) -> str:
        # Matcher.HttpCode: "For Application Load Balancers, you can specify values between 200
        # and 499" (the NLB health checks here are TCP, without a matcher).
        # https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html
        for part in value.split(","):
            low, _, high = part.partition("-")
            if not (200 <= int(low) <= int(high or low) <= 499):
                raise ValueError(
                    f"{value!r}: application load balancer health check codes are 200 to 499 "
                    "(single codes, ranges low-high, comma-separated)"
                )
        return value

    @model_validator(mode="after")
    def _timing(self) -> TargetGroupHealthCheckSpec:
        if self.timeout_seconds >= self.interval_seconds:
            raise SpecError(
                "timeoutSeconds",
                f"{self.timeout_seconds} must be less than intervalSeconds "
                f"{self.interval_seconds} (ELB rule)",
            )
        return self


class ServiceLoadBalancerSpec(Spec):
    """How a service is reached through one of `ecs-platform:loadBalancers`."""

    name: str = Field(description="Key of the load balancer in ecs-platform:loadBalancers.")
    path_patterns: list[Annotated[str, Field(pattern=r"^/\S*$", max_length=128)]] = Field(
        default_factory=list, description='ALB rule path patterns, e.g. ["/api/*"].'
    )
    host_headers: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9*?.-]+$", max_length=128)]] = (
        Field(default_factory=list, description='ALB rule host headers, e.g. ["api.example.com"].')
    )
    priority: int | None = Field(
        None,
        ge=1,
        le=50_000,
        description="Listener rule priority (lower wins). Derived stably from the rule's "
        "specificity and the service name when omitted.",
    )
    health_check: TargetGroupHealthCheckSpec = Field(
        default_factory=TargetGroupHealthCheckSpec  # type: ignore[arg-type]
    )
    deregistration_delay_seconds: int = Field(
        15,
        ge=0,
        le=3600,
        description="Drain time for in-flight requests (AWS default 300 s dominates deploys); "
        "keep it above your longest request.",
    )
    listener_port: Port | None = Field(
        None, description="NLB: listener port for this service (default: containerPort)."
    )
    replacement_intended: bool = Field(
        False,
        description="Allow a change that replaces this service's target group (port, protocol, "
        "VPC); the offline diff refuses such changes otherwise.",
    )

    @model_validator(mode="after")
    def _conditions(self) -> ServiceLoadBalancerSpec:
        count = len(self.path_patterns) + len(self.host_headers)
        if count > 5:
            raise SpecError(
                "pathPatterns", f"{count} condition values; an ALB rule allows at most 5"
            )
        return self


def check_strategy_routing(strategy: str, load_balancer: ServiceLoadBalancerSpec | None) -> None:
    """BLUE_GREEN, CANARY and LINEAR shift load balancer traffic between two target groups."""
    if strategy != "ROLLING" and load_balancer is None:
        raise SpecError(
            ("deployment", "strategy"),
            f"{strategy} shifts load balancer traffic between two target groups; it needs "
            "loadBalancer (use ROLLING for a service without one)",
        )
    if strategy != "ROLLING" and load_balancer is not None:
        lb = load_balancer
        if len(lb.path_patterns) + len(lb.host_headers) > 3:
            raise SpecError(
                ("loadBalancer", "pathPatterns"),
                f"{strategy} adds a test listener rule with a header and a source-IP "
                "condition; keep pathPatterns plus hostHeaders at 3 values or fewer",
            )
