"""A direct YAML emitter for dabgen's own documents: the bytes PyYAML would write, ~10x faster.

PyYAML's pure-Python emitter was the largest single cost of rendering a 1,000-job bundle
(representer → serializer → event state machine, per node). dabgen's documents are a
restricted shape — maps with string keys, lists, strings, ints, floats, booleans and null —
written in one block style (see :mod:`dabgen_ci.core.bundle.yamlfmt`), so they can be
written directly. Exactness is by construction, not by imitation: which style a scalar gets
is decided by PyYAML's own ``Emitter.analyze_scalar`` (skipped for text of a few safe
characters, which the tests prove it always finds plain-safe) and the same choice rules
(``choose_scalar_style``), and the writers below are ports of PyYAML's for a line width
that never folds. Anything outside the shape (a key that PyYAML would write as a complex
``?`` key, a non-string key, an unknown type, a top-level scalar, a keep-chomped literal)
returns ``None`` and the caller uses PyYAML itself. The tests compare both writers byte for
byte on the property-test corpus and on random documents.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable

import yaml
from yaml.emitter import Emitter

_BREAKS = "\n\x85\u2028\u2029"
_ESCAPES = Emitter.ESCAPE_REPLACEMENTS
_FLOAT_TAG = "tag:yaml.org,2002:float"
# check_simple_key counts the key's text plus its prepared tag ("!!str"): 128 is the limit.
_MAX_SIMPLE_KEY = 128 - len("!!str")
_INDENT = 2
# Text PyYAML's analysis always finds non-empty, single-line and fit to write plain: no
# indicator, quote, break or special character, no leading or trailing space, and (checked
# apart) not a ``...`` document marker. Most strings of a bundle (keys, names, paths) are
# such; analysing them (a Python loop per character) was a quarter of the emitter's time.
_PLAIN = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./ -]*(?<! )\Z")


class Unsupported(Exception):
    """The document leaves dabgen's restricted shape: let PyYAML write it."""


