"""Small evaluations of Python expressions used by the call rules.

Only what can be known without running code: string literals (f-string holes rendered as
``{expr}``), names bound to such literals, dotted names, the chain of attribute names of a
fluent call (``spark.read.format("x").load``) and the imported origin of a name.
"""

from __future__ import annotations

import ast

from dabgen_ci.core.notebook.model import Direction

READ_WORDS = frozenset({"read", "readStream"})
WRITE_WORDS = frozenset({"write", "writeStream", "writeTo"})


def literal(node: ast.AST | None, constants: dict[str, str]) -> str | None:
    """The string value of ``node`` when it is known statically."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_joined_part(part, constants) for part in node.values)
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal(node.left, constants), literal(node.right, constants)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
        node.func.attr == "format"
    ):
        return literal(node.func.value, constants)
    return None


def literal_or_source(node: ast.AST, constants: dict[str, str]) -> str:
    """The literal, else ``{source}`` so a dynamic value still shows what it was."""
    value = literal(node, constants)
    return value if value is not None else "{" + ast.unparse(node) + "}"


def _joined_part(part: ast.expr, constants: dict[str, str]) -> str:
    """An f-string piece: text, a known constant (``{base}`` with ``base = "/mnt"``), or
    ``{expr}`` for anything dynamic."""
    if isinstance(part, ast.Constant):
        return str(part.value)
    if isinstance(part, ast.FormattedValue):
        plain = part.conversion == -1 and part.format_spec is None
        if plain and isinstance(part.value, ast.Name) and part.value.id in constants:
            return constants[part.value.id]
        return "{" + ast.unparse(part.value) + "}"
    return "{" + ast.unparse(part) + "}"


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a plain attribute chain on a name, else ``None``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def chain(node: ast.AST) -> list[str]:
    """Names along a fluent chain, outermost last: ``df.write.mode("x").save`` ->
    ``["df", "write", "mode", "save"]``."""
    names: list[str] = []
    current: ast.AST | None = node
    while current is not None:
        if isinstance(current, ast.Attribute):
            names.append(current.attr)
            current = current.value
        elif isinstance(current, ast.Call):
            current = current.func
        elif isinstance(current, ast.Name):
            names.append(current.id)
            current = None
        else:
            current = None
    return names[::-1]


def chain_mode(node: ast.AST, handles: dict[str, Direction]) -> Direction | None:
    """``read``/``write`` when the chain goes through a reader/writer (or a name bound to one).
    """
    names = chain(node)
    for name in reversed(names):  # the nearest reader/writer wins: read...write.save
        if name in READ_WORDS:
            return "read"
        if name in WRITE_WORDS:
            return "write"
    return handles.get(names[0]) if names else None


def resolve(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """The imported origin of an expression: with ``import xgboost as xgb``, ``xgb.train`` ->
    ``xgboost.train``; calls add ``()``. ``None`` when the base name was not imported."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        base = resolve(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call):
        base = resolve(node.func, aliases)
        return f"{base}()" if base else None
    return None


def argument(call: ast.Call, position: int | None, *names: str) -> ast.expr | None:
    """Positional argument ``position`` or the first keyword among ``names``."""
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    if position is not None and position < len(call.args):
        value = call.args[position]
        return None if isinstance(value, ast.Starred) else value
    return None


def anchor(call: ast.Call) -> int:
    """The line a call is reported on: its method name's line in a multi-line fluent chain
    (``.load(path)`` on its own line), else the call's first line."""
    if isinstance(call.func, ast.Attribute):
        return call.func.end_lineno or call.lineno
    return call.lineno
