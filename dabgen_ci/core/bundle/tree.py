"""Addressing values inside nested JSON-like data (dicts and lists).

Conversion, layout and the round-trip check all talk about the same places in a job
("``tasks[3].notebook_task.notebook_path``"); one representation (a tuple of keys and
indices) and one way to print it keeps their diagnostics comparable.
"""

from __future__ import annotations

from collections.abc import Sequence

Location = tuple[str | int, ...]


def fmt_location(location: Sequence[str | int], *, root: str = "") -> str:
    """``("tasks", 0, "notebook_task")`` → ``tasks[0].notebook_task`` (YAML-path style)."""
    out = root
    for part in location:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def get_at(data: object, location: Location) -> object:
    """The value at ``location``; raises KeyError/IndexError/TypeError when absent."""
    for part in location:
        data = data[part]  # type: ignore[index]
    return data


def set_at(data: object, location: Location, value: object) -> None:
    """Replace the value at ``location`` (which must exist)."""
    parent = get_at(data, location[:-1])
    parent[location[-1]] = value  # type: ignore[index]
