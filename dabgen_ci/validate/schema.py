"""Check each configuration file against the bundle JSON schema the Databricks CLI publishes.

The schema (vendored in ``dabgen_ci/data/bundle_schema``) wraps nearly every field in a
``oneOf`` that also accepts ``${var...}``-style strings, and its patterns use ``\\p{L}`` /
``\\p{N}``. So: ``pattern`` is checked with the ``regex`` module (which has those classes)
instead of rewriting the schema, and each ``oneOf`` failure is explained through the branch
whose type matches the value, giving "unknown field 'x'" at the field's own line rather
than "is not valid under any of the given schemas" at the job.

Two validators, one verdict. The compiled one (``jsonschema-rs``) answers "is this file
valid?" in microseconds; only a file it rejects goes through the Python ``jsonschema``
validator, whose errors carry the paths and schema branches the explanations need. Where
the compiled wheel is missing for a platform, the Python validator checks every file.
Both are imported on first use, so a command that validates nothing never loads them.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import regex

from dabgen_ci.core.bundle.tree import format_path
from dabgen_ci.core.diagnostics import Diagnostic, Severity
from dabgen_ci.core.json_types import JsonMapping, JsonObject
from dabgen_ci.validate.located import LocTree, Path

if TYPE_CHECKING:
    import jsonschema_rs
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

SOURCE = "schema"
_JSON_TYPES = (("boolean", bool), ("integer", int), ("number", float), ("string", str),
               ("object", dict), ("array", list), ("null", type(None)))


UNKNOWN_FIELD = "unknown field"
INVALID_VALUE = "invalid value"
# What the Databricks CLI only warns about: unknown fields (dropped at deploy) and values
# outside an enum (its validate:enum rule; the API reads e.g. `github` case-insensitively).
_WARNINGS = (UNKNOWN_FIELD, INVALID_VALUE)


@functools.cache
def bundle_schema() -> JsonObject:
    text = resources.files("dabgen_ci.data").joinpath("bundle_schema/jsonschema.json")
    schema: JsonObject = json.loads(text.read_text(encoding="utf-8"))
    return schema


@functools.cache
def task_types() -> frozenset[str]:
    """The ``*_task`` keys a job task may carry, as this schema version knows them."""
    node = bundle_schema()["$defs"]
    for part in ("github.com", "databricks", "databricks-sdk-go", "service", "jobs.Task"):
        node = node[part]
    shape = node["oneOf"][0] if "oneOf" in node else node
    return frozenset(k for k in shape["properties"] if k.endswith("_task"))


@functools.cache
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


def _pattern(validator: Validator, pattern: str, instance: object, schema: JsonMapping
             ) -> Iterator[ValidationError]:
    """``pattern`` with Unicode property classes, as ECMA-262 (and Go) understand them."""
    from jsonschema.exceptions import ValidationError

    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def bundle_validator() -> Validator:
    """The Python validator (explains failures), built once per process."""
    import jsonschema

    extended: type[Validator] = jsonschema.validators.extend(
        jsonschema.Draft202012Validator, {"pattern": _pattern})
    return extended(bundle_schema())


@functools.cache
def fast_validator() -> jsonschema_rs.Draft202012Validator | None:
    """The compiled validator, or ``None`` where the jsonschema-rs wheel is missing."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs.Draft202012Validator(bundle_schema())  # the draft bundle_validator uses


def is_valid(config: dict[str, Any]) -> bool | None:
    """The compiled verdict on one file's configuration; ``None`` when it cannot say."""
    validator = fast_validator()
    return None if validator is None else bool(validator.is_valid(config))


def check_file(config: dict[str, Any], tree: LocTree | None, file: str) -> list[Diagnostic]:
    """Schema diagnostics for one file's configuration, each at its own line."""
    found: dict[tuple[str, str], Diagnostic] = {}
    for path, summary in _top_level_unknown(config):
        found.setdefault((format_path(path), summary), _diag(path, summary, tree, file))
    if is_valid(config):
        return list(found.values())
    for error in bundle_validator().iter_errors(config):
        for path, summary in explain(error):
            found.setdefault((format_path(path), summary), _diag(path, summary, tree, file))
    return list(found.values())


def _diag(path: Path, summary: str, tree: LocTree | None, file: str) -> Diagnostic:
    line = tree.find(path).line if tree else None
    # The Databricks CLI warns about unknown fields (and drops them at deploy) and about
    # enum mismatches; it does not fail. A typo that leaves a task without its type is an
    # error of the rules instead; a bad target mode is one too (the CLI refuses it).
    severity: Severity = "warning" if summary.startswith(_WARNINGS) else "error"
    return Diagnostic(severity, summary, file=file, line=line, path=format_path(path) or None,
                      source=SOURCE)


