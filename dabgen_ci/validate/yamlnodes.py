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
from typing import Any

import yaml

from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.limits import yaml_node_problem
from dabgen_ci.validate.located import Location, LocTree

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"


class _CoreSchemaLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader whose implicit scalar types are the YAML 1.2 core schema's."""

    yaml_implicit_resolvers: dict = {}  # noqa: RUF012 - PyYAML's class-level registry


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


def parse_yaml(text: str, file: str) -> tuple[Any, LocTree | None, list[Diagnostic]]:
    """Parse one configuration file; on failure return ``None`` and one error diagnostic."""
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
    too_costly = yaml_node_problem(node)  # before a single value is built
    if too_costly:
        return None, None, [_error(f"refusing to read {file}: {too_costly}", file,
                                   node.start_mark.line + 1)]
    builder = _Builder(file)
    try:
        value, tree = builder.build(node, _loc(node, file))
    except YamlError as exc:
        return None, None, [_error(exc.summary, file, exc.loc.line)]
    return value, tree, builder.diagnostics


def _error(summary: str, file: str, line: int | None) -> Diagnostic:
    return Diagnostic("error", summary, file=file, line=line, source="loader")


def _loc(node: yaml.Node, file: str) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns composed nodes into values; aliases are expanded, cycles rejected."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.active: set[int] = set()
        self.diagnostics: list[Diagnostic] = []

    def build(self, node: yaml.Node, loc: Location) -> tuple[Any, LocTree]:
        if id(node) in self.active:
            raise YamlError("cyclic reference to a YAML anchor", loc)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, loc)
            if isinstance(node, yaml.SequenceNode):
                items = [self.build(n, _loc(n, self.file)) for n in node.value]
                return [v for v, _ in items], LocTree(loc, [t for _, t in items])
            return _scalar(node, loc), LocTree(loc)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, loc: Location) -> tuple[dict, LocTree]:
        values: dict[str, Any] = {}
        trees: dict[str, LocTree] = {}
        merge_node: yaml.Node | None = None
        for key_node, value_node in node.value:
            key_loc = _loc(key_node, self.file)
            key = _key(key_node, key_loc)
            if key is None:
                if merge_node is not None:
                    raise YamlError("duplicate YAML merge key ('<<') is not allowed; to merge "
                                    "multiple maps, use a sequence: '<<: [*a, *b]'", key_loc)
                merge_node = value_node
                continue
            if key in values:
                self.diagnostics.append(_error(
                    f"duplicate key {key!r} in a mapping; remove one of them",
                    self.file, key_loc.line))
            value, tree = self.build(value_node, _loc(value_node, self.file))
            values[key] = value
            trees[key] = LocTree(key_loc, tree.children)
        if merge_node is None:
            return values, LocTree(loc, trees)
        return self._merge(merge_node, values, trees, loc)

    def _merge(self, merge_node: yaml.Node, values: dict, trees: dict, loc: Location
               ) -> tuple[dict, LocTree]:
        """``<<:`` — later merged maps win over earlier ones, explicit keys over all."""
        mloc = _loc(merge_node, self.file)
        sources = merge_node.value if isinstance(merge_node, yaml.SequenceNode) else [merge_node]
        out: dict[str, Any] = {}
        out_trees: dict[str, LocTree] = {}
        for src in sources:
            value, tree = self.build(src, _loc(src, self.file))
            if not isinstance(value, dict) or not isinstance(tree.children, dict):
                raise YamlError("map merge requires a map or a sequence of maps", mloc)
            out.update(value)
            out_trees.update(tree.children)
        out.update(values)
        out_trees.update(trees)
        return out, LocTree(loc, out_trees)


def _key(node: yaml.Node, loc: Location) -> str | None:
    """The key's text; ``None`` for a merge key. Non-string keys are rejected like the CLI."""
    if not isinstance(node, yaml.ScalarNode):
        raise YamlError("a mapping key must be a scalar", loc)
    if node.tag == _MERGE:
        return None
    if node.tag not in (_STR, _NULL):
        raise YamlError(f"invalid key {node.value!r}: keys must be strings (quote it)", loc)
    return str(node.value)


def _scalar(node: yaml.Node, loc: Location) -> Any:
    text = node.value
    tag = node.tag
    if tag == _NULL:
        return None
    if tag == _BOOL:
        if text.lower() not in ("true", "false"):
            raise YamlError(f"invalid bool value: {text}", loc)
        return text.lower() == "true"
    if tag == _INT:
        return _int(text, loc)
    if tag == _FLOAT:
        return _float(text, loc)
    if tag in (_STR, "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
        return text
    raise YamlError(f"unknown YAML tag: {tag}", loc)


def _int(text: str, loc: Location) -> int:
    digits = text.lstrip("+-").lstrip("0") or "0"
    sign = -1 if text.startswith("-") else 1
    try:
        return sign * int(digits, 10) if digits.isdigit() else int(text, 0)
    except ValueError:
        raise YamlError(f"invalid int value: {text}", loc) from None


def _float(text: str, loc: Location) -> float:
    lowered = text.lower().lstrip("+")
    if lowered in (".inf", "-.inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise YamlError(f"invalid float value: {text}", loc) from None
