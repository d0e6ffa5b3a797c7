"""Physical names that survive AWS limits: readable, deterministic, never too long.

Load balancer names: at most 32 characters of letters, digits and hyphens, not starting or
ending with a hyphen, not starting with "internal-". Target groups get a name *prefix* (at most
6 characters) so Pulumi can create the replacement before deleting the old one; a fixed name
fails with ResourceInUse while a listener still forwards to it (pulumi-aws#4220).
"""

from __future__ import annotations

import hashlib
import re


def _clean(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", text.lower())).strip("-")


def aws_name(*parts: str, limit: int = 32) -> str:
    """Join parts with hyphens; if too long, keep the start and add a 6-hex hash of the whole."""
    full = _clean("-".join(p for p in parts if p))
    if full.startswith("internal-"):
        full = "lb-" + full
    if len(full) <= limit:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    return f"{full[: limit - 7].rstrip('-')}-{digest}"


def name_prefix(key: str) -> str:
    """A target group namePrefix (AWS allows 6 characters): the key's start and a hyphen."""
    return f"{_clean(key)[:5].rstrip('-')}-"
