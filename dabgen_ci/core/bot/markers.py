"""The hidden marker of a dabgen pull request: what it was generated from (pure).

`/dabgen regenerate` must know which jobs (or which folder) a PR came from. The branch
name says it for a few job ids (`dabgen/job-1-2`) but not for hashed names, so the PR
body carries `<!-- dabgen:pr job=1,2 issue=12 -->` (or `path=<percent-encoded>`).
Anyone who can edit the PR body can edit the marker, so parsed values are validated like
comment text: integers, and workspace paths that pass the grammar's checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from dabgen_ci.core.bot.grammar import (
    BRANCH_PREFIX,
    MAX_JOB_ID,
    MAX_JOB_IDS,
    JobCommand,
    PathCommand,
    path_problem,
)

PR_MARKER_PREFIX = "<!-- dabgen:pr"
_MARKER = re.compile(r"<!-- dabgen:pr((?: [a-z]+=[^\s>]*)*) -->")
_BRANCH_IDS = re.compile(re.escape(BRANCH_PREFIX) + r"job-(\d+(?:-\d+)*)")


@dataclass(frozen=True)
class PrOrigin:
    """The request a dabgen PR answers; exactly one of `job_ids` and `path` is set."""

    job_ids: tuple[int, ...] = ()
    path: str | None = None
    issue: int | None = None

    def command(self) -> JobCommand | PathCommand:
        return PathCommand(self.path) if self.path else JobCommand(self.job_ids)


def origin_of(command: JobCommand | PathCommand, issue: int | None) -> PrOrigin:
    if isinstance(command, PathCommand):
        return PrOrigin(path=command.path, issue=issue)
    return PrOrigin(job_ids=command.ids, issue=issue)


def pr_marker(origin: PrOrigin) -> str:
    fields = []
    if origin.path:
        fields.append("path=" + quote(origin.path, safe="/@"))
    else:
        fields.append("job=" + ",".join(str(i) for i in origin.job_ids))
    if origin.issue is not None:
        fields.append(f"issue={origin.issue}")
    return f"{PR_MARKER_PREFIX} {' '.join(fields)} -->"


def parse_pr_marker(body: str) -> PrOrigin | None:
    """The origin recorded in a PR body, or None when there is no valid marker."""
    match = _MARKER.search(body or "")
    if not match:
        return None
    fields = dict(part.split("=", 1) for part in match.group(1).split())
    issue = _number(fields.get("issue", ""))
    if "path" in fields:
        path = unquote(fields["path"])
        return None if path_problem(path) else PrOrigin(path=path, issue=issue)
    ids = tuple(_number(part) for part in fields.get("job", "").split(","))
    if not ids or len(ids) > MAX_JOB_IDS or any(i is None for i in ids):
        return None
    return PrOrigin(job_ids=tuple(i for i in ids if i is not None), issue=issue)


def origin_from_branch(branch: str) -> PrOrigin | None:
    """Job ids spelled out in a `dabgen/job-1-2` branch name."""
    match = _BRANCH_IDS.fullmatch(branch)
    if not match:
        return None
    ids = tuple(_number(part) for part in match.group(1).split("-"))
    if any(i is None for i in ids):
        return None
    return PrOrigin(job_ids=tuple(i for i in ids if i is not None))


def _number(text: str) -> int | None:
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_JOB_ID else None
