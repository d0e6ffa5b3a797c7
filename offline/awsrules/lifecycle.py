"""Lifecycle rules: what must be retained together, which names collide, what must be deletable.

- A retained resource keeps its data readable only while the KMS key that encrypts it exists.
- A fixed physical name that is retained on delete outlives a `pulumi destroy`; re-creating the
  stack then collides with it. Only names with a documented re-create path may do that.
- Two resources of one type with one fixed name collide on the first `up` (or, for alarms,
  overwrite each other silently).
- A resource that is neither protected nor retained is deleted by a teardown, and some AWS
  APIs refuse to delete a non-empty or protected one unless told to force it.
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import AwsRule
from .graph import KEY, UNKNOWN, Graph, Node

LOGS_KMS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html"
RETAIN = "https://www.pulumi.com/docs/iac/concepts/resources/options/retainondelete/"

# Inputs that name the KMS key a resource's data is encrypted with.
KEY_PATHS = (
    "kmsKeyId",
    "kmsKeyArn",
    "kmsMasterKeyId",
    "encryptionConfigurations[].kmsKey",
    "configuration.executeCommandConfiguration.kmsKeyId",
)

# Retained fixed names allowed because docs/aws-rules.md says how a re-created stack adopts
# them (pulumi import) instead of creating them again.
ADOPTABLE = {
    "aws:cloudwatch/logGroup:LogGroup": "log groups keep the logs people search by name",
}

# Types whose names are unique per account and Region, and what AWS does with a second one.
UNIQUE_NAMES = {
    "aws:cloudwatch/logGroup:LogGroup": (
        "CreateLogGroup refuses it (log group names must be unique within a Region)",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/"
        "API_CreateLogGroup.html",
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        "PutMetricAlarm silently overwrites the first alarm's configuration",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    ),
}

# (type, what makes a delete stall or fail, the input that forces it, the AWS page)
FORCED_DELETE = [
    ("aws:ecr/repository:Repository", None, "forceDelete",
     "DeleteRepository refuses a repository that holds images unless forced",
     "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DeleteRepository.html"),
    ("aws:autoscaling/group:Group", "protectFromScaleIn", "forceDelete",
     "the group never terminates scale-in protected instances, so deleting it waits forever "
     "unless ForceDelete",
     "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-instance-"
     "protection.html"),
    ("aws:s3/bucket:Bucket", None, "forceDestroy",
     "DeleteBucket refuses a bucket until all its objects are deleted",
     "https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html"),
]  # fmt: skip


def _keys_retained_with_data(graph: Graph) -> Iterator[tuple[Node, str]]:
    for node in graph.nodes:
        if not node.retained:
            continue
        for path in KEY_PATHS:
            for where, value in node.values(path):
                key = graph.resolve(value, KEY)
                if key is not None and not key.retained:
                    yield (
                        key,
                        (
                            f"encrypts retained {node.name} ({where}) but is not retained itself: "
                            "after a teardown the key is deleted and the kept data can no longer "
                            "be read"
                        ),
                    )


def _fixed_name(node: Node) -> str | None:
    name = node.inputs.get("name")
    return name if isinstance(name, str) and name != UNKNOWN else None


def _retained_fixed_names(graph: Graph) -> Iterator[tuple[Node, str]]:
    for node in graph.nodes:
        name = _fixed_name(node)
        if node.retained and name is not None and node.type not in ADOPTABLE:
            yield (
                node,
                (
                    f"fixed name {name!r} is retained on delete: it outlives a destroy and a "
                    "re-created stack collides with it; let Pulumi generate the name (namePrefix) "
                    "or document how a re-created stack adopts it"
                ),
            )


def _unique_names(graph: Graph) -> Iterator[tuple[Node, str]]:
    for type_, (what, url) in UNIQUE_NAMES.items():
        seen: dict[str, Node] = {}
        for node in graph.of_type(type_):
            name = _fixed_name(node)
            if name is None:
                continue
            if name in seen:
                yield node, f"name {name!r} is also {seen[name].name}'s: {what} ({url})"
            else:
                seen[name] = node


def _deletable(graph: Graph) -> Iterator[tuple[Node, str]]:
    for type_, condition, force, why, url in FORCED_DELETE:
        for node in graph.of_type(type_):
            if node.protected or node.retained:
                continue  # a teardown never reaches it
            if condition is not None and node.inputs.get(condition) is not True:
                continue
            if node.inputs.get(force) not in (True, UNKNOWN):
                yield (
                    node,
                    (
                        f"not protected, so a teardown deletes it, but {force} is not set: {why} "
                        f"({url})"
                    ),
                )


RULES = [
    AwsRule(
        id="retain-key-with-data",
        title="A retained resource's KMS key is retained too",
        url=LOGS_KMS,
        reason="If you delete an associated KMS key, your encrypted data in CloudWatch Logs "
        "can no longer be retrieved.",
        check=_keys_retained_with_data,
    ),
    AwsRule(
        id="retained-fixed-name",
        title="A fixed name retained on delete has a documented re-create path",
        url=RETAIN,
        reason="A retained resource stays in AWS after it leaves the stack; creating it again "
        "under the same name is refused by AWS (names are unique per account and Region).",
        check=_retained_fixed_names,
    ),
    AwsRule(
        id="fixed-name-unique",
        title="No two resources of one type share a fixed name",
        url=UNIQUE_NAMES["aws:cloudwatch/logGroup:LogGroup"][1],
        reason="Log group names must be unique within a Region; a second PutMetricAlarm with "
        "one name completely overwrites the first alarm.",
        check=_unique_names,
    ),
    AwsRule(
        id="deletable-when-unprotected",
        title="What a teardown deletes can be deleted",
        url=FORCED_DELETE[0][4],
        reason="ECR, S3 and EC2 Auto Scaling refuse or stall the delete of a non-empty "
        "repository or bucket, or a group with scale-in protected instances, unless forced.",
        check=_deletable,
    ),
]
