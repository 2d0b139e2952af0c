"""Deterministic edits of a bundle's YAML for `/dabgen target add` and `/dabgen var` (pure).

Text in, text out. A bundle on a branch is a file people edit, so it is read and written
through :mod:`dabgen_ci.core.bundle.rtyaml` (ruamel round trip, YAML 1.2 like the
Databricks CLI): only the edited values change; comments, key order, quoting, and every
scalar (`NO`, `on`, `1:20` stay the strings they are) come back as written. New values go
through :func:`rtyaml.scalar`. Only files whose content changes are returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import ScalarString

from dabgen_ci.core.bundle import rtyaml
from dabgen_ci.errors import BadInputError

ROOT_FILE = "databricks.yml"
# Values that name something inside the bundle and must stay literal.
LITERAL_KEYS = frozenset({"task_key", "job_cluster_key", "environment_key"})


@dataclass(frozen=True)
class VarEdit:
    """What `set_variable` did: the changed files and where the literal was replaced."""

    files: dict[str, str]
    replaced: tuple[tuple[str, str], ...]  # (file, YAML path) per replaced occurrence
    declared: str  # "added", "updated" or "unchanged"


def add_target(text: str, name: str, origin: str = ROOT_FILE) -> str:
    """`databricks.yml` text with a target `name`, modelled on `prod` (minus `default`)."""
    data = _load(text, origin)
    targets = data.get("targets")
    if targets is None:  # built whole first: blank lines attach to the last value
        targets = CommentedMap({name: CommentedMap()})
        rtyaml.insert(data, len(data), "targets", targets)
        return _dump(data, text)
    if not isinstance(targets, CommentedMap):
        raise BadInputError(f"{origin}: `targets` is not a mapping; fix it by hand first")
    if name in targets:
        raise BadInputError(f"{origin} already has a target `{name}`")
    model = targets.get("prod")
    new = rtyaml.fresh_copy(model) if isinstance(model, CommentedMap) else CommentedMap()
    new.pop("default", None)
    rtyaml.insert(targets, len(targets), name, new)
    return _dump(data, text)


def set_variable(files: Mapping[str, str], name: str, value: str) -> VarEdit:
    """Turn every `resources` value equal to `value` into `${var.<name>}` and declare it.

    `files` maps bundle-relative YAML paths to their text and must hold `databricks.yml`,
    where the variable is declared (or its default updated) with `value` as default — typed
    like the first replaced occurrence, so `8` stays a number. Only whole values match
    (`main` does not touch `main.sales`), never keys, never the names in `LITERAL_KEYS`.
    A replaced value keeps its quoting (`"team": "main"` → `"team": "${var.team}"`).
    """
    if value == "":
        raise BadInputError("give the value to turn into a variable: `/dabgen var name=value`")
    if ROOT_FILE not in files:
        raise BadInputError(f"the bundle has no {ROOT_FILE}")
    reference = "${var." + name + "}"
    changed: dict[str, str] = {}
    replaced: list[tuple[str, str]] = []
    first: list[Any] = []
    parsed: dict[str, CommentedMap] = {}
    for path in sorted(files):
        data = _load(files[path], path)
        parsed[path] = data
        resources = data.get("resources")
        if isinstance(resources, CommentedMap):
            hits = _replace(resources, value, reference, "resources", first)
            if hits:
                replaced += [(path, where) for where in hits]
                changed[path] = _dump(data, files[path])
    root = parsed[ROOT_FILE]  # already holds its own replacements, if any
    declared = _declare(root, name, _default(first[0] if first else value))
    if declared != "unchanged":
        changed[ROOT_FILE] = _dump(root, files[ROOT_FILE])
    return VarEdit(changed, tuple(replaced), declared)


def _replace(node: Any, value: str, reference: str, where: str, first: list[Any]) -> list[str]:
    hits: list[str] = []
    items = node.items() if isinstance(node, CommentedMap) else enumerate(node)
    for key, child in list(items):
        here = f"{where}.{key}" if isinstance(node, CommentedMap) else f"{where}[{key}]"
        if isinstance(child, CommentedMap | CommentedSeq):
            hits += _replace(child, value, reference, here, first)
        elif key not in LITERAL_KEYS and _matches(child, value):
            if not first:
                first.append(child)
            node[key] = _like(child, reference)
            hits.append(here)
    return hits


def _matches(scalar: Any, value: str) -> bool:
    if isinstance(scalar, str):
        return str(scalar) == value
    if isinstance(scalar, int | float) and not isinstance(scalar, bool):
        return str(scalar) == value
    return False


def _like(old: Any, text: str) -> Any:
    """`text` written the way `old` was: a quoted value stays quoted in the same style."""
    if isinstance(old, ScalarString) and type(old) is not ScalarString:
        return type(old)(text)
    return rtyaml.scalar(text)


def _default(observed: Any) -> Any:
    """The declared default: a string as `rtyaml.scalar` writes new text, a number as is."""
    if isinstance(observed, str):
        return rtyaml.scalar(str(observed))
    return observed


def _declare(root: CommentedMap, name: str, default: Any) -> str:
    variables = root.get("variables")
    if variables is None:  # built whole first: blank lines attach to the last value
        variables = CommentedMap()
        variables[name] = _declaration(default)
        rtyaml.insert(root, _position_after(root, ("include", "bundle")), "variables",
                      variables)
        return "added"
    if not isinstance(variables, CommentedMap):
        raise BadInputError(f"{ROOT_FILE}: `variables` is not a mapping; fix it by hand first")
    current = variables.get(name)
    if isinstance(current, CommentedMap):
        if "lookup" in current:
            raise BadInputError(f"variable `{name}` is a lookup; change it in {ROOT_FILE} by hand")
        if "default" in current and _same(current["default"], default):
            return "unchanged"
        current["default"] = default
        return "updated"
    if current is not None:
        raise BadInputError(f"{ROOT_FILE}: variable `{name}` is not a mapping; fix it by hand")
    rtyaml.insert(variables, len(variables), name, _declaration(default))
    return "added"


def _declaration(default: Any) -> CommentedMap:
    declaration = CommentedMap()
    declaration["default"] = default
    return declaration


def _same(current: Any, default: Any) -> bool:
    """Equal values of the same kind (YAML 1.2: the string "8" is not the number 8)."""
    return isinstance(current, str) == isinstance(default, str) and current == default


def _position_after(data: CommentedMap, anchors: tuple[str, ...]) -> int:
    """Right after the first anchor present, else first."""
    keys = list(data)
    anchor = next((a for a in anchors if a in data), None)
    return keys.index(anchor) + 1 if anchor is not None else 0


def _load(text: str, origin: str) -> CommentedMap:
    try:
        data = rtyaml.load(text)
    except YAMLError as exc:
        raise BadInputError(f"{origin} is not valid YAML: {_first_line(exc)}") from None
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise BadInputError(f"{origin} does not hold a YAML mapping")
    return data


def _dump(data: CommentedMap, original: str) -> str:
    """The edited document; a file that held only comments keeps them above it."""
    text = rtyaml.dump(data)
    if rtyaml.load(original) is None and original.strip():
        return original.rstrip("\n") + "\n" + text
    return text


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
