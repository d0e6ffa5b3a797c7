"""Capacity rules: what a workload's capacity (Fargate, EC2, Managed Instances, external
servers) demands of the cluster and of the task's own settings.

`check(config, at, svc)` is one workload's part of `rules.check`; `at` is its key path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..specs.common import SpecError
from ..specs.fargate import FARGATE_SIZES, cpu_error, memory_error

if TYPE_CHECKING:
    from ..specs.service import ServiceSpec
    from .model import StackConfig


def check(config: StackConfig, at: tuple[str, ...], svc: ServiceSpec) -> None:
    kind = config.compatibility(svc)
    for i, item in enumerate(config.strategy(svc)):
        if item.provider == "EC2" and config.cluster.ec2_capacity is None:
            raise SpecError(
                (*at, "capacityProviders", i, "provider"),
                "EC2 needs cluster.ec2Capacity (the Auto Scaling group it scales)",
            )
        if item.provider == "MANAGED_INSTANCES" and config.cluster.managed_instances is None:
            raise SpecError(
                (*at, "capacityProviders", i, "provider"),
                "MANAGED_INSTANCES needs cluster.managedInstances",
            )
    if kind == "EXTERNAL":
        _check_external(config, at, svc)
    elif kind == "FARGATE":
        _check_fargate_size(config, at, svc)
    else:
        _check_instances(config, at, svc, "EC2" if kind == "EC2" else "Managed Instances")


def _check_instances(
    config: StackConfig, at: tuple[str, ...], svc: ServiceSpec, where: str
) -> None:
    """Tasks on EC2 or Managed Instances capacity (awsvpc on the cluster's own instances)."""
    # "You can specify ENABLED only when LaunchType ... is set to FARGATE" (AssignPublicIp,
    # https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_AwsVpcConfiguration.html).
    if svc.assign_public_ip:
        raise SpecError(
            (*at, "assignPublicIp"),
            f"public IPs are only for Fargate tasks (awsvpc on {where})",
        )
    # "for tasks hosted on AWS Fargate": https://docs.aws.amazon.com/AWSCloudFormation/latest/
    # TemplateReference/aws-properties-ecs-taskdefinition-ephemeralstorage.html
    if svc.ephemeral_storage_gib is not None:
        raise SpecError((*at, "ephemeralStorageGib"), "ephemeral storage is a Fargate setting")
    if svc.memory is None and svc.container_memory is None:
        raise SpecError((*at, "memory"), f"required for tasks on {where} capacity")
    ec2 = config.cluster.ec2_capacity
    if where == "EC2" and ec2 is not None and svc.cpu_architecture != ec2.architecture:
        raise SpecError(
            (*at, "cpuArchitecture"),
            f"{svc.cpu_architecture} does not match the cluster's EC2 instances "
            f"({ec2.instance_type} is {ec2.architecture})",
        )


def _check_external(config: StackConfig, at: tuple[str, ...], svc: ServiceSpec) -> None:
    external = config.cluster.external
    if external is None:
        raise SpecError(
            (*at, "launchType"),
            "EXTERNAL needs cluster.external (the SSM activation that registers your "
            "servers with the cluster)",
        )
    if svc.memory is None and svc.container_memory is None:
        raise SpecError((*at, "memory"), "required for tasks on external instances")
    # Bridge and host mode publish each port on the server itself: one task per server ("A port
    # number on a host can't be used by multiple tasks", host mode:
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking.html).
    ports = [p for p in (svc.container_port, *svc.ports) if p is not None]
    count = svc.autoscaling.max_count if svc.autoscaling else svc.desired_count
    if ports and count > external.limit:
        raise SpecError(
            (*at, "autoscaling", "maxCount") if svc.autoscaling else (*at, "desiredCount"),
            f"{count} tasks each publish port {ports[0]} on a server, one task per server, "
            f"but cluster.external registers at most {external.limit} servers",
        )


def _check_fargate_size(config: StackConfig, at: tuple[str, ...], svc: ServiceSpec) -> None:
    if svc.cpu is not None and svc.cpu not in FARGATE_SIZES:
        raise SpecError((*at, "cpu"), cpu_error(svc.cpu))
    if svc.cpu is not None and svc.memory is not None:
        allowed = FARGATE_SIZES[svc.cpu]
        if svc.memory not in allowed:
            raise SpecError((*at, "memory"), memory_error(svc.cpu, svc.memory))
    try:
        cpu, memory = config.task_size(svc)
    except ValueError as exc:
        raise SpecError((*at, "memory"), str(exc)) from None
    used_cpu = (svc.container_cpu or 0) + sum(s.cpu or 0 for s in svc.sidecars.values())
    used_mem = (svc.container_memory or 0) + sum(
        s.memory or s.memory_reservation or 0 for s in svc.sidecars.values()
    )
    if used_cpu > cpu:
        raise SpecError(
            (*at, "cpu"), f"containers ask for {used_cpu} cpu units but the task has {cpu}"
        )
    if used_mem > memory:
        raise SpecError(
            (*at, "memory"), f"containers ask for {used_mem} MiB but the task has {memory}"
        )
