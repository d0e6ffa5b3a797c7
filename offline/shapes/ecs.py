"""ECS resources against the ECS API's shapes: container definitions whole (against
RegisterTaskDefinition's ContainerDefinition), and the enums and ranges of services, clusters,
capacity providers and their cluster association."""

from __future__ import annotations

import json
from typing import Any

from .core import Check, api, shape, validate

STRATEGY = [
    ("capacityProvider", api("ecs", "String")),
    ("base", api("ecs", "CapacityProviderStrategyItemBase")),
    ("weight", api("ecs", "CapacityProviderStrategyItemWeight")),
]


def strategy(prefix: str) -> list[Check]:
    return [(f"{prefix}[].{path}", check) for path, check in STRATEGY]


def _container_definitions(value: Any, where: str) -> list[str]:
    try:
        containers = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError as exc:
        return [f"{where}: not JSON ({exc})"]
    errors = validate(containers, shape("ecs", "ContainerDefinitions"), where)
    # The service model leaves these optional; the API reference marks both "Required: Yes".
    names = []
    for i, container in enumerate(containers if isinstance(containers, list) else []):
        for key in ("name", "image"):
            if not isinstance(container, dict) or not container.get(key):
                errors.append(f"{where}[{i}]: missing required member {key}")
        names.append(container.get("name") if isinstance(container, dict) else None)
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    errors += [f"{where}: container name {n!r} used more than once" for n in dupes]
    return errors


def _cpu_memory_string(value: Any, where: str) -> list[str]:
    if isinstance(value, str) and value.isdigit():
        return []
    return [f"{where}: task-level cpu/memory must be a string of digits, got {value!r}"]


CHECKS: dict[str, list[Check]] = {
    "aws:ecs/taskDefinition:TaskDefinition": [
        ("containerDefinitions", _container_definitions),
        ("networkMode", api("ecs", "NetworkMode")),
        ("requiresCompatibilities[]", api("ecs", "Compatibility")),
        ("runtimePlatform.cpuArchitecture", api("ecs", "CPUArchitecture")),
        ("runtimePlatform.operatingSystemFamily", api("ecs", "OSFamily")),
        ("pidMode", api("ecs", "PidMode")),
        ("ipcMode", api("ecs", "IpcMode")),
        ("cpu", _cpu_memory_string),
        ("memory", _cpu_memory_string),
        ("volumes[].efsVolumeConfiguration.transitEncryption", api("ecs", "EFSTransitEncryption")),
    ],
    "aws:ecs/service:Service": [
        ("launchType", api("ecs", "LaunchType")),
        ("schedulingStrategy", api("ecs", "SchedulingStrategy")),
        ("propagateTags", api("ecs", "PropagateTags")),
        ("availabilityZoneRebalancing", api("ecs", "AvailabilityZoneRebalancing")),
        ("deploymentConfiguration.strategy", api("ecs", "DeploymentStrategy")),
        ("deploymentController.type", api("ecs", "DeploymentControllerType")),
        ("orderedPlacementStrategies[].type", api("ecs", "PlacementStrategyType")),
        ("placementConstraints[].type", api("ecs", "PlacementConstraintType")),
        (
            "deploymentConfiguration.lifecycleHooks[].lifecycleStages[]",
            api("ecs", "DeploymentLifecycleHookStage"),
        ),
    ],  # fmt: skip,
    "aws:ecs/cluster:Cluster": [
        ("settings[].name", api("ecs", "ClusterSettingName")),
        ("configuration.executeCommandConfiguration.logging", api("ecs", "ExecuteCommandLogging")),
    ],
    "aws:ecs/capacityProvider:CapacityProvider": [
        (
            "autoScalingGroupProvider.managedTerminationProtection",
            api("ecs", "ManagedTerminationProtection"),
        ),
        ("autoScalingGroupProvider.managedDraining", api("ecs", "ManagedDraining")),
        ("autoScalingGroupProvider.managedScaling.status", api("ecs", "ManagedScalingStatus")),
        (
            "autoScalingGroupProvider.managedScaling.targetCapacity",
            api("ecs", "ManagedScalingTargetCapacity"),
        ),
        ("managedInstancesProvider.propagateTags", api("ecs", "PropagateMITags")),
        (
            "managedInstancesProvider.instanceLaunchTemplate.capacityOptionType",
            api("ecs", "CapacityOptionType"),
        ),
        (
            "managedInstancesProvider.instanceLaunchTemplate.monitoring",
            api("ecs", "ManagedInstancesMonitoringOptions"),
        ),
    ],  # fmt: skip,
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": [
        ("clusterName", api("ecs", "String")),
        ("capacityProviders[]", api("ecs", "String")),
        *strategy("defaultCapacityProviderStrategies"),
    ],
}
CHECKS["aws:ecs/service:Service"] += [
    *strategy("capacityProviderStrategies"),
    ("desiredCount", api("ecs", "BoxedInteger")),
    ("healthCheckGracePeriodSeconds", api("ecs", "BoxedInteger")),
]
