"""Which jobs a request means: explicit ids plus selectors (``--all``, ``--name``, ``--tag``).

Selectors read ``jobs/list`` with ``expand_tasks`` (one call per 100 jobs) and only fall back
to ``jobs/get`` for jobs with more than 100 tasks, which the list truncates.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.errors import BadInputError
from dabgen_ci.workspace.base import WorkspaceSource


@dataclass(frozen=True)
class JobSelection:
    ids: tuple[int, ...] = ()
    all: bool = False
    name_globs: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def uses_list(self) -> bool:
        return self.all or bool(self.name_globs) or bool(self.tags)

    def is_empty(self) -> bool:
        return not self.ids and not self.uses_list


def parse_tag(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` → (key, value); ``KEY`` alone matches any value of that tag."""
    key, sep, value = text.partition("=")
    if not key:
        raise BadInputError(f"--tag {text!r}: expected KEY=VALUE, e.g. --tag team=sales")
    return key, value if sep else "*"


def matches(settings: JsonObject, selection: JobSelection) -> bool:
    """Pure filter used on list items: every given selector must match (they AND together)."""
    if selection.all and not selection.name_globs and not selection.tags:
        return True
    name = str(settings.get("name", ""))
    if selection.name_globs and not any(
        fnmatch.fnmatchcase(name.lower(), glob.lower()) for glob in selection.name_globs
    ):
        return False
    tags = settings.get("tags") or {}
    for key, value in selection.tags:
        if key not in tags or not fnmatch.fnmatchcase(str(tags[key]), value):
            return False
    return True


def select_jobs(source: WorkspaceSource, selection: JobSelection) -> list[JsonObject]:
    """Fetch the selected jobs as full ``jobs/get`` bodies, ids first, then by job id."""
    require_selection(selection)
    jobs: dict[int, JsonObject] = {}
    for job_id in selection.ids:
        jobs[job_id] = source.get_job(job_id)
    if selection.uses_list:
        for item in source.list_jobs():
            job_id = int(item["job_id"])
            if job_id in jobs or not matches(item.get("settings") or {}, selection):
                continue
            jobs[job_id] = source.get_job(job_id) if item.get("has_more") else item
    if not jobs:
        raise BadInputError(f"no job in {source.describe()} matches {describe(selection)}")
    explicit = [jobs[i] for i in selection.ids]
    rest = sorted((j for i, j in jobs.items() if i not in selection.ids), key=_job_id)
    return explicit + rest


def require_selection(selection: JobSelection) -> None:
    if selection.is_empty():
        raise BadInputError("no jobs selected: give job IDs, --all, --name GLOB or --tag KEY=VALUE")


def describe(selection: JobSelection) -> str:
    parts: list[str] = [f"job {i}" for i in selection.ids]
    parts += [f"--name {g!r}" for g in selection.name_globs]
    parts += [f"--tag {k}={v}" for k, v in selection.tags]
    if selection.all:
        parts.append("--all")
    return ", ".join(parts)


def _job_id(job: JsonObject) -> int:
    return int(job.get("job_id", 0))


def dedupe_ids(ids: Sequence[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(ids))
