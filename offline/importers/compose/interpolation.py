"""Compose variables: the `.env` file beside the Compose file (or `--env-file`) and `${...}`.

Compose substitutes variables from the shell and from the `.env` file in the project directory
(the Compose file's directory); `--env-file` names other files instead of that one
(https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/). The
importer reads the same files but never the shell, so its output does not depend on who runs
it: a value only the shell has is reported as missing, by name.

Forms, as Compose reads them: `$$` is a literal `$`; `${X}` and `$X` take X's value;
`${X:-d}` takes d when X is unset or empty, `${X-d}` only when unset; `${X:?e}` / `${X?e}` need
X (set and non-empty / set); `${X:+r}` is r when X is set and non-empty, `${X+r}` when set, else
empty. Defaults and replacements may hold variables themselves (`${A:-${B}}`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

_VAR = re.compile(
    r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}"
    r"|([A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(
    text: str, env: Mapping[str, str] | None = None
) -> tuple[str, list[str], list[str]]:
    """(value, variables whose written default was used, variables missing)."""
    env = env or {}
    defaulted: list[str] = []
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return "$"
        name = m.group(2) or m.group(5)
        op, raw = m.group(3), m.group(4) or ""
        is_set, filled = name in env, bool(env.get(name))
        present = filled if op and op.startswith(":") else is_set
        if op is None:
            if is_set:
                return env[name]
            missing.append(name)
            return m.group(0)
        arg, arg_defaulted, arg_missing = interpolate(raw, env)
        if op in ("-", ":-"):
            if present:
                return env[name]
            defaulted.extend([name, *arg_defaulted])
            missing.extend(arg_missing)
            return arg
        if op in ("+", ":+"):
            if present:
                missing.extend(arg_missing)
                return arg
            return ""
        if present:  # ? and :?
            return env[name]
        missing.append(name)
        return m.group(0)

    return _VAR.sub(sub, text), defaulted, missing


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines (`export` allowed, quotes removed, `#` comments skipped)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        out[key.strip()] = value
    return out


def project_env(compose_file: Path, env_files: list[Path] | None) -> tuple[dict[str, str], str]:
    """(variables, where they came from) as Compose reads them: `--env-file` files in order,
    else the `.env` beside the Compose file when there is one."""
    files = env_files if env_files else [compose_file.parent / ".env"]
    env: dict[str, str] = {}
    read = []
    for path in files:
        if path.is_file():
            env.update(read_env_file(path))
            read.append(str(path))
    note = f"Variables read from {', '.join(read)}." if read else ""
    return env, note
