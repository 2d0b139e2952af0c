"""Configuration values with their source locations, and the CLI's merge semantics.

Configuration stays plain JSON-like data (dicts, lists, scalars) so jsonschema and the rest
of dabgen can use it directly; where each value came from lives in a parallel
:class:`LocTree`. Merging two configurations merges both trees in step, so a value that a
target override or an included file contributed still points at the line that wrote it.

The merge rules are those of the Databricks CLI (``libs/dyn/merge``): maps merge
recursively, sequences concatenate, the incoming scalar wins; job tasks, job clusters and
job parameters are then merged by their key (``merge.ElementsByKey``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from dabgen_ci.core.bundle.tree import format_path

PathPart = str | int
Path = tuple[PathPart, ...]


class Location(NamedTuple):
    """Where a value was written: file relative to the bundle root (POSIX), 1-based line."""

    file: str
    line: int
    column: int = 1


@dataclass(frozen=True, slots=True)
class LocTree:
    """The location of a value and, for containers, of its children."""

    loc: Location
    children: dict[str, LocTree] | list[LocTree] | None = None

    def child(self, part: PathPart) -> LocTree | None:
        if isinstance(part, int):
            if isinstance(self.children, list) and 0 <= part < len(self.children):
                return self.children[part]
            return None
        if isinstance(self.children, dict):
            return self.children.get(part)
        return None

    def find(self, path: Path) -> Location:
        """The location of ``path``, or of its deepest ancestor that has one."""
        node = self
        for part in path:
            nxt = node.child(part)
            if nxt is None:
                break
            node = nxt
        return node.loc


def flatten(tree: LocTree | None, prefix: Path = ()) -> Iterator[tuple[str, Location]]:
    """Every path below ``tree`` with its location (the root itself as ``""``)."""
    if tree is None:
        return
    stack: list[tuple[Path, LocTree]] = [(prefix, tree)]
    while stack:
        path, node = stack.pop()
        yield format_path(path), node.loc
        if isinstance(node.children, dict):
            stack.extend(((*path, k), v) for k, v in node.children.items())
        elif isinstance(node.children, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node.children))


def merge(a: Any, b: Any, ta: LocTree | None = None, tb: LocTree | None = None
          ) -> tuple[Any, LocTree | None]:
    """Merge ``b`` over ``a`` like the CLI; raise ValueError on a map/sequence/scalar clash."""
    if a is None:
        return b, tb or ta
    if b is None:
        return a, ta or tb
    if isinstance(a, dict):
        if not isinstance(b, dict):
            raise ValueError(f"cannot merge a map with {_kind(b)}")
        return _merge_map(a, b, ta, tb)
    if isinstance(a, list):
        if not isinstance(b, list):
            raise ValueError(f"cannot merge a sequence with {_kind(b)}")
        return a + b, _concat_tree(ta, tb, len(a), len(b))
    if isinstance(b, dict | list):
        raise ValueError(f"cannot merge {_kind(a)} with {_kind(b)}")
    return b, tb or ta


def _merge_map(a: dict, b: dict, ta: LocTree | None, tb: LocTree | None
               ) -> tuple[dict, LocTree | None]:
    out = dict(a)
    kids: dict[str, LocTree] = dict(_dict_children(ta))
    b_kids = _dict_children(tb)
    for key, value in b.items():
        if key in out:
            out[key], tree = merge(out[key], value, kids.get(key), b_kids.get(key))
        else:
            out[key], tree = value, b_kids.get(key)
        if tree is not None:
            kids[key] = tree
    base = ta or tb
    return out, (LocTree(base.loc, kids) if base else None)


def merge_elements_by_key(items: list, tree: LocTree | None, key: str
                          ) -> tuple[list, LocTree | None]:
    """Merge list elements that share ``key`` (first occurrence keeps its position)."""
    order: list[Any] = []
    merged: dict[Any, tuple[Any, LocTree | None]] = {}
    kids = tree.children if tree and isinstance(tree.children, list) else []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            raw = item.get(key)
            k: Any = raw if isinstance(raw, str) else ""  # the CLI merges key-less ones too
        else:
            k = ("#", i)
        item_tree = kids[i] if i < len(kids) else None
        if k in merged:
            merged[k] = merge(merged[k][0], item, merged[k][1], item_tree)
        else:
            order.append(k)
            merged[k] = (item, item_tree)
    values = [merged[k][0] for k in order]
    trees = [merged[k][1] for k in order]
    if tree is None or any(t is None for t in trees):
        return values, tree
    return values, LocTree(tree.loc, trees)  # type: ignore[arg-type]


def get_in(value: Any, tree: LocTree | None, path: Path) -> tuple[Any, LocTree | None]:
    """The value and tree at ``path`` (``None`` where it does not exist)."""
    for part in path:
        if isinstance(part, int):
            ok = isinstance(value, list) and 0 <= part < len(value)
        else:
            ok = isinstance(value, dict) and part in value
        if not ok:
            return None, None
        value = value[part]
        tree = tree.child(part) if tree else None
    return value, tree


def _dict_children(tree: LocTree | None) -> dict[str, LocTree]:
    return tree.children if tree and isinstance(tree.children, dict) else {}


def _concat_tree(ta: LocTree | None, tb: LocTree | None, na: int, nb: int) -> LocTree | None:
    base = ta or tb
    if base is None:
        return None
    a_kids = ta.children if ta and isinstance(ta.children, list) else []
    b_kids = tb.children if tb and isinstance(tb.children, list) else []
    if len(a_kids) != na or len(b_kids) != nb:
        return LocTree(base.loc)
    return LocTree(base.loc, [*a_kids, *b_kids])


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a sequence"
    return "a scalar"
