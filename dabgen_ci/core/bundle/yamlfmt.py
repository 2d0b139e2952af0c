"""Deterministic YAML for bundle files.

Block style, two-space indent with indented sequences (as the Databricks CLI writes),
keys in the order given (callers order them), literal ``|`` blocks for multi-line text,
no line folding. Two readers must get back exactly the strings we wrote: PyYAML (YAML
1.1, our own checks) and the CLI's Go ``yaml.v3`` loader (YAML 1.2 plus Go number
parsing). A string either might read as something else — ``yes``, ``on``, ``~``,
``1e3``, ``0o17``, ``012``, ``inf``, a date — is written double-quoted, like the CLI's
saver does for scalar-looking strings. Keys and values of ``spark_conf``,
``custom_tags``, ``tags`` and ``spark_env_vars`` are double-quoted like the CLI's
``bundle generate job``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

import yaml

from dabgen_ci.core.bundle.yamlemit import FastEmitter, make_resolver

QUOTED_MAPS = frozenset({"spark_conf", "custom_tags", "tags", "spark_env_vars"})

_AMBIGUOUS_WORDS = frozenset(
    {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nan", "inf"}
)
# Numbers as YAML 1.2 and Go's strconv.ParseInt(base 0)/ParseFloat read them.
_NUMBER = re.compile(
    r"""[-+]?(?:
        (?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:e[-+]?\d+)?         # 1, 1.5, .5, 1e3, 1_000
      | 0x(?:[0-9a-f_]+(?:\.[0-9a-f_]*)?|\.[0-9a-f_]+)(?:p[-+]?\d+)?  # 0x1F, 0x1p-2
      | 0o[0-7_]+ | 0b[01_]+
      | \.?inf(?:inity)? | \.?nan
    )""",
    re.VERBOSE | re.IGNORECASE,
)
# Characters some reader treats as a line break or strips; only escapes keep them.
_NEEDS_ESCAPES = re.compile(r"[\r\x85\u2028\u2029\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_STR_TAG = "tag:yaml.org,2002:str"


class _DoubleQuoted(str):
    """A string the caller wants double-quoted (keys and values of :data:`QUOTED_MAPS`)."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent block sequences under their key ("  - a"), as the CLI and most humans do.
        return super().increase_indent(flow, False)


def _represent_str(dumper: _Dumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(_STR_TAG, str(data), style=_style(dumper, data))


def needs_quotes(text: str) -> bool:
    """True when a plain scalar ``text`` would read back as something else in PyYAML (1.1)
    or the CLI's YAML 1.2 reader, or holds characters only escapes keep."""
    return _misreadable(_QUOTING_DUMPER, text) or bool(_NEEDS_ESCAPES.search(text))


def _style(dumper: _Dumper, text: str) -> str | None:
    if isinstance(text, _DoubleQuoted) or needs_quotes(text):
        return '"'
    if "\n" in text:
        return "|"  # PyYAML falls back to double quotes where a block cannot hold it
    return None


def _misreadable(dumper: yaml.SafeDumper, text: str) -> bool:
    if text == "" or text.lower() in _AMBIGUOUS_WORDS:
        return True
    if _NUMBER.fullmatch(text):
        return True
    # Anything YAML 1.1 implicitly types (timestamps, 1:20, "=", "<<", yes/no…).
    tag: str = dumper.resolve(yaml.ScalarNode, text, (True, False))
    return tag != _STR_TAG


# Only its resolver is used (which implicit type a text has): its stream is never written.
_QUOTING_DUMPER = _Dumper(io.StringIO())
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_DoubleQuoted, _represent_str)
_FAST = FastEmitter(needs_quotes, make_resolver(_QUOTING_DUMPER))


def dump(
    data: object,
    *,
    quoted_maps: Iterable[str] = QUOTED_MAPS,
    header: str | None = None,
    spaced: bool = False,
) -> str:
    """YAML text for ``data``; ``header`` becomes ``#`` comment lines, ``spaced`` puts a
    blank line between top-level keys (for ``databricks.yml``).

    The text is PyYAML's (:func:`pyyaml_dump`); :mod:`~dabgen_ci.core.bundle.yamlemit`
    writes the same bytes directly for the shapes dabgen produces.
    """
    quoted = frozenset(quoted_maps)
    text = _FAST.emit(data, quoted)
    if text is None:
        text = pyyaml_dump(data, quoted_maps=quoted)
    if spaced:
        text = _space_top_level(text)
    if header:
        text = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + text
    return text


def pyyaml_dump(data: object, *, quoted_maps: Iterable[str] = QUOTED_MAPS) -> str:
    """The reference writer: PyYAML with this module's style rules."""
    return yaml.dump(
        _mark_quoted(data, frozenset(quoted_maps)),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1 << 30,
        indent=2,
    )


def _mark_quoted(value: object, quoted_maps: frozenset[str]) -> object:
    if isinstance(value, dict):
        return {
            k: _quote_map(v)
            if k in quoted_maps and isinstance(v, dict)
            else _mark_quoted(v, quoted_maps)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mark_quoted(v, quoted_maps) for v in value]
    return value


def _quote_map(mapping: dict[object, object]) -> dict[object, object]:
    return {
        (_DoubleQuoted(k) if isinstance(k, str) else k): (
            _DoubleQuoted(v) if isinstance(v, str) else v
        )
        for k, v in mapping.items()
    }


def _space_top_level(text: str) -> str:
    """A blank line before every top-level key but the first.

    Only top-level keys start at column 0: nested content is indented and no scalar is
    folded (``width``). The emitter writes an empty line only inside a literal block, so
    an empty line is never a key (spacing it doubled every blank line of a multi-line
    bundle name or description), and a key right after one follows a block that keeps
    its trailing newlines (``|+``): a blank line there would become part of the value.
    """
    lines = text.splitlines(keepends=True)
    return "".join(
        "\n" + line if i and _starts_top_level_key(line) and lines[i - 1] != "\n" else line
        for i, line in enumerate(lines)
    )


def _starts_top_level_key(line: str) -> bool:
    return line[:1] not in ("", " ", "#", "\n")
