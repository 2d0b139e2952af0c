"""SQL cells and SQL strings: widgets, parameters, secrets, tables and paths.

Built on a small tokenizer (:mod:`analyze_sql_tokens`) and statement rules
(:mod:`analyze_sql_tables`), not on a SQL parser: notebooks hold Spark SQL with ``${var}``
substitutions and f-string holes that no strict parser accepts, and only the names that
introduce a table or a path matter here.
"""

from __future__ import annotations

import re

from dabgen_ci.core.notebook.common import Collector
from dabgen_ci.core.notebook.model import (
    ParameterRef,
    PathRef,
    SecretRef,
    StreamingUse,
    TableRef,
    Widget,
)
from dabgen_ci.core.notebook.sql_tables import statement_tables
from dabgen_ci.core.notebook.sql_tokens import Token, split_statements, tokenize_sql

_LEGACY_VAR = re.compile(r"\$\{(\w+)\}")
_WIDGET_TYPES = {
    "TEXT": "text", "DROPDOWN": "dropdown", "COMBOBOX": "combobox", "MULTISELECT": "multiselect",
}


def analyze_sql(sql: str, first_line: int, out: Collector) -> None:
    """Findings of SQL text whose first line is notebook line ``first_line``."""
    tokens = tokenize_sql(sql, first_line)
    for statement in split_statements(tokens):
        _widget(statement, out)
        _references(statement, out)
        records, views = statement_tables(statement)
        out.temp_views.update(views)
        for record in records:
            out.add("paths" if isinstance(record, PathRef) else "tables", record)
            if isinstance(record, TableRef) and record.via == "STREAM":
                out.add("streaming", StreamingUse(record.line, "readStream", record.name))
    for token in tokens:
        if token.kind == "string":
            out.mention(token.line, token.text())


def _widget(tokens: list[Token], out: Collector) -> None:
    """``CREATE WIDGET TEXT x DEFAULT 'y'`` and ``... DROPDOWN x DEFAULT 'a' CHOICES ...``.

    Choices given by a query are read as the string literals of that query (the common
    ``SELECT * FROM (VALUES ('a'), ('b'))`` form); other queries give an empty tuple.
    """
    words = [t.upper for t in tokens[:3]]
    if words[:2] != ["CREATE", "WIDGET"] or len(tokens) < 4 or words[2] not in _WIDGET_TYPES:
        return
    uppers = [t.upper for t in tokens]
    default = None
    if "DEFAULT" in uppers:
        at = uppers.index("DEFAULT") + 1
        if at < len(tokens) and tokens[at].kind == "string":
            default = tokens[at].text()
    choices = None
    if "CHOICES" in uppers:
        rest = tokens[uppers.index("CHOICES") + 1:]
        choices = tuple(t.text() for t in rest if t.kind == "string")
    name = tokens[3]
    out.add("widgets", Widget(name.line, name.text(), _WIDGET_TYPES[words[2]], default, choices))


def _references(tokens: list[Token], out: Collector) -> None:
    """Parameter markers, legacy ``${x}``, ``getArgument('x')``, ``secret('s', 'k')`` and
    ``read_files('path')``."""
    for index, token in enumerate(tokens):
        if token.kind == "param":
            out.add("parameter_refs", ParameterRef(token.line, token.value, ":param"))
        elif token.kind in ("var", "string"):
            for name in _LEGACY_VAR.findall(token.value):
                out.add("parameter_refs", ParameterRef(token.line, name, "${}"))
        elif token.kind == "word" and index + 1 < len(tokens) and tokens[index + 1].value == "(":
            _function_call(token, _string_args(tokens, index + 2), out)


def _function_call(token: Token, args: list[str], out: Collector) -> None:
    lowered = token.value.lower()
    if lowered == "getargument" and args:
        out.add("parameter_refs", ParameterRef(token.line, args[0], "getArgument"))
    elif lowered == "secret" and len(args) >= 2:
        out.add("secrets", SecretRef(token.line, args[0], args[1], "sql"))
    elif lowered in ("read_files", "cloud_files") and args:
        out.add("paths", PathRef(token.line, args[0], "read", lowered))


def _string_args(tokens: list[Token], start: int) -> list[str]:
    """Leading string-literal arguments of a call whose ``(`` is just before ``start``."""
    args: list[str] = []
    index = start
    while index < len(tokens) and tokens[index].kind == "string":
        args.append(tokens[index].text())
        if index + 1 >= len(tokens) or tokens[index + 1].value != ",":
            break
        index += 2
    return args
