"""No credential may be written into bundle files, which end up in git and in PRs.

Two kinds of finding: values that look like a known token format wherever they appear, and
literal values under a secret-sounding name in the places where people put credentials
(Spark conf, environment variables, parameters, ``--password x`` style arguments,
``*_plaintext`` serving fields). ``{{secrets/scope/key}}``, ``{{...}}`` dynamic values and
``${var...}`` references are not literals. The secret itself never appears in a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.validate.located import LocTree, Path
from dabgen_ci.validate.rulebase import finding

_TOKEN_PATTERNS = (
    ("a Databricks personal access token", re.compile(r"\bdapi[0-9a-f]{32}(-\d+)?\b")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b")),
    ("a GitHub token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,}\b")),
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
)
_SENSITIVE_NAME = re.compile(
    r"passw(?:or)?d|pwd|secret|token(?![a-z])|api[_.-]?key|access[_.-]?key|private[_.-]?key",
    re.IGNORECASE)
# The last word of a name that holds *about* a secret rather than the secret itself.
_HARMLESS_SUFFIX = re.compile(
    r"[._-](?:scope|name|path|file|url|uri|endpoint|provider|type|enabled|id|ttl|expiry)$",
    re.IGNORECASE)
_NAMED_MAPS = frozenset({"spark_conf", "spark_env_vars", "base_parameters", "named_parameters",
                         "environment_vars", "configuration", "parameters", "env_vars",
                         "notebook_params", "python_named_params", "job_parameters",
                         "sql_params", "pipeline_params"})
_NAME_VALUE_LISTS = {"parameters": "default", "env": "value"}
_ARG_LISTS = frozenset({"parameters", "python_params", "jar_params", "spark_submit_params",
                        "args", "commands"})
_FLAG = re.compile(r"^--?([\w.-]+)(?:=(.*))?$")
_REMEDY = "use {{secrets/<scope>/<key>}} or a bundle variable supplied at deploy time"


def check_secrets(config: dict[str, Any], tree: LocTree | None) -> list[Diagnostic]:
    """Secret-looking literals in one file's configuration."""
    found = list(_scan(config, ())) + list(_variable_defaults(config))
    return [finding("error", summary, tree, path) for path, summary in found]


def is_literal(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != "" and "{{" not in value \
        and "${" not in value and not value.startswith(("http://", "https://"))


def sensitive_name(name: str) -> bool:
    return bool(_SENSITIVE_NAME.search(name)) and not _HARMLESS_SUFFIX.search(name)


def _scan(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    stack: list[tuple[Path, Any]] = [(path, value)]
    while stack:
        p, v = stack.pop()
        if isinstance(v, str):
            yield from _token_findings(p, v)
        elif isinstance(v, dict):
            yield from _named_map_findings(p, v)
            stack.extend(((*p, k), child) for k, child in v.items())
        elif isinstance(v, list):
            yield from _list_findings(p, v)
            stack.extend(((*p, i), child) for i, child in enumerate(v))


def _variable_defaults(config: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    """``variables: {db_password: {default: "..."}}`` and target assignments of it."""
    sections: list[tuple[Path, Any]] = [(("variables",), config.get("variables"))]
    targets = config.get("targets")
    for name, target in (targets.items() if isinstance(targets, dict) else ()):
        if isinstance(target, dict):
            sections.append((("targets", name, "variables"), target.get("variables")))
    for prefix, variables in sections:
        for name, var in (variables.items() if isinstance(variables, dict) else ()):
            if not sensitive_name(name):
                continue
            value, path = var, (*prefix, name)
            if isinstance(var, dict):
                value, path = var.get("default"), (*path, "default")
            if is_literal(value):
                yield path, f"variable {name!r} has a literal secret as its value; {_REMEDY}"


def _token_findings(path: Path, text: str) -> Iterator[tuple[Path, str]]:
    for what, pattern in _TOKEN_PATTERNS:
        if pattern.search(text):
            yield path, f"this value looks like {what}; remove it and {_REMEDY}"
            return


def _named_map_findings(path: Path, mapping: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    parent = path[-1] if path else None
    for key, value in mapping.items():
        if key.endswith("_plaintext") and is_literal(value):
            yield (*path, key), f"{key} holds a literal secret; {_REMEDY}"
        elif parent in _NAMED_MAPS and sensitive_name(key) and is_literal(value):
            yield (*path, key), f"{key!r} holds a literal secret; {_REMEDY}"


def _list_findings(path: Path, items: list[Any]) -> Iterator[tuple[Path, str]]:
    parent = path[-1] if path else None
    value_key = _NAME_VALUE_LISTS.get(parent) if isinstance(parent, str) else None
    for i, item in enumerate(items):
        if value_key and isinstance(item, dict):
            name, value = item.get("name"), item.get(value_key)
            if isinstance(name, str) and sensitive_name(name) and is_literal(value):
                yield (*path, i, value_key), f"{name!r} holds a literal secret; {_REMEDY}"
        elif parent in _ARG_LISTS and isinstance(item, str):
            yield from _flag_finding(path, items, i, item)


def _flag_finding(path: Path, items: list[Any], i: int, item: str
                  ) -> Iterator[tuple[Path, str]]:
    flag = _FLAG.match(item)
    if not flag or not sensitive_name(flag.group(1)):
        return
    inline = flag.group(2)
    if inline is not None:
        if is_literal(inline):
            yield (*path, i), f"argument {item.split('=')[0]} passes a literal secret; {_REMEDY}"
        return
    nxt = items[i + 1] if i + 1 < len(items) else None
    if is_literal(nxt) and not str(nxt).startswith("-"):
        yield (*path, i + 1), f"argument {item} is followed by a literal secret; {_REMEDY}"
