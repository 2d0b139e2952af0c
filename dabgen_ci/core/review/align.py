"""Line up two versions of a job's settings by task key before comparing them (pure).

The Jobs API keeps tasks, job clusters, parameters and environments as lists, but they are
identified by a key: inserting one task in the middle must read as "task added", not as
every later task changed. So both sides are reordered to share the order of the keys they
have in common, and the items only one side has are taken out and reported whole.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dabgen_ci.core.bundle.merge import keyed_items

KEYED_LISTS = (("tasks", "task_key"), ("job_clusters", "job_cluster_key"),
               ("parameters", "name"), ("environments", "environment_key"))


@dataclass(frozen=True)
class Aligned:
    """Both sides with keyed lists in one shared order, and what only one side has."""

    old: dict[str, Any]
    new: dict[str, Any]
    # (list field, key, the item) — present on one side only
    only_old: tuple[tuple[str, str, Any], ...]
    only_new: tuple[tuple[str, str, Any], ...]
    # list field → the keys of its aligned items, by index (to name items in paths)
    keys: dict[str, tuple[str, ...]]


def align(old: Mapping[str, Any], new: Mapping[str, Any]) -> Aligned:
    left, right = copy.deepcopy(dict(old)), copy.deepcopy(dict(new))
    only_old: list[tuple[str, str, Any]] = []
    only_new: list[tuple[str, str, Any]] = []
    keys: dict[str, tuple[str, ...]] = {}
    for field, key in KEYED_LISTS:
        a, b = left.get(field), right.get(field)
        if not isinstance(a, list) or not isinstance(b, list):
            continue
        a_by, b_by = keyed_items(a, key), keyed_items(b, key)
        if a_by is None or b_by is None:
            continue  # an item without a usable key: compare by position
        shared = [k for k in b_by if k in a_by]
        left[field] = [a_by[k] for k in shared]
        right[field] = [b_by[k] for k in shared]
        only_old += [(field, k, a_by[k]) for k in a_by if k not in b_by]
        only_new += [(field, k, b_by[k]) for k in b_by if k not in a_by]
        keys[field] = tuple(shared)
    return Aligned(left, right, tuple(only_old), tuple(only_new), keys)


def name_items(path: str, keys: Mapping[str, tuple[str, ...]]) -> str:
    """``tasks[2].max_retries`` → ``tasks[clean].max_retries`` using the aligned keys."""
    for field, names in keys.items():
        prefix = f"{field}["
        if path.startswith(prefix):
            index, _, rest = path[len(prefix):].partition("]")
            if index.isdigit() and int(index) < len(names):
                return f"{field}[{names[int(index)]}]{rest}"
    return path
