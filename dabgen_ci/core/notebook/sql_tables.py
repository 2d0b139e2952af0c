"""Which tables and paths one SQL statement reads or writes.

The statement's first words decide the written table (INSERT INTO, MERGE INTO, UPDATE,
DELETE FROM, CREATE TABLE/VIEW, COPY INTO, DROP/ALTER/TRUNCATE/OPTIMIZE/VACUUM); every FROM,
JOIN and MERGE ... USING outside a function call such as ``EXTRACT(YEAR FROM d)`` names a
table read. CTE names are local to the statement; temporary views are returned so the
caller can treat them as local to the notebook.
"""

from __future__ import annotations

from dabgen_ci.core.notebook.common import looks_like_path
from dabgen_ci.core.notebook.model import PathRef, TableRef
from dabgen_ci.core.notebook.sql_tokens import Token

Record = TableRef | PathRef

_NAME_KINDS = frozenset({"word", "quoted", "var", "brace"})
_CREATE_MODIFIERS = frozenset({
    "OR", "REPLACE", "GLOBAL", "TEMPORARY", "TEMP", "EXTERNAL", "STREAMING", "MATERIALIZED",
    "LIVE",
})
_KIND_MODIFIERS = ("EXTERNAL", "STREAMING", "MATERIALIZED", "LIVE")
_NOT_TABLES = frozenset({"SELECT", "VALUES", "LATERAL", "UNNEST", "WITH"})
_CLAUSES = frozenset({
    "WHERE", "GROUP", "ORDER", "JOIN", "LEFT", "RIGHT", "INNER", "OUTER", "FULL", "CROSS",
    "ON", "USING", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "HAVING", "WINDOW", "LATERAL",
    "PIVOT", "UNPIVOT", "TABLESAMPLE", "VERSION", "TIMESTAMP", "NATURAL", "ANTI", "SEMI",
    "WHEN", "SET", "QUALIFY", "CLUSTER", "DISTRIBUTE", "SORT", "WITH", "FILEFORMAT", "AS",
})
_STATEMENTS = frozenset({"SELECT", "INSERT", "MERGE", "UPDATE", "DELETE"})
_FROM_FUNCTIONS = frozenset({"EXTRACT", "TRIM", "SUBSTRING", "SUBSTR", "OVERLAY", "POSITION"})
_SIMPLE_WRITES = {
    ("TRUNCATE", "TABLE"): "TRUNCATE TABLE", ("DROP", "TABLE"): "DROP TABLE",
    ("DROP", "VIEW"): "DROP VIEW", ("ALTER", "TABLE"): "ALTER TABLE",
    ("ALTER", "VIEW"): "ALTER VIEW", ("REFRESH", "TABLE"): "REFRESH TABLE",
}


def read_name(tokens: list[Token], index: int) -> tuple[str, int] | None:
    """A possibly qualified name at ``index``: ``(name, index after it)``.

    Adjacent pieces join (``${env}_bronze``), backquotes are removed and
    ``IDENTIFIER(:catalog || '.s.t')`` gives ``{:catalog}.s.t``.
    """
    parts: list[str] = []
    while index < len(tokens):
        token = tokens[index]
        if token.upper == "IDENTIFIER" and _at(tokens, index + 1) == "(":
            end = _after_parens(tokens, index + 1)
            parts.append("".join(_identifier_piece(t) for t in tokens[index + 2:end - 1]))
            index = end
        elif token.kind in _NAME_KINDS:
            piece, index = token.text(), index + 1
            while index < len(tokens) and tokens[index].start == tokens[index - 1].end and (
                tokens[index].kind in ("word", "var", "brace", "num")
            ):
                piece, index = piece + tokens[index].text(), index + 1
            parts.append(piece)
        else:
            break
        if _at(tokens, index) != "." or index + 1 >= len(tokens):
            break
        if tokens[index + 1].kind not in _NAME_KINDS:
            break
        index += 1
    return (".".join(parts), index) if parts else None


def _identifier_piece(token: Token) -> str:
    """Part of an ``IDENTIFIER(...)`` expression: strings and names as written, parameter
    markers as ``{:name}``, operators such as ``||`` dropped."""
    if token.kind == "param":
        return "{:" + token.value + "}"
    return token.text() if token.kind in ("string", "var", "brace", "quoted") else ""


def _at(tokens: list[Token], index: int) -> str:
    return tokens[index].value if index < len(tokens) else ""


def _after_parens(tokens: list[Token], open_index: int) -> int:
    depth = 0
    for index in range(open_index, len(tokens)):
        value = tokens[index].value if tokens[index].kind == "punct" else ""
        depth += (value == "(") - (value == ")")
        if depth == 0:
            return index + 1
    return len(tokens)


def statement_tables(tokens: list[Token]) -> tuple[list[Record], set[str]]:
    """Table/path records of one statement and the temporary views it creates."""
    records: list[Record] = []
    views: set[str] = set()
    body = _after_with(tokens)
    head_end = body + _head(tokens[body:], records, views)
    records += _reads(tokens, range(body, head_end), _cte_names(tokens))
    records += [r for r in _locations(tokens) if tokens[0].upper in ("CREATE", "ALTER")]
    return records, views


def _after_with(tokens: list[Token]) -> int:
    """Index of the statement proper after a leading ``WITH`` list of CTEs (0 without)."""
    if tokens[0].upper != "WITH":
        return 0
    depth = 0
    for index, token in enumerate(tokens):
        if token.kind == "punct" and token.value in "()":
            depth += 1 if token.value == "(" else -1
        elif depth == 0 and token.upper in _STATEMENTS:
            return index
    return 0


def _skip(tokens: list[Token], index: int, words: frozenset[str] | tuple[str, ...]) -> int:
    while index < len(tokens) and tokens[index].upper in words:
        index += 1
    return index


