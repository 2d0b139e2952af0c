"""No credential may be written into bundle files, which end up in git and in PRs.

Three kinds of finding, all errors (an error stops the bot from pushing anything):

* a value *or a key* that looks like a known token (:data:`core.secrets.TOKEN_SHAPES`,
  shared with the redactor) wherever it appears in the configuration;
* a line of a source file (the notebooks and files under ``src/``) holding one;
* a literal value under a secret-sounding name in the places where people put credentials
  (Spark conf, environment variables, parameters, ``--password x`` style arguments,
  ``*_plaintext`` serving fields). ``{{secrets/scope/key}}``, ``{{...}}`` dynamic values
  and ``${var...}`` references are not literals.

The secret itself never appears in a message, nor in a diagnostic's path (a token used as
a key is masked there); each finding names a fingerprint instead, which
``.dabgen.yml`` ``secrets.allow`` accepts, as does a ``dabgen: allow-secret`` marker on
the line (:class:`core.secrets.SecretAllowlist`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple, TypeGuard

from dabgen_ci.core.bundle.tree import format_path
from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.secrets import (
    TOKEN_SHAPES,
    SecretAllowlist,
    fingerprint,
    first_token,
    has_allow_marker,
    has_token,
    mask_tokens,
    may_have_token,
)
from dabgen_ci.validate.located import LocTree, Path
from dabgen_ci.validate.yamlnodes import literal_text

SOURCE = "secrets"
_SENSITIVE_NAME = re.compile(
    r"passw(?:or)?d|pwd|secret|token(?![a-z])|api[_.-]?key|access[_.-]?key|private[_.-]?key",
    re.IGNORECASE)
# What every match of the pattern above holds, one of them (ten times faster to look for).
_NAME_WORDS = ("passw", "pwd", "secret", "token",
               *(f"{word}{sep}key" for word in ("api", "access", "private")
                 for sep in ("", "_", ".", "-")))
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
_NEWLINE = re.compile("\n")
_FLAG = re.compile(r"^--?([\w.-]+)(?:=(.*))?$")
_REMEDY = "use {{secrets/<scope>/<key>}} or a bundle variable supplied at deploy time"
_SOURCE_REMEDY = "read it at run time with dbutils.secrets.get(<scope>, <key>)"
NO_ALLOWANCES = SecretAllowlist()


class Found(NamedTuple):
    """One candidate: where (the real path, to locate it), what, and whose fingerprint."""

    path: Path
    summary: str
    secret: str


def check_secrets(config: dict[str, Any], tree: LocTree | None,
                  allow: SecretAllowlist = NO_ALLOWANCES) -> list[Diagnostic]:
    """Secret-looking literals (values and keys) in one file's configuration."""
    out = []
    for path, summary, secret in [*_scan(config, ()), *_variable_defaults(config)]:
        loc = tree.find(path) if tree else None
        file, line = (loc.file, loc.line) if loc else (None, None)
        print_ = fingerprint(secret)
        if allow.allows(file, line, print_):
            continue
        out.append(Diagnostic("error", f"{summary} [fingerprint {print_}]", file=file,
                              line=line, path=_masked(path) or None, source=SOURCE))
    return out


def may_hold_secret(data: bytes | None) -> bool:
    """Whether :func:`check_secrets` can find anything in a YAML file of these bytes (None:
    not known, so it can).

    Every finding needs a token's needle, a secret-sounding name or a ``*_plaintext`` key
    in the file's values or keys, so in its text when that spells them out
    (:func:`~dabgen_ci.validate.yamlnodes.literal_text`). Most job files dabgen writes have
    none of these: walking their values was a third of the rules' time on a generated
    bundle.
    """
    text = literal_text(data)
    if text is None or may_have_token(text) or "_plaintext" in text:
        return True
    folded = text.casefold()  # as the name pattern's IGNORECASE: ſ is s, the Kelvin sign k
    return any(word in folded for word in _NAME_WORDS)


def check_source(file: str, text: str, allow: SecretAllowlist = NO_ALLOWANCES
                 ) -> list[Diagnostic]:
    """Token-shaped credentials in a source file (a notebook, a script, a SQL file)."""
    if not has_token(text):
        return []
    matches = [(shape, m) for shape in TOKEN_SHAPES if shape.candidates(text)
               for m in shape.pattern.finditer(text)]
    if not matches:
        return []
    starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
    seen: set[tuple[int, str]] = set()
    out = []
    for shape, match in matches:
        line = bisect.bisect_right(starts, match.start())
        print_ = fingerprint(match.group())
        if (line, print_) in seen or has_allow_marker(_line_text(text, starts, line)) \
                or allow.allows(file, line, print_):
            continue
        seen.add((line, print_))
        out.append(Diagnostic(
            "error", f"this line looks like it holds {shape.what}; remove it and "
            f"{_SOURCE_REMEDY} [fingerprint {print_}]", file=file, line=line, source=SOURCE))
    return sorted(out, key=lambda d: (d.line or 0, d.summary))


