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

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from dabgen_ci.core.bundle.tree import format_path
from dabgen_ci.core.json_types import JsonArray, JsonMapping, JsonObject

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


class LazyLocTree(LocTree):
    """A :class:`LocTree` built by ``build`` on first use, used wherever a LocTree is.

    Most runs never report a line: the locations of a 10,000-job bundle are then never
    built (they were a third of the parse and of the memory). ``build`` must return a tree.
    A subclass, so every reader typed ``LocTree`` takes one; it answers ``loc`` and
    ``children`` from the built tree and leaves the inherited fields unset.
    """

    __slots__ = ("_build", "_tree")
    _build: Callable[[], LocTree | None] | None
    _tree: LocTree | None

    def __init__(self, build: Callable[[], LocTree | None]) -> None:
        # Past the frozen dataclass's __setattr__: these two are this class's own cache.
        object.__setattr__(self, "_build", build)
        object.__setattr__(self, "_tree", None)

    def _get(self) -> LocTree:
        if self._build is not None:
            object.__setattr__(self, "_tree", self._build())
            object.__setattr__(self, "_build", None)
        assert self._tree is not None, "a lazy location tree was built from nothing"
        return self._tree

    @property
    def loc(self) -> Location:
        return self._get().loc

    @property
    def children(self) -> dict[str, LocTree] | list[LocTree] | None:
        return self._get().children


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


def _merge_map(a: JsonMapping, b: JsonMapping, ta: LocTree | None, tb: LocTree | None
               ) -> tuple[JsonObject, LocTree | None]:
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


def merge_all(items: Iterable[tuple[Any, LocTree | None]],
              on_clash: Callable[[int, str], None]) -> tuple[Any, LocTree | None]:
    """Fold :func:`merge` over ``items`` in linear time.

    Merging file after file into a growing configuration would copy the growing maps
    (``resources.jobs`` with every job seen so far) once per file: quadratic in the number
    of files. Here each map is copied once, the first time a later item merges into it,
    and then updated in place; the items themselves are never modified. An item that
    clashes (a map merged with a scalar…) is skipped whole, as :func:`merge` would leave
    the result untouched, and reported through ``on_clash(index, message)``.
    """
    owned: dict[int, object] = {}  # containers this fold created (kept alive: ids stay valid)
    acc: Any = {}
    tree: LocTree | None = None
    for index, (value, value_tree) in enumerate(items):
        problem = _clash(acc, value)
        if problem is not None:
            on_clash(index, problem)
            continue
        acc, tree = _merge_owned(acc, value, tree, value_tree, owned)
    return acc, tree


def _merge_owned(a: Any, b: Any, ta: LocTree | None, tb: LocTree | None,
                 owned: dict[int, object]) -> tuple[Any, LocTree | None]:
    """:func:`merge` that updates maps in ``owned`` in place (``a`` and ``b`` cannot clash)."""
    if a is None:
        return b, tb or ta
    if b is None:
        return a, ta or tb
    if isinstance(a, dict):
        if id(a) not in owned:
            a = dict(a)
            owned[id(a)] = a
        kids = (ta.children if ta is not None and isinstance(ta.children, dict)
                and id(ta.children) in owned else None)
        if kids is None:
            kids = dict(_dict_children(ta))
            owned[id(kids)] = kids
        b_kids = _dict_children(tb)
        for key, value in b.items():
            if key in a:
                a[key], sub = _merge_owned(a[key], value, kids.get(key), b_kids.get(key), owned)
            else:
                a[key], sub = value, b_kids.get(key)
            if sub is not None:
                kids[key] = sub
        base = ta or tb
        return a, (LocTree(base.loc, kids) if base else None)
    return merge(a, b, ta, tb)


def _clash(a: Any, b: Any) -> str | None:
    """The message :func:`merge` would raise for ``a`` and ``b``, found without merging."""
    if a is None or b is None:
        return None
    if isinstance(a, dict):
        if not isinstance(b, dict):
            return f"cannot merge a map with {_kind(b)}"
        for key, value in b.items():
            if key in a:
                problem = _clash(a[key], value)
                if problem is not None:
                    return problem
        return None
    if isinstance(a, list):
        return None if isinstance(b, list) else f"cannot merge a sequence with {_kind(b)}"
    if isinstance(b, dict | list):
        return f"cannot merge {_kind(a)} with {_kind(b)}"
    return None


def merge_elements_by_key(items: JsonArray, tree: LocTree | None, key: str
                          ) -> tuple[JsonArray, LocTree | None]:
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
    trees = [t for k in order if (t := merged[k][1]) is not None]
    if tree is None or len(trees) != len(order):
        return values, tree
    return values, LocTree(tree.loc, trees)


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
