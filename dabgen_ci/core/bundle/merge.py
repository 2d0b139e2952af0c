"""Three-way merge of one job, per field, and of one source file, per file (pure).

**base** is the workspace as dabgen last saw it, **ours** the bundle in the repository,
**theirs** the workspace now, all three as plain values in the same form (resolved for the
configured target, see :mod:`dabgen_ci.core.sync.forms`). The rule, per field:

=============  ==================  ===================================================
base → ours    base → theirs       result
=============  ==================  ===================================================
same           changed             **adopted**: the workspace value (this is drift)
changed        same                **kept**: the repository value (a deploy pushes it)
changed        changed, equal      nothing to do
changed        changed, different  **conflict**: the repository value stays, reported
=============  ==================  ===================================================

A field absent on a side counts as a value (:data:`ABSENT`), so adding and removing
fields follow the same table. Mappings are merged key by key, so a change deep inside a
job touches only that leaf. Lists of records that carry their own key (tasks by
``task_key``, job clusters, environments, job parameters) are merged element by element by
that key, like the Databricks CLI merges them; order alone is never drift. Any other list is
one value (``depends_on``, ``libraries``: their order or content changes as a whole).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from dabgen_ci.core.bundle.tree import Keyed


class _Absent:
    """A field that a side does not have."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<absent>"

    def __bool__(self) -> bool:
        return False


ABSENT = _Absent()

# List fields whose elements are records identified by one of their own fields.
KEYED_LISTS: Mapping[str, str] = {
    "tasks": "task_key",
    "job_clusters": "job_cluster_key",
    "environments": "environment_key",
    "parameters": "name",
}


Segment = str | Keyed
FieldPath = tuple[Segment, ...]


@dataclass(frozen=True)
class Change:
    """One field where the sides differ; values are :data:`ABSENT` where a side lacks it."""

    path: FieldPath
    base: object
    ours: object
    theirs: object


@dataclass(frozen=True)
class MergeResult:
    """What the merge decided for one job.

    ``adopted``: take the workspace value (drift); ``kept``: the repository's own change
    (not drift); ``conflicts``: both changed differently, the repository value stays.
    """

    adopted: tuple[Change, ...] = ()
    kept: tuple[Change, ...] = ()
    conflicts: tuple[Change, ...] = ()

    @property
    def drifted(self) -> bool:
        return bool(self.adopted or self.conflicts)


@dataclass
class _Collector:
    adopted: list[Change] = field(default_factory=list)
    kept: list[Change] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)


def merge_values(base: object, ours: object, theirs: object) -> MergeResult:
    """Merge three versions of one job (or any plain value)."""
    out = _Collector()
    _walk(base, ours, theirs, (), out)
    return MergeResult(tuple(out.adopted), tuple(out.kept), tuple(out.conflicts))


FileDecision = Literal["unchanged", "adopt", "keep", "same", "conflict"]


def assumed_base(ours: object, theirs: object, path: FieldPath = ()) -> object:
    """The base to assume when none was recorded (a job never synced): the repository's
    value wherever both sides have the field — so a workspace change there is adopted —
    and absent where only the repository has it, so what people added to the repository
    (permissions, a task, a target override) is kept, never removed."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return {k: assumed_base(v, theirs[k], (*path, k)) for k, v in ours.items() if k in theirs}
    key_field = _keyed_field(path)
    o = keyed_items(ours, key_field) if key_field else None
    t = keyed_items(theirs, key_field) if key_field else None
    if key_field and o is not None and t is not None:
        return [assumed_base(item, t[k], (*path, Keyed(key_field, k)))
                for k, item in o.items() if k in t]
    return ours


def merge_file(base: str | None, ours: str | None, theirs: str | None) -> FileDecision:
    """The rule for one source file, on content hashes (``None``: the side has no file).

    ``unchanged``: nobody changed it; ``adopt``: write the workspace's content; ``keep``:
    the repository's change stays; ``same``: both changed it identically; ``conflict``:
    both changed it differently, the repository's file stays.
    """
    if ours == theirs:
        return "unchanged" if ours == base else "same"
    if base == theirs:
        return "keep"
    if base == ours:
        return "adopt"
    return "conflict"


def same(a: object, b: object) -> bool:
    """Equality for plain values where types count: ``True`` is not ``1``, ``"1"`` is not
    ``1`` (``1`` and ``1.0`` are the same number). Lists compare in order; the merge walks
    keyed lists by key, so reordering them alone records nothing."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def keyed_items(items: object, key_field: str) -> dict[str, object] | None:
    """A keyed list as ``{key: element}``; None when it is not one (a non-dict element, a
    missing or non-string key, or a key used twice)."""
    if not isinstance(items, list):
        return None
    found: dict[str, object] = {}
    for item in items:
        key = item.get(key_field) if isinstance(item, dict) else None
        if not isinstance(key, str) or key in found:
            return None
        found[key] = item
    return found


def get_path(value: object, path: Sequence[Segment]) -> object:
    """The value at ``path``, or :data:`ABSENT`."""
    for part in path:
        if isinstance(part, Keyed):
            items = keyed_items(value, part.field)
            if items is None or part.value not in items:
                return ABSENT
            value = items[part.value]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return ABSENT
    return value


def _walk(base: object, ours: object, theirs: object, path: FieldPath, out: _Collector) -> None:
    if same(ours, theirs):
        return  # nobody changed it, or both made the same change
    children = _children(base, ours, theirs, path)
    if children is not None:
        for segment, b, o, t in children:
            _walk(b, o, t, (*path, segment), out)
        return
    if same(base, theirs):
        out.kept.append(Change(path, base, ours, theirs))
    elif same(base, ours):
        out.adopted.append(Change(path, base, ours, theirs))
    else:
        out.conflicts.append(Change(path, base, ours, theirs))


def _children(base: object, ours: object, theirs: object, path: FieldPath
              ) -> Iterator[tuple[Segment, object, object, object]] | None:
    """Per-key triples when ours and theirs are both mappings (or both keyed lists) and the
    base is one too or absent; None when the value must be merged as a whole."""
    if isinstance(ours, dict) and isinstance(theirs, dict) and _dict_or_absent(base):
        base_map = base if isinstance(base, dict) else {}
        keys = list(dict.fromkeys([*ours, *theirs, *base_map]))
        return ((k, base_map.get(k, ABSENT), ours.get(k, ABSENT), theirs.get(k, ABSENT))
                for k in keys)
    key_field = _keyed_field(path)
    if key_field is None:
        return None
    o, t = keyed_items(ours, key_field), keyed_items(theirs, key_field)
    b = {} if base is ABSENT else keyed_items(base, key_field)
    if o is None or t is None or b is None:
        return None
    keys = list(dict.fromkeys([*t, *o, *b]))
    return ((Keyed(key_field, k), b.get(k, ABSENT), o.get(k, ABSENT), t.get(k, ABSENT))
            for k in keys)


def _keyed_field(path: FieldPath) -> str | None:
    last = path[-1] if path else None
    return KEYED_LISTS.get(last) if isinstance(last, str) else None


def _dict_or_absent(value: object) -> bool:
    return value is ABSENT or isinstance(value, dict)