def marked_lines(file: str, text: str) -> frozenset[tuple[str, int]]:
    """The ``(file, line)`` pairs of ``text`` that carry the allow-secret marker."""
    return frozenset((file, n) for n, line in enumerate(text.splitlines(), start=1)
                     if has_allow_marker(line))


def _line_text(text: str, starts: list[int], line: int) -> str:
    end = starts[line] if line < len(starts) else len(text)
    return text[starts[line - 1]:end]


def _masked(path: Path) -> str:
    """The YAML path with any token-shaped key masked: a path is shown, a secret is not."""
    return format_path(tuple(mask_tokens(p) if isinstance(p, str) else p for p in path))


def is_literal(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.strip() != "" and "{{" not in value \
        and "${" not in value and not value.startswith(("http://", "https://"))


def sensitive_name(name: str) -> bool:
    return bool(_SENSITIVE_NAME.search(name)) and not _HARMLESS_SUFFIX.search(name)


def _scan(value: Any, path: Path) -> Iterator[Found]:
    """Every finding in ``value``, depth first. A string's path is built only when it holds
    a token (almost never); with keys looked over only when a needle is there, this took
    the scan of a 10,000-job bundle from 0.57 to 0.44 s."""
    stack: list[tuple[Path, Any, Any]] = [(path, _HERE, value)]
    while stack:
        parent, key, v = stack.pop()
        if isinstance(v, str):
            if has_token(v):
                yield from _token_findings(parent if key is _HERE else (*parent, key), v)
            continue
        here = parent if key is _HERE else (*parent, key)
        if isinstance(v, dict):
            yield from _key_findings(here, v)
            yield from _named_map_findings(here, v)
            stack.extend((here, k, child) for k, child in v.items())
        elif isinstance(v, list):
            yield from _list_findings(here, v)
            stack.extend((here, i, child) for i, child in enumerate(v))


_HERE = object()  # the key of the scan's starting value: its path is the one given


def _variable_defaults(config: dict[str, Any]) -> Iterator[Found]:
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
                yield Found(path, f"variable {name!r} has a literal secret as its value; "
                            f"{_REMEDY}", value)


def _token_findings(path: Path, text: str) -> Iterator[Found]:
    token = first_token(text)
    if token is not None:
        yield Found(path, f"this value looks like {token.shape.what}; remove it and {_REMEDY}",
                    token.text)


def _key_findings(path: Path, mapping: Mapping[object, object]) -> Iterator[Found]:
    """A credential pasted where a name belongs (a tag key, a parameter name). YAML keys
    need not be strings (``1: x``)."""
    for key in mapping:
        if not isinstance(key, str) or not has_token(key):
            continue
        token = first_token(key)
        if token is not None:
            yield Found((*path, key), f"this key looks like {token.shape.what}; remove it and "
                        f"{_REMEDY}", token.text)


def _named_map_findings(path: Path, mapping: Mapping[object, object]) -> Iterator[Found]:
    parent = path[-1] if path else None
    for key, value in mapping.items():
        if not isinstance(key, str):
            continue
        if key.endswith("_plaintext") and is_literal(value):
            yield Found((*path, key), f"{_shown(key)} holds a literal secret; {_REMEDY}", value)
        elif parent in _NAMED_MAPS and sensitive_name(key) and is_literal(value):
            yield Found((*path, key), f"{_shown(key)!r} holds a literal secret; {_REMEDY}",
                        value)


def _shown(name: str) -> str:
    return mask_tokens(name)


def _list_findings(path: Path, items: list[Any]) -> Iterator[Found]:
    parent = path[-1] if path else None
    value_key = _NAME_VALUE_LISTS.get(parent) if isinstance(parent, str) else None
    for i, item in enumerate(items):
        if value_key and isinstance(item, dict):
            name, value = item.get("name"), item.get(value_key)
            if isinstance(name, str) and sensitive_name(name) and is_literal(value):
                yield Found((*path, i, value_key),
                            f"{_shown(name)!r} holds a literal secret; {_REMEDY}", value)
        elif parent in _ARG_LISTS and isinstance(item, str):
            yield from _flag_finding(path, items, i, item)


def _flag_finding(path: Path, items: list[Any], i: int, item: str) -> Iterator[Found]:
    flag = _FLAG.match(item)
    if not flag or not sensitive_name(flag.group(1)):
        return
    inline = flag.group(2)
    if inline is not None:
        if is_literal(inline):
            yield Found((*path, i), f"argument {_shown(item.split('=')[0])} passes a literal "
                        f"secret; {_REMEDY}", inline)
        return
    nxt = items[i + 1] if i + 1 < len(items) else None
    if is_literal(nxt) and not str(nxt).startswith("-"):
        yield Found((*path, i + 1), f"argument {_shown(item)} is followed by a literal "
                    f"secret; {_REMEDY}", str(nxt))
