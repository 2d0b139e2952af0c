"""YAML text → plain values plus a location tree, read the way the Databricks CLI reads it.

PyYAML's own constructors follow YAML 1.1 (``on``/``yes`` become booleans, dates become
``datetime``); the CLI's loader (go-yaml v3) follows the YAML 1.2 core schema. So we
compose nodes with safe loading and a 1.2 core resolver, then build values ourselves,
keeping each value's (line, column). Mapping entries are located at their key, as in the
CLI. Nothing here raises on bad input: problems come back as error diagnostics. A document
whose aliases would expand beyond the CLI's own budget, or that nests too deeply, is
refused on its composed nodes, before any value is built (:mod:`dabgen_ci.core.limits`).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import yaml
from yaml.resolver import BaseResolver

from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.core.limits import yaml_node_problem
from dabgen_ci.validate.located import Location, LocTree

if TYPE_CHECKING:  # the same interface either way: a safe constructor and the resolver
    _BaseLoader = yaml.SafeLoader
else:  # libyaml's loader where this PyYAML build has it
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"


class _CoreSchemaLoader(_BaseLoader):
    """Safe loader whose implicit scalar types are the YAML 1.2 core schema's."""

    # PyYAML's class-level registry: first character → [(tag, pattern)].
    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}  # noqa: RUF012

    def resolve(self, kind: type[yaml.Node], value: object, implicit: object) -> str:
        """PyYAML's resolution, remembered per scalar text: a bundle repeats the same keys
        and values thousands of times, and with no path resolvers the tag depends on the
        text alone."""
        if kind is not yaml.ScalarNode:
            return _resolve(self, kind, value, implicit)
        key = (value, implicit)
        tag = _SCALAR_TAGS.get(key)
        if tag is None:
            tag = _resolve(self, kind, value, implicit)
            if len(_SCALAR_TAGS) < _MAX_REMEMBERED:
                _SCALAR_TAGS[key] = tag
        return tag


def _resolve(loader: BaseResolver, kind: type[yaml.Node], value: object, implicit: object
             ) -> str:
    """PyYAML's own resolution (what ``super().resolve`` runs; named, as the stubs leave it
    unannotated)."""
    tag: str = BaseResolver.resolve(loader, kind, value, implicit)
    return tag


_SCALAR_TAGS: dict[tuple[object, object], str] = {}
_MAX_REMEMBERED = 100_000


