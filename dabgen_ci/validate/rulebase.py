"""Shared helpers of the rule modules: locating findings and walking jobs and tasks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from dabgen_ci.core.bundle.tree import format_path
from dabgen_ci.core.diagnostics import Diagnostic, Severity
from dabgen_ci.validate.located import LocTree, Path

SOURCE = "rules"


class TaskRef(NamedTuple):
    """A task with its path; ``nested`` for the task inside a ``for_each_task``."""

    path: Path
    task: dict[str, Any]
    nested: bool


def finding(severity: Severity, summary: str, tree: LocTree | None, path: Path,
            detail: str = "") -> Diagnostic:
    """A diagnostic located at ``path`` (or its nearest located ancestor) in ``tree``."""
    loc = tree.find(path) if tree else None
    return Diagnostic(severity, summary, detail=detail, file=loc.file if loc else None,
                      line=loc.line if loc else None, path=format_path(path) or None,
                      source=SOURCE)


def unresolved(value: Any) -> bool:
    """A value still holding a ``${...}`` reference cannot be checked offline."""
    return isinstance(value, str) and "${" in value


def iter_resources(config: dict[str, Any], rtype: str) -> Iterator[tuple[str, dict[str, Any]]]:
    resources = config.get("resources")
    group = resources.get(rtype) if isinstance(resources, dict) else None
    if isinstance(group, dict):
        for key, res in group.items():
            if isinstance(res, dict):
                yield key, res


def iter_tasks(job: dict[str, Any], job_path: Path) -> Iterator[TaskRef]:
    """Every task of a job, each followed by its ``for_each_task`` nested task if any."""
    tasks = job.get("tasks")
    if not isinstance(tasks, list):
        return
    for i, task in enumerate(tasks):
        if not isinstance(task, dict):
            continue
        path = (*job_path, "tasks", i)
        yield TaskRef(path, task, False)
        for_each = task.get("for_each_task")
        inner = for_each.get("task") if isinstance(for_each, dict) else None
        if isinstance(inner, dict):
            yield TaskRef((*path, "for_each_task", "task"), inner, True)


def get(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...`` or ``None`` when any step is missing or not a map."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
