"""Paths through a ruamel document and the nodes written there (pure).

A path is the merge's (:data:`~dabgen_ci.core.bundle.merge.FieldPath`): mapping keys, and
:class:`~dabgen_ci.core.bundle.merge.Keyed` segments that pick a list element by its key
(a task by ``task_key``). New values are written the way the generator writes them: dumped
with :mod:`~dabgen_ci.core.bundle.yamlfmt` and read back, so quoting and layout match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from dabgen_ci.core.bundle import rtyaml, yamlfmt
from dabgen_ci.core.bundle.merge import FieldPath, Segment
from dabgen_ci.core.bundle.tree import Keyed


def get(node: Any, path: Sequence[str]) -> Any:
    for part in path:
        if not isinstance(node, CommentedMap) or part not in node:
            return None
        node = node[part]
    return node


def descend(node: Any, path: Sequence[Segment]) -> Any:
    for part in path:
        if not has(node, part):
            return None
        node = child(node, part)
    return node if isinstance(node, CommentedMap | CommentedSeq) else None


def has(parent: Any, part: Segment) -> bool:
    if isinstance(part, Keyed):
        return index_of(parent, part) is not None
    return isinstance(parent, CommentedMap) and part in parent


def index_of(parent: Any, part: Keyed) -> int | None:
    if not isinstance(parent, CommentedSeq):
        return None
    for i, item in enumerate(parent):
        if isinstance(item, CommentedMap) and item.get(part.field) == part.value:
            return i
    return None


def child(parent: Any, part: Segment) -> Any:
    if isinstance(part, Keyed):
        index = index_of(parent, part)
        return parent[index] if index is not None else None
    return parent[part]


def delete(parent: Any, part: Segment) -> None:
    if isinstance(part, Keyed):
        index = index_of(parent, part)
        if index is not None:
            del parent[index]
    else:
        del parent[part]


def set_value(parent: Any, part: Segment, value: object, path: FieldPath) -> None:
    if isinstance(part, Keyed):
        index = index_of(parent, part)
        assert index is not None
        parent[index] = element(value, list_name(path))
    else:
        parent[part] = node(value, part, quoted=in_quoted_map(path))


def insert(parent: Any, part: Segment, value: object, order: Sequence[str],
            path: FieldPath) -> None:
    if isinstance(part, Keyed):
        present = [item.get(part.field) for item in parent if isinstance(item, CommentedMap)]
        at = position(present, part.value, order)
        parent.insert(at, element(value, list_name(path)))
    elif isinstance(parent, CommentedMap):
        at = position(list(parent), part, order)
        quoted = in_quoted_map(path)
        key = DoubleQuotedScalarString(part) if quoted else part  # as yamlfmt quotes them
        parent.insert(at, key, node(value, part, quoted=quoted))


def position(present: Sequence[object], new: str, order: Sequence[str]) -> int:
    """Index after the nearest entry that precedes ``new`` in ``order`` (else before the
    nearest that follows it, else at the end)."""
    if new in order:
        at = order.index(new)
        for before in reversed(order[:at]):
            if before in present:
                return present.index(before) + 1
        for after in order[at + 1:]:
            if after in present:
                return present.index(after)
    return len(present)


def list_name(path: FieldPath) -> str:
    return str(path[-2]) if len(path) >= 2 and isinstance(path[-2], str) else "items"


def in_quoted_map(path: FieldPath) -> bool:
    return len(path) >= 2 and path[-2] in yamlfmt.QUOTED_MAPS


def node(value: object, key: str, *, quoted: bool = False) -> object:
    """``value`` as the ruamel node of ``key``, written the way the generator writes it."""
    if isinstance(value, dict | list):
        return rtyaml.load(yamlfmt.dump({key: value}))[key]
    if quoted and isinstance(value, str):
        return DoubleQuotedScalarString(value)
    return rtyaml.scalar(value)


def element(value: object, list_name: str) -> object:
    """``value`` as a new element of the list ``list_name`` (a task, a job cluster…)."""
    return rtyaml.load(yamlfmt.dump({list_name: [value]}))[list_name][0]
