"""Deterministic edits of a bundle's YAML for `/dabgen target add` and `/dabgen var` (pure).

Text in, text out. Files are parsed, edited as data and written back with
:mod:`dabgen_ci.core.bundle.yamlfmt` — the writer that produced them — so a dabgen-generated
file changes only where the edit is (re-dumping it is byte-identical); the comment header
at the top of a file is kept. Only files whose content changes are returned. Comments
inside a hand-edited file are not preserved (PyYAML drops them); the PR diff shows it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from dabgen_ci.core.bundle import yamlfmt
from dabgen_ci.core.limits import yaml_text_problem
from dabgen_ci.errors import BadInputError

ROOT_FILE = "databricks.yml"
# Values that name something inside the bundle and must stay literal.
LITERAL_KEYS = frozenset({"task_key", "job_cluster_key", "environment_key"})
_SPACED = re.compile(r"\n\n[^\s#]")


@dataclass(frozen=True)
class VarEdit:
    """What `set_variable` did: the changed files and where the literal was replaced."""

    files: dict[str, str]
    replaced: tuple[tuple[str, str], ...]  # (file, YAML path) per replaced occurrence
    declared: str  # "added", "updated" or "unchanged"


def add_target(text: str, name: str, origin: str = ROOT_FILE) -> str:
    """`databricks.yml` text with a target `name`, modelled on `prod` (minus `default`)."""
    header, data = _load(text, origin)
    targets = data.get("targets")
    if targets is None:
        targets = {}
    if not isinstance(targets, dict):
        raise BadInputError(f"{origin}: `targets` is not a mapping; fix it by hand first")
    if name in targets:
        raise BadInputError(f"{origin} already has a target `{name}`")
    model = targets.get("prod")
    new = copy.deepcopy(model) if isinstance(model, dict) else {}
    new.pop("default", None)
    data["targets"] = {**targets, name: new}
    return _dump(header, data, text)


def set_variable(files: Mapping[str, str], name: str, value: str) -> VarEdit:
    """Turn every `resources` value equal to `value` into `${var.<name>}` and declare it.

    `files` maps bundle-relative YAML paths to their text and must hold `databricks.yml`,
    where the variable is declared (or its default updated) with `value` as default — typed
    like the first replaced occurrence, so `8` stays a number. Only whole values match
    (`main` does not touch `main.sales`), never keys, never the names in `LITERAL_KEYS`.
    """
    if value == "":
        raise BadInputError("give the value to turn into a variable: `/dabgen var name=value`")
    if ROOT_FILE not in files:
        raise BadInputError(f"the bundle has no {ROOT_FILE}")
    reference = "${var." + name + "}"
    changed: dict[str, str] = {}
    replaced: list[tuple[str, str]] = []
    first: list[Any] = []
    parsed: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in sorted(files):
        header, data = _load(files[path], path)
        parsed[path] = (header, data)
        if isinstance(data.get("resources"), dict):
            hits = _replace(data["resources"], value, reference, "resources", first)
            if hits:
                replaced += [(path, where) for where in hits]
                changed[path] = _dump(header, data, files[path])
    default = first[0] if first else value
    header, root = parsed[ROOT_FILE]  # already holds its own replacements, if any
    declared = _declare(root, name, default)
    if declared != "unchanged":
        changed[ROOT_FILE] = _dump(header, root, files[ROOT_FILE])
    return VarEdit(changed, tuple(replaced), declared)


def _replace(node: Any, value: str, reference: str, where: str, first: list[Any]) -> list[str]:
    hits: list[str] = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, child in list(items):
        here = f"{where}.{key}" if isinstance(node, dict) else f"{where}[{key}]"
        if isinstance(child, dict | list):
            hits += _replace(child, value, reference, here, first)
        elif key not in LITERAL_KEYS and _matches(child, value):
            if not first:
                first.append(child)
            node[key] = reference
            hits.append(here)
    return hits


def _matches(scalar: Any, value: str) -> bool:
    if isinstance(scalar, str):
        return scalar == value
    if isinstance(scalar, int | float) and not isinstance(scalar, bool):
        return str(scalar) == value
    return False


def _declare(root: dict[str, Any], name: str, default: Any) -> str:
    variables = root.get("variables")
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        raise BadInputError(f"{ROOT_FILE}: `variables` is not a mapping; fix it by hand first")
    current = variables.get(name)
    if isinstance(current, dict):
        if "lookup" in current:
            raise BadInputError(f"variable `{name}` is a lookup; change it in {ROOT_FILE} by hand")
        if current.get("default") == default:
            return "unchanged"
        variables[name] = {**current, "default": default}
        state = "updated"
    elif current is not None:
        raise BadInputError(f"{ROOT_FILE}: variable `{name}` is not a mapping; fix it by hand")
    else:
        variables[name] = {"default": default}
        state = "added"
    if "variables" not in root:
        _insert_after(root, "variables", variables, ("include", "bundle"))
    else:
        root["variables"] = variables
    return state


def _insert_after(data: dict[str, Any], key: str, value: Any, anchors: tuple[str, ...]) -> None:
    """Add `key` right after the first anchor present (else first), keeping the rest's order."""
    anchor = next((a for a in anchors if a in data), None)
    items = list(data.items())
    at = [k for k, _ in items].index(anchor) + 1 if anchor else 0
    items.insert(at, (key, value))
    data.clear()
    data.update(items)


def _load(text: str, origin: str) -> tuple[str, dict[str, Any]]:
    header, body = _split_header(text)
    too_costly = yaml_text_problem(body)
    if too_costly:
        raise BadInputError(f"refusing to read {origin}: {too_costly}")
    try:
        data = yaml.safe_load(body)
    except yaml.YAMLError as exc:
        raise BadInputError(f"{origin} is not valid YAML: {_first_line(exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BadInputError(f"{origin} does not hold a YAML mapping")
    return header, data


def _dump(header: str, data: dict[str, Any], original: str) -> str:
    _, body = _split_header(original)
    return header + yamlfmt.dump(data, spaced=bool(_SPACED.search(body)))


def _split_header(text: str) -> tuple[str, str]:
    """The leading comment lines (kept verbatim) and the YAML after them."""
    lines = text.splitlines(keepends=True)
    count = 0
    while count < len(lines) and lines[count].startswith("#"):
        count += 1
    return "".join(lines[:count]), "".join(lines[count:])


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
