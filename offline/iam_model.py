"""IAM documents checked against a maintained IAM database (placeholder, filled next)."""

from __future__ import annotations

RULES: list = []