def _head(tokens: list[Token], records: list[Record], views: set[str]) -> int:
    """The written target of the statement; returns where the FROM/JOIN scan starts."""
    first = tokens[0].upper
    second = tokens[1].upper if len(tokens) > 1 else ""
    if first == "CREATE" and second != "WIDGET":
        index = _skip(tokens, 1, _CREATE_MODIFIERS)
        modifiers = {t.upper for t in tokens[1:index]}
        if _at(tokens, index).upper() not in ("TABLE", "VIEW"):
            return 0
        kind = tokens[index].upper
        index = _skip(tokens, index + 1, ("IF", "NOT", "EXISTS"))
        found = read_name(tokens, index)
        if found and modifiers & {"TEMPORARY", "TEMP"}:
            views.add(found[0])
        elif found:
            kinds = [t.upper for t in tokens[1:index] if t.upper in _KIND_MODIFIERS]
            via = " ".join(["CREATE", *kinds, kind])
            records.append(TableRef(tokens[index].line, found[0], "write", via))
        return found[1] if found else index
    if first == "INSERT" and second in ("INTO", "OVERWRITE"):
        return _insert(tokens, second, records)
    if first == "DELETE" and second == "FROM":
        return _write_at(tokens, 2, "DELETE FROM", records)
    if first in ("MERGE", "COPY") and second == "INTO":
        return _write_at(tokens, 2, f"{first} INTO", records)
    if first == "UPDATE":
        return _write_at(tokens, 1, "UPDATE", records)
    if first in ("OPTIMIZE", "VACUUM"):
        return _write_at(tokens, 1, first, records)
    if (first, second) in _SIMPLE_WRITES:
        index = _skip(tokens, 2, ("IF", "EXISTS"))
        return _write_at(tokens, index, _SIMPLE_WRITES[(first, second)], records)
    return 0


def _insert(tokens: list[Token], second: str, records: list[Record]) -> int:
    index = _skip(tokens, 2, ("TABLE", "LOCAL"))
    if _at(tokens, index).upper() == "DIRECTORY" and index + 1 < len(tokens):
        path = tokens[index + 1]
        if path.kind == "string":
            records.append(PathRef(path.line, path.text(), "write", "INSERT OVERWRITE DIRECTORY"))
        return index + 2
    return _write_at(tokens, index, f"INSERT {second}", records)


def _write_at(tokens: list[Token], index: int, via: str, records: list[Record]) -> int:
    found = read_name(tokens, index)
    if not found:
        return index
    path = _format_path(found[0])
    line = tokens[index].line
    records.append(PathRef(line, path, "write", via) if path else TableRef(line, found[0],
                                                                          "write", via))
    return found[1]


def _format_path(name: str) -> str | None:
    """``delta.`/mnt/x``` names a path, not a table."""
    _, _, rest = name.partition(".")
    return rest if looks_like_path(rest) else None


def _cte_names(tokens: list[Token]) -> set[str]:
    names = set()
    for index in range(2, len(tokens) - 1):
        opens = tokens[index].upper == "AS" and tokens[index + 1].value == "("
        before = tokens[index - 2]
        if opens and (before.upper in ("WITH", "RECURSIVE") or before.value == ","):
            names.add(tokens[index - 1].text().lower())
    return names


def _reads(tokens: list[Token], head: range, ctes: set[str]) -> list[Record]:
    """Sources of FROM/JOIN/MERGE USING outside the head (the written target)."""
    records: list[Record] = []
    openers: list[str] = []  # the word before each open parenthesis
    merge = tokens[0].upper == "MERGE"
    for index, token in enumerate(tokens):
        if token.kind == "punct" and token.value in "()":
            if token.value == "(":
                openers.append(tokens[index - 1].upper if index else "")
            elif openers:
                openers.pop()
            continue
        if index in head or (openers and openers[-1] in _FROM_FUNCTIONS):
            continue
        if token.upper in ("FROM", "JOIN") or (merge and token.upper == "USING"):
            via = "MERGE USING" if token.upper == "USING" else token.upper
            records += _source_list(tokens, index + 1, via, ctes)
    return records


def _source_list(tokens: list[Token], index: int, via: str, ctes: set[str]) -> list[Record]:
    """``FROM a x, b AS y``: every named source; subqueries are scanned on their own."""
    records: list[Record] = []
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "string":
            records.append(PathRef(token.line, token.text(), "read", via))
            return records
        if token.upper == "STREAM":
            index += 2 if _at(tokens, index + 1) == "(" else 1
            via = "STREAM"
            continue
        found = read_name(tokens, index) if token.upper not in _NOT_TABLES else None
        if not found or _at(tokens, found[1]) == "(":
            return records
        name, index = found
        path = _format_path(name)
        if path:
            records.append(PathRef(token.line, path, "read", via))
        elif name.lower() not in ctes:
            records.append(TableRef(token.line, name, "read", via))
        index = _skip_alias(tokens, index)
        if _at(tokens, index) != ",":
            return records
        index += 1
    return records


def _skip_alias(tokens: list[Token], index: int) -> int:
    if _at(tokens, index) == ")":
        index += 1  # the closing parenthesis of STREAM(name)
    if _at(tokens, index).upper() == "AS":
        return index + 2
    token = tokens[index] if index < len(tokens) else None
    if token and token.kind in ("word", "quoted") and token.upper not in _CLAUSES:
        return index + 1
    return index


def _locations(tokens: list[Token]) -> list[Record]:
    records: list[Record] = []
    for index, token in enumerate(tokens[:-1]):
        following = tokens[index + 1]
        if token.upper == "LOCATION" and following.kind == "string":
            records.append(PathRef(following.line, following.text(), "write", "LOCATION"))
    return records
