"""Check what we send to AWS against AWS's own API shapes (botocore service models).

Pulumi's mock engine accepts any value: `strategy="BLUEGREEN"` or a misspelt container field
pass silently and fail at `pulumi up`. Each entry in CHECKS ties a resource input to the API
shape AWS validates it against; `check_resource` walks the value and reports every mismatch
(unknown member, missing required member, wrong type, value outside an enum or a range).
Container definitions are checked whole against RegisterTaskDefinition's ContainerDefinition.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from components.specs.common import LOG_RETENTION_DAYS

from . import shape_models

# botocore ships no type hints; its Shape objects are handled as Any here.
Shape = Any


def shape(service: str, name: str) -> Shape:
    return shape_models.shape(service, name)  # botocore's shape, from a small cache


def validate(value: Any, shp: Shape, path: str) -> list[str]:
    """Mismatches between `value` and the botocore shape, each prefixed with its path."""
    kind = shp.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object for {shp.name}, got {value!r}"]
        errors = []
        for key in shp.required_members:
            if key not in value:
                errors.append(f"{path}: missing required member {key}")
        for key, item in value.items():
            member = shp.members.get(key)
            if member is None:
                errors.append(f"{path}: unknown member {key!r} of {shp.name}")
            elif item is not None:
                errors += validate(item, member, f"{path}.{key}")
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r}"]
        errors = _length(len(value), shp, path)
        for i, item in enumerate(value):
            errors += validate(item, shp.member, f"{path}[{i}]")
        return errors
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map, got {value!r}"]
        return [e for k, v in value.items() for e in validate(v, shp.value, f"{path}.{k}")]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        if shp.enum and value not in shp.enum:
            return [f"{path}: {value!r} is not one of {', '.join(shp.enum)} ({shp.name})"]
        return _length(len(value), shp, path)
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{path}: expected an integer, got {value!r}"]
        return _range(value, shp, path)
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return [f"{path}: expected a number, got {value!r}"]
        return _range(value, shp, path)
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected true/false, got {value!r}"]
    return []


def _length(n: int, shp: Shape, path: str) -> list[str]:
    lo, hi = shp.metadata.get("min"), shp.metadata.get("max")
    if lo is not None and n < lo:
        return [f"{path}: length {n} is below the minimum {lo} ({shp.name})"]
    if hi is not None and n > hi:
        return [f"{path}: length {n} is above the maximum {hi} ({shp.name})"]
    return []


def _range(v: float, shp: Shape, path: str) -> list[str]:
    lo, hi = shp.metadata.get("min"), shp.metadata.get("max")
    if lo is not None and v < lo:
        return [f"{path}: {v} is below the minimum {lo} ({shp.name})"]
    if hi is not None and v > hi:
        return [f"{path}: {v} is above the maximum {hi} ({shp.name})"]
    return []


def values_at(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Values at a dotted path where `[]` walks every list item: `a[].b` -> ('a[0].b', v)."""
    parts = path.split(".")

    def walk(node: Any, i: int, where: str) -> Iterator[tuple[str, Any]]:
        if node is None:
            return
        if i == len(parts):
            yield where, node
            return
        part = parts[i]
        many = part.endswith("[]")
        key = part[:-2] if many else part
        if not isinstance(node, dict) or key not in node or node[key] is None:
            return
        child = node[key]
        here = f"{where}.{key}" if where else key
        if many:
            for j, item in enumerate(child if isinstance(child, list) else []):
                yield from walk(item, i + 1, f"{here}[{j}]")
        else:
            yield from walk(child, i + 1, here)

    yield from walk(obj, 0, "")


Check = tuple[str, Callable[[Any, str], list[str]]]


def api(service: str, shape_name: str) -> Callable[[Any, str], list[str]]:
    return lambda value, where: validate(value, shape(service, shape_name), where)


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


def _retention(value: Any, where: str) -> list[str]:
    if value in LOG_RETENTION_DAYS:
        return []
    return [f"{where}: {value!r} is not a CloudWatch Logs retention period"]


def _cpu_memory_string(value: Any, where: str) -> list[str]:
    if isinstance(value, str) and value.isdigit():
        return []
    return [f"{where}: task-level cpu/memory must be a string of digits, got {value!r}"]


