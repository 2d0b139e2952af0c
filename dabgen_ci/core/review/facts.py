"""What the lint rules read about one bundle: plain data, gathered once by the flow.

Loading a bundle (includes, target overrides, variable substitution, the location of every
value) is the validator's job; the rules only look. So the flow hands them a
:class:`BundleFacts`: the configuration as written (merged, no target applied), the
configuration each target resolves to, where every value was written, which files exist,
and the text of the YAML files (for ``# dabgen: ignore`` comments).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

Path = tuple[str | int, ...]


class Loc(NamedTuple):
    """Where a value was written: file relative to the bundle root, 1-based line."""

    file: str
    line: int


@dataclass(frozen=True)
class TargetView:
    """One target as a deploy would see it: overrides merged, ``${var.*}`` substituted."""

    name: str
    config: Mapping[str, Any]
    locations: Mapping[str, Loc] = field(default_factory=dict)

    @property
    def mode(self) -> str | None:
        bundle = self.config.get("bundle")
        mode = bundle.get("mode") if isinstance(bundle, Mapping) else None
        return mode if isinstance(mode, str) else None


@dataclass(frozen=True)
class RemovedJob:
    """A job resource the base branch had and the pull request removes."""

    key: str
    file: str
    job_id: int | None = None
    name: str = ""


@dataclass(frozen=True)
class BundleFacts:
    config: Mapping[str, Any]  # all files merged, as written (no target, no substitution)
    locations: Mapping[str, Loc]  # YAML path → where it was written, for ``config``
    targets: tuple[TargetView, ...]  # every target (or one unnamed view when none)
    files: frozenset[str]  # every file of the bundle, relative to its root (POSIX)
    texts: Mapping[str, str] = field(default_factory=dict)  # YAML file → its text
    removed: tuple[RemovedJob, ...] = ()

    def target(self, name: str) -> TargetView | None:
        return next((t for t in self.targets if t.name == name), None)


def fmt_path(path: Path) -> str:
    """``('resources', 'jobs', 'etl', 'tasks', 0)`` → ``resources.jobs.etl.tasks[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def locate(locations: Mapping[str, Loc], path: Path) -> Loc | None:
    """Where ``path`` (or its nearest written ancestor) is, or None."""
    for end in range(len(path), 0, -1):
        found = locations.get(fmt_path(path[:end]))
        if found is not None:
            return found
    return locations.get("")


def walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) below ``value``, depth first, containers before their children."""
    stack: list[tuple[Path, Any]] = [(path, value)]
    while stack:
        here, node = stack.pop()
        yield here, node
        if isinstance(node, Mapping):
            stack.extend(((*here, k), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend(((*here, i), v) for i, v in reversed(list(enumerate(node))))


def jobs(config: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    resources = config.get("resources")
    group = resources.get("jobs") if isinstance(resources, Mapping) else None
    for key, job in (group.items() if isinstance(group, Mapping) else ()):
        if isinstance(job, Mapping):
            yield str(key), job


def tasks(job: Mapping[str, Any], job_path: Path) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """Every task of a job, each followed by the task inside its ``for_each_task``."""
    items = job.get("tasks")
    for i, task in enumerate(items if isinstance(items, list) else ()):
        if not isinstance(task, Mapping):
            continue
        path = (*job_path, "tasks", i)
        yield path, task
        inner = task.get("for_each_task")
        inner = inner.get("task") if isinstance(inner, Mapping) else None
        if isinstance(inner, Mapping):
            yield (*path, "for_each_task", "task"), inner


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and "${" in value
