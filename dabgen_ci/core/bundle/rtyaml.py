"""Round-trip YAML for files a person may have edited (pure: text in, text out).

dabgen's own fresh output is written by :mod:`dabgen_ci.core.bundle.yamlfmt`. Once a file is
in a repository, a person may have added comments, reordered keys or quoted values their own
way; an edit (``/dabgen var``, ``/dabgen target add``, a sync merge) must change only what
it means to change. ruamel.yaml in round-trip mode keeps comments, key order and quoting,
and reads YAML 1.2 as the Databricks CLI does (``NO`` stays a string, ``1:20`` stays
``1:20``). New string values go through :func:`scalar`, which quotes exactly what
``yamlfmt`` quotes, so an edited file reads the same in every reader we care about.
"""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from dabgen_ci.core.bundle import yamlfmt
from dabgen_ci.core.limits import yaml_text_problem
from dabgen_ci.errors import BadInputError

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class _AstralEscapes:
    """A stream that writes characters beyond the BMP as ``\\UXXXXXXXX`` escapes."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, data: str) -> None:
        self._stream.write(_ASTRAL.sub(lambda m: f"\\U{ord(m.group()):08X}", data))


class _Emitter(RoundTripEmitter):
    """Double-quoted scalars spelled as yamlfmt (PyYAML) spells them: PyYAML escapes
    characters beyond the BMP (``"\\U0001F600"``) where ruamel writes them raw, and an
    edit must not rewrite every such line of a file it did not mean to touch."""

    def write_double_quoted(self, text: Any, split: Any = True) -> None:
        stream = self.stream
        self.stream = _AstralEscapes(stream)
        try:
            super().write_double_quoted(text, split)
        finally:
            self.stream = stream


def _yaml() -> YAML:
    # A new instance per call: ruamel's YAML objects keep per-document state.
    rt = YAML(typ="rt")
    rt.Emitter = _Emitter
    rt.version = (1, 2)
    rt.preserve_quotes = True
    rt.width = 1 << 30  # never fold a long line
    rt.indent(mapping=2, sequence=4, offset=2)  # "key:\n  - item", as yamlfmt writes
    rt.explicit_start = False
    # ruamel forgets how a null was spelled and writes an empty value; yamlfmt (and the
    # CLI's generator) write `null`, so that is the spelling an edit keeps in our files.
    rt.representer.add_representer(type(None), _represent_null)
    return rt


def _represent_null(representer: Any, _data: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def load(text: str) -> Any:
    """The document as ruamel's commented containers (``CommentedMap``/``CommentedSeq``).

    A document whose aliases would expand past the budget, or that nests too deeply, is
    refused (:class:`BadInputError`) before ruamel builds anything."""
    too_costly = yaml_text_problem(text)
    if too_costly:
        raise BadInputError(f"refusing to read this YAML: {too_costly}")
    return _yaml().load(text)


def dump(document: Any) -> str:
    """Text for a document from :func:`load`; an unedited document gives back its input
    (for the layouts dabgen and people write; tests hold that promise on real files)."""
    out = StringIO()
    rt = _yaml()
    rt.dump(document, out)
    text = out.getvalue()
    # ruamel writes a `%YAML 1.2` directive and `---` when a version is set; the files we
    # edit never had them.
    prefix = "%YAML 1.2\n---\n"
    return text[len(prefix):] if text.startswith(prefix) else text


def scalar(value: object) -> object:
    """A new value as it should be written: strings that some reader would take for
    another type double-quoted, multi-line text as a literal block, the rest as is."""
    if not isinstance(value, str):
        return value
    if yamlfmt.needs_quotes(value):
        return DoubleQuotedScalarString(value)
    if "\n" in value:
        return LiteralScalarString(value)
    return value


def fresh_copy(node: Any) -> Any:
    """A deep copy of ``node`` without its comments (a model for a new entry: the comments
    of the original describe the original). Scalars keep their quoting style."""
    if isinstance(node, CommentedMap):
        copied = CommentedMap()
        for key, value in node.items():
            copied[key] = fresh_copy(value)
        if node.fa.flow_style():
            copied.fa.set_flow_style()
        return copied
    if isinstance(node, CommentedSeq):
        items = CommentedSeq(fresh_copy(value) for value in node)
        if node.fa.flow_style():
            items.fa.set_flow_style()
        return items
    return node


def insert(mapping: CommentedMap, position: int, key: str, value: Any) -> None:
    """Add ``key`` at ``position`` of ``mapping`` the way a person would write it.

    ruamel keeps the blank lines and comments that follow an entry on that entry's last
    value, so a plain insert would put the new entry *after* the blank line that separates
    two sections, and under the comment that introduces the next one. Here the entry before
    keeps its end-of-line comment and the comment lines indented inside it; the blank
    lines and lead comments of what follows move after the new entry; and in a mapping
    whose entries are separated by blank lines (``databricks.yml``) the new one is too.
    """
    keys = list(mapping)
    spaced = _is_spaced(mapping, keys)
    moved = ""
    if position > 0:
        moved = _split_trailing(mapping, keys[position - 1], spaced)
    mapping.insert(position, key, value)
    if moved:
        _set_trailing(mapping, key, "\n" + moved)
    elif spaced and position < len(keys):
        _set_trailing(mapping, key, "\n\n")


def _is_spaced(mapping: CommentedMap, keys: list[Any]) -> bool:
    """Are the entries of ``mapping`` separated by blank lines (all but the last)?"""
    if len(keys) < 2:
        return False
    for key in keys[:-1]:
        token = _trailing_holder(mapping, key)
        if token is None or "\n\n" not in _value(token):
            return False
    return True


def _split_trailing(mapping: CommentedMap, key: Any, spaced: bool) -> str:
    """Cut what follows entry ``key`` down to what belongs to it; return the rest."""
    holder = _trailing_holder(mapping, key)
    if holder is None:
        if spaced:
            _set_trailing(mapping, key, "\n\n")
        return ""
    text = _value(holder)
    end_of_line, _, after = text.partition("\n")
    lines = after.splitlines(keepends=True)
    column = _key_column(mapping, key)
    own = 0
    while own < len(lines) and lines[own].lstrip().startswith("#") \
            and len(lines[own]) - len(lines[own].lstrip()) > column:
        own += 1
    rest = lines[own:]
    blanks = 0
    while blanks < len(rest) and rest[blanks].strip() == "":
        blanks += 1
    separator = ("".join(rest[:blanks]) or "\n") if spaced else ""
    _replace(holder, end_of_line + "\n" + "".join(lines[:own]) + separator)
    return "".join(rest)


def _key_column(mapping: CommentedMap, key: Any) -> int:
    try:
        return int(mapping.lc.key(key)[1])
    except (AttributeError, KeyError, TypeError):
        return 0


def _trailing_holder(container: Any, key: Any) -> tuple[list[Any], int] | None:
    """Where ruamel keeps the comment token that follows entry ``key``, if it has one."""
    value = container[key]
    if isinstance(value, CommentedMap | CommentedSeq) and len(value) \
            and not value.fa.flow_style():
        inner = next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1
        found = _trailing_holder(value, inner)
        if found is not None:
            return found
    slot = 2 if isinstance(container, CommentedMap) else 0
    items = container.ca.items.get(key)
    if items and len(items) > slot and isinstance(items[slot], CommentToken):
        return items, slot
    return None


def _set_trailing(container: Any, key: Any, text: str) -> None:
    """Make ``text`` (starting with the end of the entry's last line) follow entry ``key``."""
    holder = _trailing_holder(container, key)
    if holder is not None:
        _replace(holder, text)
        return
    value = container[key]
    while isinstance(value, CommentedMap | CommentedSeq) and len(value) \
            and not value.fa.flow_style():
        key = next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1
        container, value = value, value[key]
    slot = 2 if isinstance(container, CommentedMap) else 0
    items = container.ca.items.setdefault(key, [None, None, None, None])
    items[slot] = CommentToken(text, CommentMark(0), None)


def _value(holder: tuple[list[Any], int]) -> str:
    items, slot = holder
    return str(items[slot].value)


def _replace(holder: tuple[list[Any], int], text: str) -> None:
    items, slot = holder
    items[slot].value = text
