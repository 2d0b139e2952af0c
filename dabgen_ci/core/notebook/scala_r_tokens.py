"""Tokens and call sites of Scala and R cells (no parser: these languages are rare in
notebooks and only calls with literal arguments matter).

A :class:`CallSite` is ``callee(args)`` with its dotted callee (``spark.read.table`` in
Scala; R names already hold dots: ``dbutils.widgets.text``), the words of the fluent chain
before it (to tell ``spark.read....csv`` from ``df.write....csv``) and its top-level
arguments, each possibly named (``scope = "x"``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_COMMON = r"""
    |(?P<word>{word})
    |(?P<num>\d[\w.]*)
    |(?P<punct>->|<-|.)
"""
_SCALA = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<string>(?:[sf]|raw)?\"\"\".*?(?:\"\"\"|\Z)|(?:[sf]|raw)?"(?:[^"\\\n]|\\.)*"?)
    |(?P<char>'(?:[^'\\\n]|\\.)')"""
    + _COMMON.format(word=r"[A-Za-z_]\w*"),
    re.S | re.X,
)
_R = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<string>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)"""
    + _COMMON.format(word=r"[A-Za-z.][\w.]*(?:::[A-Za-z.][\w.]*)?"),
    re.S | re.X,
)
_INTERPOLATION = re.compile(r"\$\{([^}]*)\}|\$([A-Za-z_]\w*)")
_STOP = frozenset({"=", ";", "{", "}", "<-", ",", "val", "var", "def"})


@dataclass(frozen=True)
class Token:
    kind: str  # word | string | char | num | punct
    value: str
    line: int

    def text(self) -> str:
        """A string's value; Scala ``s""``/``f""`` holes become ``{expr}``."""
        value = self.value
        interpolated = value[:1] in ("s", "f") or value.startswith("raw")
        value = value[3:] if value.startswith("raw") else value.lstrip("sf")
        quote = '"""' if value.startswith('"""') else value[:1]
        body = value[len(quote):]
        body = body[: -len(quote)] if body.endswith(quote) else body
        if interpolated:
            body = _INTERPOLATION.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", body)
        return body.replace('\\"', '"').replace("\\'", "'") if quote != '"""' else body


@dataclass(frozen=True)
class CallSite:
    callee: str
    chain: tuple[str, ...]
    args: tuple[tuple[str | None, tuple[Token, ...]], ...]
    line: int

    def arg(self, position: int | None, *names: str) -> tuple[Token, ...] | None:
        for name, tokens in self.args:
            if name is not None and name in names:
                return tokens
        positional = [tokens for name, tokens in self.args if name is None]
        if position is not None and position < len(positional):
            return positional[position]
        return None

    def string(self, position: int | None, *names: str) -> str | None:
        tokens = self.arg(position, *names)
        return tokens[0].text() if tokens and len(tokens) == 1 and tokens[0].kind == "string" \
            else None

    def strings(self) -> list[str]:
        return [t[0].text() for _, t in self.args if len(t) == 1 and t[0].kind == "string"]


def tokenize(code: str, language: str, first_line: int) -> list[Token]:
    pattern = _SCALA if language == "SCALA" else _R
    starts = [0] + [m.end() for m in re.finditer("\n", code)]
    tokens = []
    for match in pattern.finditer(code):
        kind = match.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            line = first_line + bisect.bisect_right(starts, match.start()) - 1
            tokens.append(Token(kind, match.group(), line))
    return tokens


def call_sites(tokens: list[Token]) -> list[CallSite]:
    sites = []
    for index, token in enumerate(tokens[:-1]):
        if token.kind == "word" and tokens[index + 1].value == "(":
            callee = _callee(tokens, index)
            sites.append(CallSite(callee, _chain(tokens, index), _args(tokens, index + 1),
                                  token.line))
    return sites


def _callee(tokens: list[Token], index: int) -> str:
    parts = [tokens[index].value]
    while index >= 2 and tokens[index - 1].value == "." and tokens[index - 2].kind == "word":
        index -= 2
        parts.insert(0, tokens[index].value)
    if index >= 1 and tokens[index - 1].value == ".":
        parts.insert(0, "")  # a method called on a call's result: ``.load``
    return ".".join(parts)


def _chain(tokens: list[Token], index: int) -> tuple[str, ...]:
    """Words of the fluent expression before ``tokens[index]``, nearest last."""
    words: list[str] = []
    depth = 0
    for token in reversed(tokens[:index]):
        if token.value == ")":
            depth += 1
        elif token.value == "(":
            depth -= 1
            if depth < 0:
                break
        elif depth == 0 and token.kind == "word" and token.value not in _STOP:
            words.append(token.value)
        elif depth == 0 and token.value in _STOP:
            break
    return tuple(reversed(words))


def _args(tokens: list[Token], open_index: int) -> tuple[tuple[str | None, tuple[Token, ...]], ...]:
    args: list[list[Token]] = [[]]
    depth = 0
    for token in tokens[open_index:]:
        if token.value in ("(", "[", "{"):
            depth += 1
            if depth == 1:
                continue
        elif token.value in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                break
        if depth == 1 and token.value == ",":
            args.append([])
        else:
            args[-1].append(token)
    named: list[tuple[str | None, tuple[Token, ...]]] = []
    for arg in args:
        if len(arg) >= 2 and arg[0].kind == "word" and arg[1].value == "=":
            named.append((arg[0].value, tuple(arg[2:])))
        elif arg:
            named.append((None, tuple(arg)))
    return tuple(named)


def collection_strings(tokens: tuple[Token, ...] | None) -> tuple[str, ...] | None:
    """``Seq("a", "b")``, ``List(..)``, ``Array(..)``, ``c(..)``, ``list(..)``: the strings."""
    if not tokens or tokens[0].value not in ("Seq", "List", "Array", "c", "list"):
        return None
    return tuple(t.text() for t in tokens if t.kind == "string")


def pairs(tokens: tuple[Token, ...] | None) -> tuple[tuple[str, str], ...]:
    """``Map("a" -> "b")`` (Scala) or ``list(a = "b")`` (R) as literal pairs."""
    if not tokens:
        return ()
    found = []
    for i in range(1, len(tokens) - 1):
        key, sep, value = tokens[i - 1], tokens[i].value, tokens[i + 1]
        if sep in ("->", "=") and value.kind == "string" and key.kind in ("string", "word"):
            found.append((key.text() if key.kind == "string" else key.value, value.text()))
    return tuple(found)