class FastEmitter:
    """``emit(data, quoted_maps)`` → the text ``yamlfmt``'s PyYAML dumper would produce."""

    def __init__(self, needs_quotes: Callable[[str], bool],
                 resolver: Callable[[str], str]) -> None:
        self._needs_quotes = needs_quotes
        self._resolve = resolver  # implicit tag PyYAML gives a plain scalar's text
        self._analyzer = Emitter(io.StringIO(), allow_unicode=True)  # analyses, never writes
        self._style = functools.lru_cache(maxsize=1 << 16)(self._choose_style)

    def emit(self, data: object, quoted_maps: frozenset[str]) -> str | None:
        """The YAML text, or ``None`` when only PyYAML can say how it would write ``data``."""
        out: list[str] = []
        try:
            if isinstance(data, dict) and data:
                self._mapping(out, data, 0, quoted_maps, first_inline=False)
            elif isinstance(data, list) and data:
                self._sequence(out, data, 0, quoted_maps, first_inline=False)
            else:
                return None
        except Unsupported:
            return None
        out.append("\n")
        return "".join(out)

    # -- containers ---------------------------------------------------------------------

    def _mapping(self, out: list[str], mapping: dict[object, object], indent: int,
                 quoted_maps: frozenset[str], *, first_inline: bool, quote: bool = False
                 ) -> None:
        """Keys at column ``indent``; the first on the current line after ``- ``."""
        pad = " " * indent
        for n, (key, value) in enumerate(mapping.items()):
            if type(key) is not str:
                raise Unsupported
            if n or not first_inline:
                out.append(f"\n{pad}" if out else pad)
            style = self._style(key, quote, True)
            out.append(self._inline(key, style))
            out.append(":")
            child_quote = quote is False and key in quoted_maps and isinstance(value, dict)
            child_maps = quoted_maps if not quote else frozenset()
            self._value(out, value, indent, child_maps, quote=quote, quote_map=child_quote)

    def _sequence(self, out: list[str], items: list[object], indent: int,
                  quoted_maps: frozenset[str], *, first_inline: bool) -> None:
        """``- `` markers at column ``indent``; the first on the current line."""
        pad = " " * indent
        for n, item in enumerate(items):
            if n or not first_inline:
                out.append(f"\n{pad}-" if out else f"{pad}-")
            else:
                out.append("-")
            self._item(out, item, indent, quoted_maps)

    def _value(self, out: list[str], value: object, indent: int,
               quoted_maps: frozenset[str], *, quote: bool, quote_map: bool) -> None:
        """A mapping value, written after ``key:``."""
        if isinstance(value, dict | list) and type(value) in (dict, list):
            if not value:
                out.append(" {}" if isinstance(value, dict) else " []")
            elif isinstance(value, dict):
                # A quoted map's entries are quoted; containers inside it are written
                # unmarked (yamlfmt marks one level only).
                self._mapping(out, value, indent + _INDENT, quoted_maps, first_inline=False,
                              quote=quote_map)
            else:
                self._sequence(out, value, indent + _INDENT, quoted_maps, first_inline=False)
            return
        out.append(" ")
        out.append(self._scalar(value, indent + _INDENT, quote))

    def _item(self, out: list[str], item: object, indent: int,
              quoted_maps: frozenset[str]) -> None:
        """A sequence item, written after ``-`` at column ``indent``."""
        if isinstance(item, dict | list) and type(item) in (dict, list):
            if not item:
                out.append(" {}" if isinstance(item, dict) else " []")
                return
            out.append(" ")
            if isinstance(item, dict):
                self._mapping(out, item, indent + _INDENT, quoted_maps, first_inline=True)
            else:
                self._sequence(out, item, indent + _INDENT, quoted_maps, first_inline=True)
            return
        out.append(" ")
        out.append(self._scalar(item, indent + _INDENT, False))

    # -- scalars ------------------------------------------------------------------------

    def _scalar(self, value: object, indent: int, quote: bool) -> str:
        """The text after the separating space; literal blocks indented at ``indent``."""
        # Exact types, as PyYAML's representers pick them: a subclass is PyYAML's to write.
        if type(value) is str:
            style = self._style(value, quote, False)
            if style == "|":
                return _literal(value, indent)
            return self._inline(value, style)
        if value is None:
            return "null"
        if type(value) is bool:
            return "true" if value else "false"
        if type(value) is int:
            return str(value)
        if type(value) is float:
            return self._float(value)
        raise Unsupported

    def _inline(self, text: str, style: str) -> str:
        if style == "":
            return text
        if style == "'":
            return "'" + text.replace("'", "''") + "'"
        return _double_quoted(text)

    def _float(self, value: float) -> str:
        """``SafeRepresenter.represent_float``; plain only where PyYAML reads it back."""
        if value != value:
            text = ".nan"
        elif value in (float("inf"), float("-inf")):
            text = ".inf" if value > 0 else "-.inf"
        else:
            text = repr(value).lower()
            if "." not in text and "e" in text:
                text = text.replace("e", ".0e", 1)
        if self._resolve(text) != _FLOAT_TAG:
            raise Unsupported
        return text

    def _choose_style(self, text: str, quote: bool, key: bool) -> str:
        """PyYAML's ``choose_scalar_style`` for yamlfmt's requested style of ``text``.

        yamlfmt requests ``"`` for quoted-map entries and misreadable text, ``|`` for
        multi-line text, nothing otherwise (then the text resolves as a string, so the
        event is implicit). Keys must be simple keys, or PyYAML writes ``? key``.
        """
        if plain_without_analysis(text):
            if key and len(text) >= _MAX_SIMPLE_KEY:
                raise Unsupported
            return '"' if quote or self._needs_quotes(text) else ""
        a = self._analyzer.analyze_scalar(text)
        if key and (a.empty or a.multiline or len(text) >= _MAX_SIMPLE_KEY):
            raise Unsupported
        if quote or self._needs_quotes(text):
            return '"'
        if "\n" in text:
            if key or not a.allow_block:
                return '"'
            if text.endswith("\n\n") or text == "\n":
                raise Unsupported  # keep chomping: PyYAML may end the document with "..."
            return "|"
        if a.allow_block_plain:
            return ""
        return "'" if a.allow_single_quoted else '"'


def plain_without_analysis(text: str) -> bool:
    """``text`` is one PyYAML's analysis finds non-empty, single-line and plain-safe (see
    ``_PLAIN``), told without running it."""
    return _PLAIN.match(text) is not None and not text.startswith("...")


def _double_quoted(text: str) -> str:
    """``Emitter.write_double_quoted`` with ``allow_unicode`` and a width that never folds."""
    parts = ['"']
    start = 0
    for end, ch in enumerate(text):
        if ch in '"\\\x85\u2028\u2029\ufeff' or not (
            "\x20" <= ch <= "\x7e" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"
        ):
            parts.append(text[start:end])
            if ch in _ESCAPES:
                parts.append("\\" + _ESCAPES[ch])
            elif ch <= "\xff":
                parts.append(f"\\x{ord(ch):02X}")
            elif ch <= "\uffff":
                parts.append(f"\\u{ord(ch):04X}")
            else:
                parts.append(f"\\U{ord(ch):08X}")
            start = end + 1
    parts.append(text[start:])
    parts.append('"')
    return "".join(parts)


def _literal(text: str, indent: int) -> str:
    """``Emitter.write_literal`` for text whose only breaks are ``\n`` and that does not end
    in a blank line: ``|`` and its hints, each line at ``indent``, blank lines bare. The
    final line break is left to the caller, who starts every line with one."""
    hints = ("2" if text[0] in " \n" else "") + ("" if text.endswith("\n") else "-")
    body = text[:-1] if text.endswith("\n") else text
    pad = " " * indent
    return f"|{hints}\n" + "\n".join(pad + line if line else "" for line in body.split("\n"))


def make_resolver(dumper: yaml.SafeDumper) -> Callable[[str], str]:
    """The implicit tag ``dumper`` resolves a plain scalar's text to."""
    def resolve(text: str) -> str:
        tag: str = dumper.resolve(yaml.ScalarNode, text, (True, False))
        return tag

    return resolve
