"""Addressing values inside nested JSON-like data (dicts and lists).

Conversion, layout, the round-trip check and the validator all talk about the same places
in a job ("``tasks[3].notebook_task.notebook_path``"); one representation (a tuple of keys
and indices) and one way to print it (:func:`format_path`, the ``path`` of every
diagnostic) keeps their diagnostics comparable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

Location = tuple[str | int, ...]


class Keyed(NamedTuple):
    """A path segment naming the element of a keyed list whose ``field`` is ``value`` (a
    task by its ``task_key``): how sync and review address a task that moved in its list."""

    field: str
    value: str


def format_path(path: Sequence[str | int | Keyed]) -> str:
    """``("resources", "jobs", "etl", "tasks", 0)`` → ``resources.jobs.etl.tasks[0]``;
    ``("tasks", Keyed("task_key", "ingest"), "timeout_seconds")`` →
    ``tasks[ingest].timeout_seconds``."""
    out = ""
    for part in path:
        if isinstance(part, Keyed):
            out += f"[{part.value}]"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def get_at(data: object, location: Location) -> object:
    """The value at ``location``; raises KeyError/IndexError/TypeError when absent."""
    for part in location:
        data = _child(data, part, location)
    return data


def set_at(data: object, location: Location, value: object) -> None:
    """Replace the value at ``location`` (which must exist)."""
    parent = get_at(data, location[:-1])
    last = location[-1]
    if isinstance(parent, dict):
        parent[last] = value
        return
    if isinstance(parent, list) and isinstance(last, int):
        parent[last] = value
        return
    raise _no_child(parent, last, location)


def _child(data: object, part: str | int, location: Location) -> object:
    """A step into a map or a list; what else JSON holds has no children."""
    if isinstance(data, dict):
        return data[part]
    if isinstance(data, list) and isinstance(part, int):
        return data[part]
    raise _no_child(data, part, location)


def _no_child(data: object, part: str | int, location: Location) -> TypeError:
    return TypeError(f"{format_path(location)}: no {part!r} in a {type(data).__name__}")