_RESOLVERS = [
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (_FLOAT, r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
             r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+.0123456789")),
    (_MERGE, r"^<<$", ["<"]),
]
for _tag, _regexp, _first in _RESOLVERS:
    _CoreSchemaLoader.add_implicit_resolver(_tag, re.compile(_regexp), _first)


class YamlError(Exception):
    """A problem that makes the document unusable, with where it is."""

    def __init__(self, summary: str, loc: Location) -> None:
        super().__init__(summary)
        self.summary = summary
        self.loc = loc


def parse_yaml(text: str, file: str, *, locate: bool = True
               ) -> tuple[Any, LocTree | None, list[Diagnostic]]:
    """Parse one configuration file; on failure return ``None`` and one error diagnostic.

    ``locate=False`` builds the values only (the tree is ``None``): most runs never need
    a line number, and the locations are a third of the work and of the memory.
    """
    try:
        node = yaml.compose(text, Loader=_CoreSchemaLoader)
    except RecursionError:
        return None, None, [_error(f"refusing to read {file}: it is nested too deeply",
                                   file, None)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        return None, None, [_error(f"invalid YAML: {problem}", file, line)]
    except yaml.YAMLError as exc:
        return None, None, [_error(f"invalid YAML: {exc}", file, None)]
    if node is None:
        return None, None, []
    # before a single value is built; without an anchor in the text, no node is shared
    too_costly = yaml_node_problem(node, anchors="&" in text)
    if too_costly:
        return None, None, [_error(f"refusing to read {file}: {too_costly}", file,
                                   node.start_mark.line + 1)]
    builder = _Builder(file, locate)
    try:
        value, tree = builder.build(node)
    except YamlError as exc:
        return None, None, [_error(exc.summary, file, exc.loc.line)]
    return value, tree, builder.diagnostics


def literal_text(data: bytes | None) -> str | None:
    """The text of a YAML file when every character of its values is written out in it, so
    what the text lacks no value holds; None when that cannot be told from the bytes.

    YAML spells a character without writing it only through a backslash escape
    (``"\\x24{"``, a double-quoted line continuation), and line folding adds nothing but a
    space or a line break. A NUL means UTF-16 or UTF-32, whose ASCII has other bytes. The
    rules use it to leave the values of most generated job files unwalked.
    """
    if data is None or b"\\" in data or b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _error(summary: str, file: str, line: int | None) -> Diagnostic:
    return Diagnostic("error", summary, file=file, line=line, source="loader")


def _loc(node: yaml.Node, file: str) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns composed nodes into values (and, with ``locate``, their location tree);
    aliases are expanded, cycles rejected."""

    def __init__(self, file: str, locate: bool = True) -> None:
        self.file = file
        self.locate = locate
        self.active: set[int] = set()
        self.diagnostics: list[Diagnostic] = []

    def build(self, node: yaml.Node) -> tuple[Any, LocTree | None]:
        if id(node) in self.active:
            raise YamlError("cyclic reference to a YAML anchor", _loc(node, self.file))
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node)
            if isinstance(node, yaml.SequenceNode):
                items = [self.build(n) for n in node.value]
                values = [v for v, _ in items]
                if not self.locate:
                    return values, None
                trees = [t for _, t in items if t is not None]  # all of them: we locate
                return values, LocTree(_loc(node, self.file), trees)
            value = _scalar(node, self.file)
            return value, LocTree(_loc(node, self.file)) if self.locate else None
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode) -> tuple[JsonObject, LocTree | None]:
        values: dict[str, Any] = {}
        trees: dict[str, LocTree] = {}
        merge_node: yaml.Node | None = None
        for key_node, value_node in node.value:
            key = _key(key_node, self.file)
            if key is None:
                if merge_node is not None:
                    raise YamlError("duplicate YAML merge key ('<<') is not allowed; to merge "
                                    "multiple maps, use a sequence: '<<: [*a, *b]'",
                                    _loc(key_node, self.file))
                merge_node = value_node
                continue
            if key in values:
                self.diagnostics.append(_error(
                    f"duplicate key {key!r} in a mapping; remove one of them",
                    self.file, key_node.start_mark.line + 1))
            value, tree = self.build(value_node)
            values[key] = value
            if tree is not None:
                trees[key] = LocTree(_loc(key_node, self.file), tree.children)
        if merge_node is None:
            return values, LocTree(_loc(node, self.file), trees) if self.locate else None
        return self._merge(node, merge_node, values, trees)

    def _merge(self, node: yaml.Node, merge_node: yaml.Node, values: JsonObject,
               trees: dict[str, LocTree]) -> tuple[JsonObject, LocTree | None]:
        """``<<:`` — later merged maps win over earlier ones, explicit keys over all."""
        sources = merge_node.value if isinstance(merge_node, yaml.SequenceNode) else [merge_node]
        out: dict[str, Any] = {}
        out_trees: dict[str, LocTree] = {}
        for src in sources:
            value, tree = self.build(src)
            children = tree.children if tree is not None else {}
            if not isinstance(value, dict) or not isinstance(children, dict):
                raise YamlError("map merge requires a map or a sequence of maps",
                                _loc(merge_node, self.file))
            out.update(value)
            out_trees.update(children)
        out.update(values)
        out_trees.update(trees)
        return out, LocTree(_loc(node, self.file), out_trees) if self.locate else None


def _key(node: yaml.Node, file: str) -> str | None:
    """The key's text; ``None`` for a merge key. Non-string keys are rejected like the CLI."""
    if not isinstance(node, yaml.ScalarNode):
        raise YamlError("a mapping key must be a scalar", _loc(node, file))
    if node.tag == _MERGE:
        return None
    if node.tag not in (_STR, _NULL):
        raise YamlError(f"invalid key {node.value!r}: keys must be strings (quote it)",
                        _loc(node, file))
    return str(node.value)


def _scalar(node: yaml.Node, file: str) -> Any:
    """The scalar's value; its location is worked out only if it is invalid."""
    try:
        return _scalar_value(node)
    except _InvalidScalar as exc:
        raise YamlError(str(exc), _loc(node, file)) from None


class _InvalidScalar(ValueError):
    pass


def _scalar_value(node: yaml.Node) -> Any:
    text = node.value
    tag = node.tag
    if tag == _NULL:
        return None
    if tag == _BOOL:
        if text.lower() not in ("true", "false"):
            raise _InvalidScalar(f"invalid bool value: {text}")
        return text.lower() == "true"
    if tag == _INT:
        return _int(text)
    if tag == _FLOAT:
        return _float(text)
    if tag in (_STR, "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
        return text
    raise _InvalidScalar(f"unknown YAML tag: {tag}")


def _int(text: str) -> int:
    digits = text.lstrip("+-").lstrip("0") or "0"
    sign = -1 if text.startswith("-") else 1
    try:
        return sign * int(digits, 10) if digits.isdigit() else int(text, 0)
    except ValueError:
        raise _InvalidScalar(f"invalid int value: {text}") from None


def _float(text: str) -> float:
    lowered = text.lower().lstrip("+")
    if lowered in (".inf", "-.inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise _InvalidScalar(f"invalid float value: {text}") from None
