"""Check ``.dabgen.yml`` text and say where each problem is (file, line, YAML path).

The file is read as YAML 1.2 — the way the Databricks CLI reads the bundle next to it, so
``NO`` or ``on`` stay strings — with every value's line kept, then checked against the JSON
schema shipped in the package and against the rules across fields
(:func:`~dabgen_ci.config.bundles.bundle_problems`). ``dabgen config check`` prints every
problem; loading the configuration anywhere else (the bot, ``dabgen sync``) refuses it with
the first few, each naming its line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from dabgen_ci.config.bundles import bundle_problems
from dabgen_ci.core.bundle.tree import format_path
from dabgen_ci.validate.located import LocTree
from dabgen_ci.validate.yamlnodes import parse_yaml


@dataclass(frozen=True, order=True)
class ConfigProblem:
    line: int | None
    path: str  # YAML path, "" for the whole file
    message: str

    def render(self, origin: str) -> str:
        where = f"{origin}:{self.line}" if self.line else origin
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


@cache
def schema_validator() -> Draft202012Validator:
    text = resources.files("dabgen_ci.data.config").joinpath("dabgen.schema.json").read_text()
    return Draft202012Validator(json.loads(text))


def check_config_text(text: str, origin: str = ".dabgen.yml"
                      ) -> tuple[dict[str, Any] | None, list[ConfigProblem]]:
    """The parsed configuration (None when unusable) and every problem found, by line."""
    value, tree, diagnostics = parse_yaml(text, origin)
    if diagnostics:
        return None, [ConfigProblem(d.line, "", "not valid YAML: "
                                    + d.summary.removeprefix("invalid YAML: "))
                      for d in diagnostics]
    if value is None:
        return {}, []
    if not isinstance(value, dict):
        return None, [ConfigProblem(1, "", "expected a mapping at the top level")]
    problems = [_schema_problem(e, tree) for e in schema_validator().iter_errors(value)]
    problems += [ConfigProblem(_line(tree, p.path), format_path(p.path), p.message)
                 for p in bundle_problems(value)]
    return (None if problems else value), sorted(problems, key=_order)


def _schema_problem(error: ValidationError, tree: LocTree | None) -> ConfigProblem:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [k for k in error.instance if k not in known]
        if extra:
            path = (*path, extra[0])
            return ConfigProblem(_line(tree, path), format_path(path),
                                 f"unknown field {extra[0]!r}")
    return ConfigProblem(_line(tree, path), format_path(path), _shorten(error.message))


def _line(tree: LocTree | None, path: tuple[str | int, ...]) -> int | None:
    return tree.find(path).line if tree is not None else None


def _order(problem: ConfigProblem) -> tuple[int, str, str]:
    return (problem.line or 0, problem.path, problem.message)


def _shorten(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"
