"""ALB rule patterns: does one pattern cover another, can two match the same request.

ALB path and host header conditions take wildcards: `*` matches zero or more characters and `?`
exactly one (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html).
Host headers compare case-insensitively, paths case-sensitively. These questions are answered
on the patterns themselves, never by comparing their text:

- `overlaps(a, b)`: some string matches both (`/a/*` and `/*/b` do: `/a/b`);
- `covers(a, b)`: every string `b` matches, `a` matches too (`/a/*` covers `/a/api/*`,
  `*.a.example.com` covers `api.a.example.com`). The check is sound, not complete: it never
  says "covers" when a string of `b` escapes `a`, and it may refuse a pair whose wildcards only
  cover each other in an unusual arrangement (`?*` and `*?`); write the grant's pattern in the
  same shape.

A rule matches when one of its paths and one of its hosts match (no hosts: any host; no paths:
any path), so two rules can match one request when their host sets and path sets both overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

ANY_PATH = "/*"


def _fold(pattern: str, case_sensitive: bool) -> str:
    return pattern if case_sensitive else pattern.lower()


def overlaps(a: str, b: str, *, case_sensitive: bool = True) -> bool:
    """Whether one string matches both glob patterns."""
    return _overlap(_fold(a, case_sensitive), _fold(b, case_sensitive))


@cache
def _overlap(a: str, b: str) -> bool:
    # Build a common string symbol by symbol; a state is (position in a, position in b).
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            todo.append((i + 1, j))  # a's star matches nothing more
        if j < len(b) and b[j] == "*":
            todo.append((i, j + 1))
        if i < len(a) and j < len(b):
            x, y = a[i], b[j]
            if x in "*?" or y in "*?" or x == y:  # one character both accept
                todo.append((i if x == "*" else i + 1, j if y == "*" else j + 1))
    return False


def covers(a: str, b: str, *, case_sensitive: bool = True) -> bool:
    """Whether every string matching `b` also matches `a`."""
    return _covers(_fold(a, case_sensitive), _fold(b, case_sensitive))


@cache
def _covers(a: str, b: str) -> bool:
    # Match `a` against `b` read as symbols: a's `*` takes any run of b's symbols, a's `?` one
    # literal or `?` of b, a literal only the same literal. A match means inclusion.
    @cache
    def match(i: int, j: int) -> bool:
        if i == len(a):
            return j == len(b)
        if a[i] == "*":
            return match(i + 1, j) or (j < len(b) and match(i, j + 1))
        if j == len(b) or b[j] == "*":
            return False
        if a[i] == "?" or a[i] == b[j]:
            return match(i + 1, j + 1)
        return False

    return match(0, 0)


def covered(pattern: str, granted: Sequence[str], *, case_sensitive: bool = True) -> bool:
    """Whether one of the `granted` patterns covers `pattern`."""
    return any(covers(g, pattern, case_sensitive=case_sensitive) for g in granted)


def first_overlap(
    ours: Sequence[str], theirs: Sequence[str], *, case_sensitive: bool = True
) -> tuple[str, str] | None:
    """The first pair (ours, theirs) of patterns that overlap, or None."""
    for a in ours:
        for b in theirs:
            if overlaps(a, b, case_sensitive=case_sensitive):
                return a, b
    return None


def scope_overlap(
    hosts_a: Sequence[str], paths_a: Sequence[str], hosts_b: Sequence[str], paths_b: Sequence[str]
) -> tuple[str, str] | None:
    """Whether a request can match both scopes (empty hosts: any host; empty paths: any path);
    the overlapping (pattern of a, pattern of b), host+path when hosts are given, else None."""
    hosts = _host_overlap(hosts_a, hosts_b)
    if hosts is None:
        return None
    paths = first_overlap(paths_a or [ANY_PATH], paths_b or [ANY_PATH])
    if paths is None:
        return None
    if hosts == ("", ""):
        return paths
    return f"{hosts[0]}{paths[0]}", f"{hosts[1]}{paths[1]}"


def _host_overlap(a: Sequence[str], b: Sequence[str]) -> tuple[str, str] | None:
    if not a or not b:
        return (a[0] if a else "", b[0] if b else "") if (a or b) else ("", "")
    return first_overlap(a, b, case_sensitive=False)
