"""Access logs of a load balancer (`loadBalancers.<name>.accessLogs`): the bucket and who may write.

Creates (children of the LoadBalancer): the bucket `{name}-logs` (retained on delete, emptied on
destroy only without deletion protection), its public access block, SSE-S3 encryption (the only
encryption ELB log delivery supports), a lifecycle rule expiring the logs after
`retentionDays`, and the bucket policy: ELB log delivery (ALB) or CloudWatch's vended-log
delivery (NLB, TLS listeners) may write under `<name>/AWSLogs/<account>/`, plain HTTP is denied.
Expects: the spec (type, retention, deletion protection) and the region.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from . import iam, protection
from .specs.load_balancer import LoadBalancerSpec

# Elastic Load Balancing's log-delivery account per Region for Regions opened before August
# 2022 (ELB user guide, "Attach a policy to your S3 bucket"); newer Regions use the service
# principal, which the bucket policy grants in every Region.
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-south-1": "718504428378", "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887", "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ca-central-1": "985666609251", "eu-central-1": "054676820928", "eu-west-1": "156460612806",
    "eu-west-2": "652711504416", "eu-west-3": "009996457667", "eu-south-1": "635631232127",
    "eu-north-1": "897822967062", "me-south-1": "076674570225", "sa-east-1": "507241528517",
}  # fmt: skip


def access_log_bucket(
    parent: pulumi.Resource, name: str, spec: LoadBalancerSpec, region: str
) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
    """The log bucket and its policy (the load balancer waits for the policy: ELB checks that
    it may write to the bucket when logging is turned on)."""
    child = pulumi.ResourceOptions(parent=parent)
    assert spec.access_logs is not None
    bucket = aws.s3.Bucket(
        f"{name}-logs",
        # Without deletion protection (dev) a teardown must not stall on old log objects.
        force_destroy=not spec.deletion_protection,
        opts=protection.stateful(parent, retained=True),
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-logs",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-logs",
        bucket=bucket.id,
        # ELB log delivery supports SSE-S3 only.
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256"
                )
            )
        ],
        opts=child,
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-logs",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-access-logs",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=f"{name}/"),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=spec.access_logs.retention_days
                ),
            )
        ],
        opts=child,
    )
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=parent))
    policy = aws.s3.BucketPolicy(
        f"{name}-logs",
        bucket=bucket.id,
        policy=pulumi.Output.all(bucket.arn, identity.account_id).apply(
            lambda a: _log_bucket_policy(a[0], a[1], name, region, spec.type == "network")
        ),
        opts=child,
    )
    return bucket, policy


def _log_bucket_policy(
    bucket_arn: str, account: str, prefix: str, region: str, network: bool
) -> str:
    """Who may write access logs (only for this account's objects), and no plain HTTP."""
    objects = f"{bucket_arn}/{prefix}/AWSLogs/{account}/*"
    if network:
        delivery = _nlb_delivery(bucket_arn, objects, account, region)
    else:
        delivery = _alb_delivery(objects, region)
    return iam.policy(
        [
            *delivery,
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ]
    )


def _nlb_delivery(bucket_arn: str, objects: str, account: str, region: str) -> list[dict[str, Any]]:
    """CloudWatch's vended-log delivery for an NLB (TLS listeners), which also reads the bucket
    ACL."""
    from_logs = {"ArnLike": {"aws:SourceArn": f"arn:aws:logs:{region}:{account}:*"}}
    return [
        {
            "Sid": "NlbLogDeliveryWrite",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": objects,
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": account,
                    "s3:x-amz-acl": "bucket-owner-full-control",
                },
                **from_logs,
            },
        },
        {
            "Sid": "NlbLogDeliveryAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account}, **from_logs},
        },
    ]


def _alb_delivery(objects: str, region: str) -> list[dict[str, Any]]:
    """ELB log delivery for an ALB: the service principal, plus the Region's ELB account in
    Regions from before 2022."""
    delivery: list[dict[str, Any]] = [
        {
            "Sid": "ElbLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": objects,
        }
    ]
    if region in ELB_LOG_ACCOUNTS:
        delivery.append(
            {
                "Sid": "ElbLogDeliveryRegionalAccount",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ELB_LOG_ACCOUNTS[region]}:root"},
                "Action": "s3:PutObject",
                "Resource": objects,
            }
        )
    return delivery
