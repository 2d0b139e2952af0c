"""The server's safety policy: read-only unless started with ``--allow-writes``, SQL read
classification, and local paths confined to ``--root``.

Pure functions (the path check, :mod:`dabgen_ci.core.paths`, reads the file system only
to resolve symlinks). The SQL
check is deliberately conservative: a statement is a read only if every way Databricks
could tokenise it (backslash escapes on or off, nested block comments or not) yields one
statement that starts with a read keyword and holds no write keyword; anything else is
refused, never guessed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from dabgen_ci.core import paths
from dabgen_ci.errors import PermissionDeniedError

READ_KEYWORDS = frozenset({"SELECT", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "WITH", "VALUES",
                           "LIST"})
WRITE_KEYWORDS = frozenset({
    "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "CREATE", "DROP", "ALTER", "TRUNCATE",
    "REPLACE", "RENAME", "GRANT", "REVOKE", "DENY", "COPY", "PUT", "REMOVE", "OPTIMIZE",
    "VACUUM", "RESTORE", "REFRESH", "CACHE", "UNCACHE", "CLEAR", "MSCK", "REPAIR", "SET",
    "RESET", "USE", "CALL", "EXEC", "EXECUTE", "LOAD", "ANALYZE", "COMMENT", "ATTACH",
    "DETACH", "PRAGMA", "REINDEX", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE",
    "DECLARE", "SYNC", "UNSET", "CLONE", "INTO", "OVERWRITE",
})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SqlVerdict(NamedTuple):
    is_read: bool
    reason: str  # why it is not a read (empty when it is)


def write_refusal(action: str) -> PermissionDeniedError:
    """The one message every refused write gets: what was refused and how to allow it."""
    return PermissionDeniedError(
        f"{action} is a write and dabgen-mcp is read-only; restart it with --allow-writes "
        "to allow writes"
    )


def require_writes(allow_writes: bool, action: str) -> None:
    if not allow_writes:
        raise write_refusal(action)


# -- SQL --------------------------------------------------------------------------------------


def classify_sql(statement: str) -> SqlVerdict:
    """Whether ``statement`` is a single read-only statement under every tokenisation."""
    verdicts = [_classify(statement, backslash, nested)
                for backslash in (True, False) for nested in (True, False)]
    refused = [v for v in verdicts if not v.is_read]
    return refused[0] if refused else verdicts[0]


def _classify(statement: str, backslash: bool, nested: bool) -> SqlVerdict:
    try:
        statements = _split(statement, backslash=backslash, nested=nested)
    except ValueError as exc:
        return SqlVerdict(False, str(exc))
    if not statements:
        return SqlVerdict(False, "the statement is empty")
    if len(statements) > 1:
        return SqlVerdict(False, "only one statement may be run at a time")
    words = statements[0]
    first = words[0][0]
    if first not in READ_KEYWORDS:
        return SqlVerdict(False, f"{first} statements are not reads")
    allowed = {"CREATE"} if first == "SHOW" and words[1:2] and words[1][0] == "CREATE" else set()
    for word, is_call in words[1:]:
        if word in WRITE_KEYWORDS and word not in allowed and not is_call:
            return SqlVerdict(False, f"a {first} statement containing {word} is not a read")
    return SqlVerdict(True, "")


def _split(sql: str, *, backslash: bool, nested: bool) -> list[list[tuple[str, bool]]]:
    """Statements as lists of (UPPER keyword, followed-by-paren) outside literals/comments."""
    statements: list[list[tuple[str, bool]]] = [[]]
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"`":
            i = _skip_quoted(sql, i, backslash=backslash and ch != "`")
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            i = _skip_block_comment(sql, i, nested=nested)
        elif ch == ";":
            statements.append([])
            i += 1
        elif _WORD.match(sql, i):
            word = _WORD.match(sql, i)
            assert word is not None
            i = word.end()
            rest = sql[i:].lstrip()
            statements[-1].append((word.group().upper(), rest.startswith("(")))
        else:
            i += 1
    return [s for s in statements if s]


def _skip_quoted(sql: str, start: int, *, backslash: bool) -> int:
    quote, i = sql[start], start + 1
    while i < len(sql):
        if backslash and sql[i] == "\\":
            i += 2
            continue
        if sql[i] == quote:
            return i + 1
        i += 1
    raise ValueError("the statement has an unterminated quoted string or identifier")


def _skip_block_comment(sql: str, start: int, *, nested: bool) -> int:
    depth, i = 1, start + 2
    while i < len(sql):
        if sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        elif nested and sql.startswith("/*", i):
            depth += 1
            i += 2
        else:
            i += 1
    raise ValueError("the statement has an unterminated /* comment")


# -- paths ------------------------------------------------------------------------------------


def confine(root: Path, user_path: str, *, what: str = "path") -> Path:
    """``user_path`` (relative to ``root``, or absolute inside it) resolved by the one
    confinement rule (:func:`dabgen_ci.core.paths.confine`); the root itself is allowed."""
    real_root = root.resolve()
    try:
        return paths.confine(real_root, user_path, what=what, allow_absolute=True,
                             allow_self=True, where=f"the server root {real_root}")
    except paths.PathRefused as exc:
        raise paths.PathRefused(f"{exc}; use a path inside it (restart dabgen-mcp with "
                                "--root to change the root)") from None


def relative_to_root(root: Path, path: Path) -> str:
    """How a confined path is shown back to the model: relative to the root when possible."""
    rel = path.relative_to(root.resolve())
    return rel.as_posix() if rel.parts else "."