def _top_level_unknown(config: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    known = bundle_schema()["properties"]
    for key in config:
        if key not in known:
            yield (key,), _unknown_field(key, known)


def explain(error: ValidationError) -> list[tuple[Path, str]]:
    """Precise (path, summary) pairs for one validation error."""
    path: Path = tuple(error.absolute_path)
    kind = error.validator
    if kind in ("oneOf", "anyOf") and error.context:
        return _explain_choice(error, path)
    # An error from iter_errors has all its fields (the stubs allow "unset" for hand-made
    # ones); each kind's fields have the shape its keyword gives them.
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        props = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        return [((*path, k), _unknown_field(k, props)) for k in error.instance if k not in props]
    if kind == "required" and isinstance(error.instance, dict):
        missing = [k for k in _listed(error.validator_value) if k not in error.instance]
        return [(path, f"required field {k!r} is not set") for k in missing]
    if kind == "enum":
        allowed = ", ".join(str(v) for v in _listed(error.validator_value))
        return [(path, f"{INVALID_VALUE} {error.instance!r}; valid values are: {allowed}")]
    if kind == "type":
        return [(path, f"expected {error.validator_value}, found {_describe(error.instance)}")]
    return [(path, error.message)]


def _explain_choice(error: ValidationError, path: Path) -> list[tuple[Path, str]]:
    """Explain a failed ``oneOf`` through the branch meant for this kind of value."""
    branches = _listed(error.validator_value)
    by_branch: dict[int, list[ValidationError]] = {}
    for sub in error.context or ():
        by_branch.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    candidates = _matching_branches(branches, error.instance)
    if len(candidates) == 1 and candidates[0] in by_branch:
        out: list[tuple[Path, str]] = []
        for sub in by_branch[candidates[0]]:
            out.extend(explain(sub))
        return out
    if _is_reference_like(error.instance):
        return [(path, f"invalid reference {error.instance!r}: expected ${{var.<name>}}, "
                       "${resources.<type>.<key>.<field>}, ${bundle.<field>}, "
                       "${workspace.<field>} or ${artifacts.<field>}")]
    expected = _expected_types(branches)
    if expected and _json_type(error.instance) not in expected:
        return [(path, f"expected {' or '.join(expected)}, found {_describe(error.instance)}")]
    from jsonschema.exceptions import best_match

    best = best_match([error])
    if best.validator == "enum":  # worded (and graded) like every other enum mismatch
        return explain(best)
    return [(tuple(best.absolute_path), best.message)]


def _listed(value: object) -> list[object]:
    """A keyword's list value (``required``, ``enum``, ``oneOf``)."""
    return value if isinstance(value, list) else []


def _matching_branches(branches: Sequence[object], instance: Any) -> list[int]:
    """Branches whose type fits; interpolation-string branches only for ``${...}`` text."""
    reference_like = _is_reference_like(instance)
    out = []
    for i, branch in enumerate(branches):
        if not isinstance(branch, dict):
            continue
        if "pattern" in branch and branch.get("type") == "string":
            if reference_like:
                out.append(i)
            continue
        btype = branch.get("type")
        if btype is None or _fits(instance, btype):
            out.append(i)
    return out


def _expected_types(branches: Sequence[object]) -> list[str]:
    out: list[str] = []
    for branch in branches:
        if isinstance(branch, dict) and "pattern" not in branch and "type" in branch:
            btype = branch["type"]
            for t in btype if isinstance(btype, list) else [btype]:
                if t not in out:
                    out.append(t)
    return out


def _fits(instance: Any, btype: str | list[str]) -> bool:
    types = btype if isinstance(btype, list) else [btype]
    actual = _json_type(instance)
    return actual in types or (actual == "integer" and "number" in types)


def _json_type(value: Any) -> str:
    for name, py in _JSON_TYPES:
        if type(value) is py:
            return name
    return type(value).__name__


def _describe(value: Any) -> str:
    kind = _json_type(value)
    if kind in ("object", "array"):
        return "a map" if kind == "object" else "a sequence"
    return f"{kind} {json.dumps(value)}"


def _is_reference_like(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def _unknown_field(key: str, known: dict[str, Any]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{UNKNOWN_FIELD} {key!r}{hint}"
