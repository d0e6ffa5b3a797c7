"""Secrets in plain text: one definition for environment variables, command lines and build args.

A plain value is readable by anyone who can describe the task definition (every revision,
forever), so AWS says to pass secrets through `secrets` (Secrets Manager or SSM Parameter Store)
instead: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar.html and
Security Hub ECS.8 (https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-8).

Two tests, and nothing else:
- the name: one pattern over its words (`DB_PASS`, `JWT_SIGNING_KEY` hold a secret;
  `DB_PASSWORD_FILE`, `TOKEN_TTL`, `SESSION_SECRET_NAME` describe one);
- the value or command line: detect-secrets (a maintained scanner of known key formats, URL
  credentials and high-entropy strings), also on its base64, hex and URL-decoded forms, plus
  the password of a URL (`scheme://user:password@host`, read with urllib).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import shlex
import string
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.scan import _process_line_based_plugins
from detect_secrets.settings import cache_bust, configure_settings_from_baseline

# Security Hub ECS.8: these names in plain `environment` always fail, whatever their value.
CREDENTIAL_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA")

# -- names -----------------------------------------------------------------------------------

# A word that says the variable holds a secret ...
_SECRET_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "PASS", "PWD", "PW", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN",
     "TOKENS", "CREDENTIAL", "CREDENTIALS", "CREDS", "APIKEY", "SALT", "PEPPER", "PRIVATEKEY",
     "AUTHKEY", "AUTH"}
)  # fmt: skip
# ... also glued to another word (DBPASSWORD, ACCESSTOKEN, CLIENTSECRET) ...
_SECRET_ENDINGS = ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "PRIVATEKEY")
# ... and KEY after a word that makes it key material (API_KEY, JWT_SIGNING_KEY, MASTER_KEY).
_KEY_QUALIFIERS = frozenset(
    {"API", "PRIVATE", "SECRET", "ACCESS", "SIGNING", "SIGN", "ENCRYPTION", "ENCRYPT",
     "DECRYPTION", "MASTER", "CLIENT", "HMAC", "JWT", "SESSION", "LICENSE", "APP", "AUTH",
     "CRYPTO", "SHARED", "SSH", "TLS", "SSL", "ADMIN", "SERVICE", "WEBHOOK", "AES", "RSA",
     "SECURITY", "COOKIE", "CSRF", "ACCOUNT"}
)  # fmt: skip
# A last word that makes the variable describe a secret rather than hold it.
_METADATA_WORDS = frozenset(
    {"NAME", "NAMES", "FILE", "PATH", "DIR", "ARN", "ID", "TTL", "EXPIRY", "EXPIRES",
     "EXPIRATION", "TIMEOUT", "LENGTH", "LEN", "MIN", "MAX", "SIZE", "COUNT", "URL", "URI",
     "ENDPOINT", "HOST", "PORT", "HEADER", "TYPE", "ALGORITHM", "ALG", "ISSUER", "AUDIENCE",
     "VERSION", "REGION", "ENABLED", "DISABLED", "REQUIRED", "POLICY", "FORMAT", "MODE", "FIELD",
     "PREFIX", "SUFFIX", "ROTATION", "INTERVAL", "DAYS", "SECONDS", "HOURS", "MINUTES",
     "LIFETIME", "AGE", "LIMIT", "RETRIES", "ATTEMPTS", "STORE", "PROVIDER", "KIND", "REF",
     "DOMAIN", "SCOPE", "SCOPES", "REALM", "METHOD", "STRATEGY", "SERVER", "SERVICE",
     "BACKEND", "LOCATION", "EXPIRE"}
)  # fmt: skip
_WORD = re.compile(r"[A-Z]+[0-9]*(?![a-z])|[A-Z]?[a-z]+[0-9]*|[0-9]+")
_BOOLEAN = frozenset({"true", "false", "yes", "no", "on", "off", "enabled", "disabled"})


def name_words(name: str) -> list[str]:
    """The words of a variable name: DB_PASSWORD, dbPassword and db-password give DB, PASSWORD."""
    return [w.upper() for w in _WORD.findall(name)]


def secret_name(name: str) -> bool:
    """Whether a variable's name says it holds a secret (the one name pattern)."""
    words = name_words(name)
    if not words or words[-1] in _METADATA_WORDS:
        return False
    for i, word in enumerate(words):
        if word in _SECRET_WORDS or word.endswith(_SECRET_ENDINGS):
            return True
        if word == "KEY" and i > 0 and words[i - 1] in _KEY_QUALIFIERS:
            return True
    return False


# -- values ----------------------------------------------------------------------------------

# Every detect-secrets plugin but three: hex entropy (commit SHAs and digests are hex), public IPs
# (not secrets) and the keyword detector, which judges names (the name pattern above does).
_NOT_FOR_VALUES = {"HexHighEntropyString", "IPPublicDetector", "KeywordDetector"}


