"""``${...}`` references, recognised exactly as the Databricks CLI does (``libs/dyn/dynvar``).

The CLI's pattern uses Unicode classes ``\\p{L}``/``\\p{N}``, so we use the ``regex``
module, which has them, rather than approximating with ``re``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import regex

from dabgen_ci.validate.located import Path
from dabgen_ci.validate.yamlnodes import literal_text

BASE_VAR_DEF = r"\p{L}+([-_]*[\p{L}\p{N}]+)*"
REFERENCE = regex.compile(
    rf"\$\{{({BASE_VAR_DEF}(\.{BASE_VAR_DEF}(\[[0-9]+\])*)*(\[[0-9]+\])*)\}}"
)
_SEGMENT = regex.compile(r"([^.\[\]]+)|\[([0-9]+)\]")


def references(text: str) -> list[str]:
    """The references in ``text``: ``"a ${var.x} ${resources.jobs.y.id}"`` → [var.x, ...]."""
    if "${" not in text:  # most strings: no need to run the pattern
        return []
    return [m.group(1) for m in REFERENCE.finditer(text)]


def may_hold_reference(data: bytes | None) -> bool:
    """Whether a YAML file of these bytes can have a ``${`` in any of its values (None: the
    bytes are not known, so it can; see :func:`~dabgen_ci.validate.yamlnodes.literal_text`).
    A bundle dabgen wrote has most of its job files without any reference: their values
    need not be walked."""
    text = literal_text(data)
    return text is None or "${" in text


def is_pure_reference(text: str) -> bool:
    """True if ``text`` is one reference and nothing else (it may then carry any type)."""
    m = REFERENCE.fullmatch(text)
    return m is not None


def has_reference(text: str) -> bool:
    return "${" in text and REFERENCE.search(text) is not None


def split_reference(ref: str) -> list[str | int]:
    """``var.cluster.tags[0]`` → ``['var', 'cluster', 'tags', 0]``."""
    parts: list[str | int] = []
    for m in _SEGMENT.finditer(ref):
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
    return parts


def walk_strings(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every string leaf below ``value`` with its path (map keys are not included)."""
    stack: list[tuple[Path, Any]] = [(path, value)]
    while stack:
        p, v = stack.pop()
        if isinstance(v, str):
            yield p, v
        elif isinstance(v, dict):
            stack.extend(((*p, k), child) for k, child in v.items())
        elif isinstance(v, list):
            stack.extend(((*p, i), child) for i, child in enumerate(v))


_ROOT = object()


def reference_strings(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """:func:`walk_strings` restricted to strings holding ``${`` (the only ones that can
    hold a reference), in the same order; a path is built only for what it yields."""
    stack: list[tuple[Path, Any, Any]] = [(path, _ROOT, value)]
    while stack:
        parent, key, v = stack.pop()
        if isinstance(v, str):
            if "${" in v:
                yield (parent if key is _ROOT else (*parent, key)), v
        elif isinstance(v, dict):
            here = parent if key is _ROOT else (*parent, key)
            stack.extend((here, k, child) for k, child in v.items())
        elif isinstance(v, list):
            here = parent if key is _ROOT else (*parent, key)
            stack.extend((here, i, child) for i, child in enumerate(v))
