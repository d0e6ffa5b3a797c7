"""The repository stands alone: no committed file cites a document a user does not have.

Users get this repository and nothing else, so code, comments, docs, CLI output, policy texts
and tests state facts in their own words (with the public page they come from) or point at a
file in the repository; never at notes kept outside it, and never at a tracker's issue number.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".git", ".venv", ".ci", "__pycache__", ".pytest_cache", ".ruff_cache",
                ".hypothesis", "out"}  # fmt: skip
# Pieces joined so that this file does not match its own pattern.
OUTSIDE = re.compile(
    "|".join(
        (
            r"\.\./" + "shared",
            "shared" + "/reference",
            "reference" + r"/[a-z_-]+\.md",
            "DESIGN" + r"\.md",
            "STYLE" + r"\.md",
            "[Ii]" + r"ssue #?[0-9]+",
        )
    )
)


def committed_files() -> list[Path]:
    """Files git tracks (what a clone gets); every file below ROOT when there is no git."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
        )
        names = [n for n in done.stdout.decode().split("\0") if n]
    except (OSError, subprocess.SubprocessError):
        names = []
    if names:
        return [ROOT / n for n in names if not set(Path(n).parts) & SKIPPED_DIRS]
    return [
        p
        for p in ROOT.rglob("*")
        if p.is_file() and not set(p.relative_to(ROOT).parts) & SKIPPED_DIRS
    ]


def outside_citations(files: list[Path]) -> list[str]:
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue  # binary, or deleted in the work tree
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(text.splitlines(), 1):
            match = OUTSIDE.search(line)
            if match is None:
                continue
            found.append(f"{rel}:{number}: {line.strip()[:120]}")
    return found


def test_no_committed_file_cites_a_document_outside_the_repository_or_an_issue_number():
    assert outside_citations(committed_files()) == []


def test_the_check_finds_each_kind_of_outside_citation(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    lines = ["see ../" + "shared/notes", "shared" + "/reference/x", "reference" + "/aws-limits.md",
             "DESIGN" + ".md section 4", "STYLE" + ".md", "fixed in iss" + "ue 6", "Issue" + " #14",
             "docs/policy.md and reference/ are fine", "an issue with 3 parts is fine"]  # fmt: skip
    path = tmp_path / "notes.md"
    path.write_text("\n".join(lines) + "\n")
    assert [f.split(":")[1] for f in outside_citations([path])] == [str(n) for n in range(1, 8)]
