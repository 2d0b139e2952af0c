"""The SQL tokenizer shared by the SQL rules: enough lexing not to be fooled, no parsing.

It understands comments, string literals, backquoted identifiers, ``${var}`` and ``{expr}``
placeholders (notebook variables and f-string holes) and ``:param`` markers, but not ``::``
casts or ``col:field`` JSON paths. Line numbers are notebook lines.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<string>[rR]?'(?:[^'\\]|\\.|'')*(?:'|\Z)|[rR]?"(?:[^"\\]|\\.|"")*(?:"|\Z))
    |(?P<quoted>`(?:[^`]|``)*(?:`|\Z))
    |(?P<var>\$\{[^{}]*\})
    |(?P<brace>\{[^{}]*\})
    |(?P<word>[^\W\d][\w$]*)
    |(?P<num>\d[\w.]*)
    |(?P<punct>::|\|\||.)
    """,
    re.S | re.X,
)
_PARAM_BEFORE = set(" \t\n(,=<>+-*/|")


@dataclass(frozen=True)
class Token:
    kind: str  # word | quoted | string | var | brace | param | num | punct
    value: str
    line: int
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.value.upper() if self.kind == "word" else ""

    def text(self) -> str:
        """Literal value of a string, name of a quoted identifier, else the raw token."""
        if self.kind == "string":
            body = self.value[1:] if self.value[0] in "rR" else self.value
            quote = body[0]
            return body[1:-1].replace(quote * 2, quote) if len(body) > 1 else ""
        if self.kind == "quoted":
            return self.value[1:-1].replace("``", "`")
        return self.value


def tokenize_sql(sql: str, first_line: int = 1) -> list[Token]:
    """Tokens without whitespace/comments; lines are notebook lines."""
    starts = [0] + [m.end() for m in re.finditer("\n", sql)]
    tokens: list[Token] = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        start, value = match.start(), match.group()
        line = first_line + bisect.bisect_right(starts, start) - 1
        if kind == "punct" and value == ":" and _is_param_marker(sql, start):
            name = re.match(r"[^\W\d]\w*", sql[start + 1:])
            if name:
                tokens.append(Token("param", name.group(), line, start, start + 1 + name.end()))
                continue
        if tokens and tokens[-1].kind == "param" and start < tokens[-1].end:
            continue  # the name part of a parameter marker
        tokens.append(Token(kind, value, line, start, match.end()))
    return tokens


def _is_param_marker(sql: str, at: int) -> bool:
    before = sql[at - 1] if at else " "
    after = sql[at + 1:at + 2]
    return before in _PARAM_BEFORE and after != ":" and bool(after) and not after.isdigit()


def split_statements(tokens: list[Token]) -> list[list[Token]]:
    """Statements separated by ``;`` (empty ones dropped)."""
    out: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "punct" and token.value == ";":
            out.append([])
        else:
            out[-1].append(token)
    return [s for s in out if s]


