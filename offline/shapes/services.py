"""The other services' resources against their API shapes: CloudWatch (logs, alarms,
dashboards), Application Auto Scaling, ECR, IAM, KMS, S3, SQS, EventBridge Scheduler, Cloud
Map and Systems Manager."""

from __future__ import annotations

import json
from typing import Any

from components.specs.common import LOG_RETENTION_DAYS

from .core import Check, api, between


def _retention(value: Any, where: str) -> list[str]:
    if value in LOG_RETENTION_DAYS:
        return []
    return [f"{where}: {value!r} is not a CloudWatch Logs retention period"]


def _json_text(value: Any, where: str) -> list[str]:
    """Documents AWS takes as JSON text (dashboard bodies, policies, redrive policies)."""
    if not isinstance(value, str):
        return [f"{where}: expected JSON text, got {value!r}"]
    try:
        json.loads(value)
    except json.JSONDecodeError as exc:
        return [f"{where}: not JSON ({exc})"]
    return []


AA = "application-autoscaling"

CHECKS: dict[str, list[Check]] = {
    "aws:cloudwatch/logGroup:LogGroup": [
        ("retentionInDays", _retention),
        ("name", api("logs", "LogGroupName")),
        ("kmsKeyId", api("logs", "KmsKeyId")),
    ],
    "aws:cloudwatch/metricAlarm:MetricAlarm": [
        ("comparisonOperator", api("cloudwatch", "ComparisonOperator")),
        ("statistic", api("cloudwatch", "Statistic")),
        ("name", api("cloudwatch", "AlarmName")),
        ("alarmDescription", api("cloudwatch", "AlarmDescription")),
        ("evaluationPeriods", api("cloudwatch", "EvaluationPeriods")),
        ("datapointsToAlarm", api("cloudwatch", "DatapointsToAlarm")),
        ("period", api("cloudwatch", "Period")),
        ("treatMissingData", api("cloudwatch", "TreatMissingData")),
        ("metricQueries[].id", api("cloudwatch", "MetricId")),
        ("metricQueries[].expression", api("cloudwatch", "MetricExpression")),
        ("metricQueries[].metric.period", api("cloudwatch", "Period")),
        ("metricQueries[].metric.stat", api("cloudwatch", "Stat")),
        ("metricQueries[].metric.namespace", api("cloudwatch", "Namespace")),
        ("metricQueries[].metric.metricName", api("cloudwatch", "MetricName")),
    ],
    "aws:cloudwatch/dashboard:Dashboard": [
        ("dashboardName", api("cloudwatch", "DashboardName")),
        ("dashboardBody", _json_text),
    ],
    "aws:appautoscaling/target:Target": [
        ("scalableDimension", api(AA, "ScalableDimension")),
        ("serviceNamespace", api(AA, "ServiceNamespace")),
        ("resourceId", api(AA, "ResourceIdMaxLen1600")),
        ("minCapacity", api(AA, "ResourceCapacity")),
        ("maxCapacity", api(AA, "ResourceCapacity")),
    ],
    "aws:appautoscaling/policy:Policy": [
        ("policyType", api(AA, "PolicyType")),
        (
            "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification"
            ".predefinedMetricType",
            api(AA, "MetricType"),
        ),
        ("stepScalingPolicyConfiguration.adjustmentType", api(AA, "AdjustmentType")),
        ("stepScalingPolicyConfiguration.metricAggregationType", api(AA, "MetricAggregationType")),
        ("scalableDimension", api(AA, "ScalableDimension")),
        ("serviceNamespace", api(AA, "ServiceNamespace")),
    ],  # fmt: skip
    "aws:appautoscaling/scheduledAction:ScheduledAction": [
        ("name", api(AA, "ScheduledActionName")),
        ("schedule", api(AA, "ResourceIdMaxLen1600")),
        ("timezone", api(AA, "ResourceIdMaxLen1600")),
        ("scalableDimension", api(AA, "ScalableDimension")),
        ("serviceNamespace", api(AA, "ServiceNamespace")),
        ("scalableTargetAction.minCapacity", api(AA, "ResourceCapacity")),
        ("scalableTargetAction.maxCapacity", api(AA, "ResourceCapacity")),
    ],
    "aws:ecr/repository:Repository": [
        ("imageTagMutability", api("ecr", "ImageTagMutability")),
        ("imageScanningConfiguration", api("ecr", "ImageScanningConfiguration")),
        ("encryptionConfigurations[].encryptionType", api("ecr", "EncryptionType")),
        ("name", api("ecr", "RepositoryName")),
    ],
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": [
        ("repository", api("ecr", "RepositoryName")),
        ("policy", api("ecr", "LifecyclePolicyText")),
        ("policy", _json_text),
    ],
    "aws:iam/role:Role": [
        ("assumeRolePolicy", api("iam", "policyDocumentType")),
        ("assumeRolePolicy", _json_text),
        ("description", api("iam", "roleDescriptionType")),
        ("name", api("iam", "roleNameType")),
        ("path", api("iam", "pathType")),
        ("maxSessionDuration", api("iam", "roleMaxSessionDurationType")),
    ],
    "aws:iam/rolePolicy:RolePolicy": [
        ("policy", api("iam", "policyDocumentType")),
        ("policy", _json_text),
        ("name", api("iam", "policyNameType")),
    ],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [
        ("policyArn", api("iam", "arnType")),
        ("role", api("iam", "roleNameType")),
    ],
    "aws:iam/instanceProfile:InstanceProfile": [
        ("name", api("iam", "instanceProfileNameType")),
        ("role", api("iam", "roleNameType")),
    ],
    "aws:kms/key:Key": [
        ("description", api("kms", "DescriptionType")),
        ("deletionWindowInDays", api("kms", "PendingWindowInDaysType")),
        ("keyUsage", api("kms", "KeyUsageType")),
        ("customerMasterKeySpec", api("kms", "CustomerMasterKeySpec")),
        ("policy", api("kms", "PolicyType")),
        ("policy", _json_text),
        ("enableKeyRotation", api("kms", "BooleanType")),
    ],
    "aws:s3/bucket:Bucket": [("bucket", api("s3", "BucketName"))],
    "aws:s3/bucketPolicy:BucketPolicy": [
        ("bucket", api("s3", "BucketName")),
        ("policy", api("s3", "Policy")),
        ("policy", _json_text),
    ],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": [
        ("bucket", api("s3", "BucketName")),
        *[
            (k, api("s3", "Setting"))
            for k in (
                "blockPublicAcls",
                "blockPublicPolicy",
                "ignorePublicAcls",
                "restrictPublicBuckets",
            )
        ],
    ],  # fmt: skip
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        ("bucket", api("s3", "BucketName")),
        (
            "rules[].applyServerSideEncryptionByDefault.sseAlgorithm",
            api("s3", "ServerSideEncryption"),
        ),
        ("rules[].bucketKeyEnabled", api("s3", "BucketKeyEnabled")),
    ],  # fmt: skip
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
        ("bucket", api("s3", "BucketName")),
        ("rules[].id", api("s3", "ID")),
        ("rules[].status", api("s3", "ExpirationStatus")),
        ("rules[].filter.prefix", api("s3", "Prefix")),
        ("rules[].expiration.days", api("s3", "Days")),
    ],
    "aws:sqs/queue:Queue": [
        (
            "messageRetentionSeconds",
            between(60, 1_209_600, "CreateQueue MessageRetentionPeriod"),
        ),
        ("visibilityTimeoutSeconds", between(0, 43_200, "CreateQueue VisibilityTimeout")),
        ("delaySeconds", between(0, 900, "CreateQueue DelaySeconds")),
        ("receiveWaitTimeSeconds", between(0, 20, "CreateQueue ReceiveMessageWaitTimeSeconds")),
        ("maxMessageSize", between(1_024, 1_048_576, "CreateQueue MaximumMessageSize")),
        ("redrivePolicy", _json_text),
        ("name", api("sqs", "String")),
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
        ("target.roleArn", api("scheduler", "RoleArn")),
        ("target.arn", api("scheduler", "TargetArn")),
        ("target.deadLetterConfig.arn", api("scheduler", "DeadLetterConfigArnString")),
        ("target.ecsParameters.taskDefinitionArn", api("scheduler", "TaskDefinitionArn")),
        ("groupName", api("scheduler", "ScheduleGroupName")),
        ("description", api("scheduler", "Description")),
    ],  # fmt: skip
    "aws:scheduler/scheduleGroup:ScheduleGroup": [("name", api("scheduler", "ScheduleGroupName"))],
    "aws:servicediscovery/httpNamespace:HttpNamespace": [
        ("name", api("servicediscovery", "NamespaceNameHttp")),
        ("description", api("servicediscovery", "ResourceDescription")),
    ],
    "aws:ssm/activation:Activation": [
        ("iamRole", api("ssm", "IamRole")),
        ("registrationLimit", api("ssm", "RegistrationLimit")),
        ("description", api("ssm", "ActivationDescription")),
        ("name", api("ssm", "DefaultInstanceName")),
    ],
}
