"""What a pull request changed, read from git's output (pure parsing, no git here).

Inline review comments may only sit on lines of the pull request's diff; a review puts a
finding inline when its line is one the change added or rewrote (``git diff -U0``), and in
the review body otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)
_STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "added",
           "T": "modified"}

Ranges = tuple[tuple[int, int], ...]


class ChangedFile(NamedTuple):
    path: str
    status: str  # added | modified | deleted | renamed
    old_path: str | None = None


def parse_name_status(text: str) -> list[ChangedFile]:
    """``git diff --name-status -z`` output → changed files (renames: new path, old path)."""
    fields = text.split("\0")
    out: list[ChangedFile] = []
    i = 0
    while i < len(fields) and fields[i]:
        code = fields[i][0]
        if code in "RC":
            old, new = fields[i + 1], fields[i + 2]
            out.append(ChangedFile(new, _STATUS[code], old if code == "R" else None))
            i += 3
        else:
            out.append(ChangedFile(fields[i + 1], _STATUS.get(code, "modified")))
            i += 2
    return out


def added_ranges(patch: str) -> Ranges:
    """New-side line ranges (inclusive) that a ``git diff -U0`` patch adds or rewrites."""
    ranges = []
    for match in _HUNK.finditer(patch):
        start, count = int(match.group(1)), int(match.group(2) or "1")
        if count:
            ranges.append((start, start + count - 1))
    return tuple(ranges)


def on_diff(changed: Mapping[str, Ranges], file: str | None, line: int | None) -> bool:
    """Whether ``file:line`` is a line the change added or rewrote."""
    if file is None or line is None:
        return False
    return any(start <= line <= end for start, end in changed.get(file, ()))


def bundle_roots(changed: Iterable[str], has_root_file: Mapping[str, bool]) -> list[str]:
    """The bundle directories a change touches: for each changed path, the nearest folder
    above it holding a bundle root file (``has_root_file``: folder → present, as known)."""
    found: list[str] = []
    for path in changed:
        parts = path.split("/")[:-1]
        for end in range(len(parts), -1, -1):
            folder = "/".join(parts[:end]) or "."
            if has_root_file.get(folder) and folder not in found:
                found.append(folder)
                break
            if has_root_file.get(folder):
                break
    return sorted(found)