@lru_cache(maxsize=1)
def _configure() -> None:
    """Set detect-secrets' (process-wide) settings once: our plugins, its default filters.
    Nothing else in this process scans with detect-secrets, and switching settings per value
    (transient_settings) costs milliseconds each time."""
    names = sorted(c.__name__ for c in get_mapping_from_secret_type_to_class().values())
    plugins: list[dict] = [{"name": n} for n in names if n not in _NOT_FOR_VALUES]
    for plugin in plugins:
        if plugin["name"] == "Base64HighEntropyString":
            plugin["limit"] = 4.5  # detect-secrets' own default
    cache_bust()
    configure_settings_from_baseline({"plugins_used": plugins})


@lru_cache(maxsize=4096)
def _scan(text: str) -> tuple[str, ...]:
    """detect-secrets' findings (secret types) on one value, scanned as a quoted YAML value."""
    _configure()
    found = _process_line_based_plugins([(1, f'value: "{text}"')], "value.yaml")
    return tuple(sorted({s.type for s in found}))


_PRINTABLE = frozenset(string.printable)


def _decoded(value: str) -> Iterable[str]:
    """The value as base64, hex or URL-encoded text decodes to (printable text only)."""
    forms: list[bytes] = []
    compact = value.strip()
    if len(compact) >= 8 and re.fullmatch(r"[A-Za-z0-9+/_-]+={0,2}", compact):
        padded = compact + "=" * (-len(compact) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            with contextlib.suppress(binascii.Error, ValueError):
                forms.append(decode(padded))
    if len(compact) >= 16 and len(compact) % 2 == 0 and re.fullmatch(r"[0-9a-fA-F]+", compact):
        forms.append(bytes.fromhex(compact))
    for raw in forms:
        try:
            text = raw.decode()
        except UnicodeDecodeError:
            continue
        if text and set(text) <= _PRINTABLE and text != value:
            yield text
    if "%" in value and unquote(value) != value:
        yield unquote(value)


def _url_password(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
        return bool(parts.scheme and parts.netloc and parts.password)
    except ValueError:
        return False


def secret_value(value: str, _depth: int = 0) -> str | None:
    """Why a plain value is a secret (a key format, URL credentials, entropy), or None."""
    if _url_password(value):
        return "it is a URL with a password in it"
    found = _scan(value)
    if found:
        return f"detect-secrets finds a {found[0]} in it"
    if _depth < 2:
        for text in _decoded(value):
            inner = secret_value(text, _depth + 1)
            if inner:
                return f"decoded, {inner}"
    return None


_SHELL_REFERENCE = re.compile(
    r"^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?-[^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*|\(.*\))$"
)


def _reference(value: str, shell: bool) -> bool:
    """A value that points at a secret instead of holding one: an ARN, or on a command line
    (where a shell expands it) a whole `$VAR`, `${VAR}` or `$(command)`. ECS passes
    environment values literally, so there `$secret` is a secret."""
    return value.startswith("arn:") or (shell and _SHELL_REFERENCE.match(value) is not None)


def secret_reason(name: str, value: str, shell: bool = False) -> str | None:
    """Why `name=value` in plain text is a secret, or None: its name, or its value (`shell`:
    the pair is on a command line, where `$VAR` is expanded)."""
    if name in CREDENTIAL_NAMES:
        return "it holds AWS credentials (Security Hub ECS.8)"
    text = value.strip()
    if not text or _reference(text, shell):
        return None
    if secret_name(name) and text.lower() not in _BOOLEAN:
        return "its name says it holds a credential"
    return secret_value(value)


def _tokens(args: Iterable[str]) -> list[str]:
    """Shell words of a command line; `sh -c "..."` scripts are split too."""
    out: list[str] = []
    for arg in args:
        try:
            out += shlex.split(str(arg)) if any(c.isspace() for c in str(arg)) else [str(arg)]
        except ValueError:
            out += str(arg).split()
    return out


def secret_in_command(args: Iterable[str]) -> str | None:
    """Why a command line (command, entryPoint, health check) carries a secret, or None:
    `NAME=value` and `--name=value` / `--name value` pairs judged like variables, and every
    word scanned like a value."""
    words = _tokens(args)
    for i, word in enumerate(words):
        name, eq, value = word.lstrip("-").partition("=")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name):
            eq = ""
        if not eq and word.startswith("--") and i + 1 < len(words):
            eq, value = "=", words[i + 1]  # --password hunter2
            if value.startswith("-"):
                eq = ""
        if eq:
            reason = secret_reason(name.replace("-", "_").replace(".", "_"), value, shell=True)
            if reason:
                return f"{name}: {reason}"
        reason = secret_value(word)
        if reason:
            return reason
    return None
