"""Container users: `user` as ECS and Docker read it, parsed rather than spelled.

ECS passes `user` to Docker (`--user`): `user`, `uid`, `user:group`, `uid:gid` or a mix. A name
made only of digits is a numeric id (Docker parses it as a number, so "00" is uid 0), and uid 0
or the name root runs the process as root (Security Hub ECS.20: a Linux container whose user is
root or 0 fails).
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html (user)
https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-20
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A POSIX portable user or group name, or a numeric id.
_PART = r"[A-Za-z0-9_.][A-Za-z0-9_.-]*"
USER_PATTERN = re.compile(rf"^({_PART})(?::({_PART}))?$")
MAX_ID = 2**32 - 2  # Linux ids are 32-bit; 2**32 - 1 is the invalid id (-1)


@dataclass(frozen=True)
class User:
    """A parsed `user`: the user part and the optional group part (ints when numeric)."""

    user: int | str
    group: int | str | None

    @property
    def is_root(self) -> bool:
        return self.user in (0, "root")

    def __str__(self) -> str:
        return str(self.user) if self.group is None else f"{self.user}:{self.group}"


def _part(text: str) -> int | str:
    if text.isdigit():
        number = int(text)
        if number > MAX_ID:
            raise ValueError(f"{text} is above the largest Linux id {MAX_ID}")
        return number
    return text


def parse_user(value: str | int) -> User:
    """`user` as a User, or ValueError saying what is allowed (an int is a uid)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a user; use a uid (1000), a name, or user:group")
    if isinstance(value, int):
        if not 0 <= value <= MAX_ID:
            raise ValueError(f"{value} is not a uid (0 to {MAX_ID})")
        return User(value, None)
    m = USER_PATTERN.match(value)
    if not m:
        raise ValueError(
            f"{value!r} is not user[:group] (a name or uid, optionally :group or :gid, e.g. "
            '"1000", "1000:1000" or "app:app")'
        )
    return User(_part(m.group(1)), None if m.group(2) is None else _part(m.group(2)))


def is_root(value: str | int | None) -> bool:
    """Whether `user` runs the container as root. Unset means the image's default user, which
    ECS.20 counts as root; a value that does not parse is not trusted either."""
    if value is None or value == "":
        return True
    try:
        return parse_user(value).is_root
    except ValueError:
        return True


def normalise_user(value: str | int) -> str:
    """The `user` string a container definition receives (an int uid becomes its digits)."""
    parsed = parse_user(value)
    return str(parsed) if isinstance(value, int) else value