def _listener_rule_priority(value: Any, where: str) -> list[str]:
    if isinstance(value, int) and 1 <= value <= 50_000:
        return []
    return [f"{where}: listener rule priority must be 1..50000, got {value!r}"]


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
    ],  # fmt: skip
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
    ],  # fmt: skip
    "aws:lb/loadBalancer:LoadBalancer": [
        ("loadBalancerType", api("elbv2", "LoadBalancerTypeEnum")),
        ("ipAddressType", api("elbv2", "IpAddressType")),
    ],
    "aws:lb/listener:Listener": [
        ("protocol", api("elbv2", "ProtocolEnum")),
        ("port", api("elbv2", "Port")),
        ("defaultActions[].type", api("elbv2", "ActionTypeEnum")),
        ("defaultActions[].redirect.statusCode", api("elbv2", "RedirectActionStatusCodeEnum")),
        ("defaultActions[].redirect.protocol", api("elbv2", "RedirectActionProtocol")),
    ],
    "aws:lb/listenerRule:ListenerRule": [
        ("priority", _listener_rule_priority),
        ("actions[].type", api("elbv2", "ActionTypeEnum")),
    ],
    "aws:lb/targetGroup:TargetGroup": [
        ("protocol", api("elbv2", "ProtocolEnum")),
        ("port", api("elbv2", "Port")),
        ("targetType", api("elbv2", "TargetTypeEnum")),
        ("healthCheck.protocol", api("elbv2", "ProtocolEnum")),
        ("healthCheck.interval", api("elbv2", "HealthCheckIntervalSeconds")),
        ("healthCheck.timeout", api("elbv2", "HealthCheckTimeoutSeconds")),
        ("healthCheck.healthyThreshold", api("elbv2", "HealthCheckThresholdCount")),
        ("healthCheck.unhealthyThreshold", api("elbv2", "HealthCheckThresholdCount")),
    ],
    "aws:cloudwatch/logGroup:LogGroup": [("retentionInDays", _retention)],
    "aws:appautoscaling/target:Target": [
        ("scalableDimension", api("application-autoscaling", "ScalableDimension")),
        ("serviceNamespace", api("application-autoscaling", "ServiceNamespace")),
    ],
    "aws:appautoscaling/policy:Policy": [
        ("policyType", api("application-autoscaling", "PolicyType")),
        (
            "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification"
            ".predefinedMetricType",
            api("application-autoscaling", "MetricType"),
        ),
        (
            "stepScalingPolicyConfiguration.adjustmentType",
            api("application-autoscaling", "AdjustmentType"),
        ),
        (
            "stepScalingPolicyConfiguration.metricAggregationType",
            api("application-autoscaling", "MetricAggregationType"),
        ),
    ],  # fmt: skip
    "aws:cloudwatch/metricAlarm:MetricAlarm": [
        ("comparisonOperator", api("cloudwatch", "ComparisonOperator")),
        ("statistic", api("cloudwatch", "Statistic")),
    ],
    "aws:ecr/repository:Repository": [
        ("imageTagMutability", api("ecr", "ImageTagMutability")),
        ("imageScanningConfiguration", api("ecr", "ImageScanningConfiguration")),
        ("encryptionConfigurations[].encryptionType", api("ecr", "EncryptionType")),
    ],
    "aws:scheduler/schedule:Schedule": [
        ("state", api("scheduler", "ScheduleState")),
        ("scheduleExpression", api("scheduler", "ScheduleExpression")),
        ("scheduleExpressionTimezone", api("scheduler", "ScheduleExpressionTimezone")),
        ("flexibleTimeWindow.mode", api("scheduler", "FlexibleTimeWindowMode")),
        ("flexibleTimeWindow.maximumWindowInMinutes", api("scheduler", "MaximumWindowInMinutes")),
        ("target.retryPolicy.maximumRetryAttempts", api("scheduler", "MaximumRetryAttempts")),
        (
            "target.retryPolicy.maximumEventAgeInSeconds",
            api("scheduler", "MaximumEventAgeInSeconds"),
        ),
        ("target.ecsParameters.taskCount", api("scheduler", "TaskCount")),
        ("target.ecsParameters.launchType", api("scheduler", "LaunchType")),
    ],
    "aws:scheduler/scheduleGroup:ScheduleGroup": [("name", api("scheduler", "ScheduleGroupName"))],
    "aws:ec2/launchTemplate:LaunchTemplate": [
        ("metadataOptions.httpTokens", api("ec2", "LaunchTemplateHttpTokensState")),
        ("metadataOptions.httpEndpoint", api("ec2", "LaunchTemplateInstanceMetadataEndpointState")),
    ],  # fmt: skip
}


def check_resource(type_: str, inputs: dict[str, Any], name: str) -> list[str]:
    errors: list[str] = []
    for path, check in CHECKS.get(type_, []):
        for where, value in values_at(inputs, path):
            errors += [f"{name} ({type_}): {e}" for e in check(value, where)]
    return errors
