"""The size cap every tool result obeys, and the one way a result is cut to fit it.

A model's context is the scarce resource: one ``get_job`` of a 20 MB job must not fill it.
Tools bound what they fetch (list limits, export bytes, SQL rows); this module is the last
line, applied to every result by the server: when the JSON of a result is over
:data:`MAX_RESULT_BYTES`, its long strings, lists and maps are shortened — evenly, with the
same limits everywhere in the result, halving until it fits — and ``truncated`` is set.
What is kept is the beginning of each (the first tasks, the first lines), so the result
stays the same shape and still reads as what it is. Pure.
"""

from __future__ import annotations

import json
from typing import Any

MAX_RESULT_BYTES = 1024 * 1024
_CUT_MARK = "…[cut by dabgen-mcp]"
_MIN_ITEMS = 16  # never fewer entries than this in a map: a record keeps its fields


def json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8"))


def bound(value: Any, max_bytes: int = MAX_RESULT_BYTES) -> tuple[Any, bool]:
    """``value`` (JSON-like) shortened until its JSON fits ``max_bytes``; and whether it
    was cut."""
    if json_size(value) <= max_bytes:
        return value, False
    chars, items = max_bytes // 4, 4096
    while True:
        cut = _shorten(value, chars, max(items, 1))
        if json_size(cut) <= max_bytes or (chars <= 16 and items <= 1):
            return cut, True
        chars, items = max(chars // 2, 16), max(items // 2, 1)


def _shorten(value: Any, chars: int, items: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= chars else value[:chars] + _CUT_MARK
    if isinstance(value, list):
        return [_shorten(v, chars, items) for v in value[:items]]
    if isinstance(value, dict):
        kept = list(value.items())[: max(items, _MIN_ITEMS)]
        return {k: _shorten(v, chars, items) for k, v in kept}
    return value
