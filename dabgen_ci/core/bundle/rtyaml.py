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

from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from dabgen_ci.core.bundle import yamlfmt
from dabgen_ci.core.limits import yaml_text_problem
from dabgen_ci.errors import BadInputError


def _yaml() -> YAML:
    # A new instance per call: ruamel's YAML objects keep per-document state.
    rt = YAML(typ="rt")
    rt.version = (1, 2)
    rt.preserve_quotes = True
    rt.width = 1 << 30  # never fold a long line
    rt.indent(mapping=2, sequence=4, offset=2)  # "key:\n  - item", as yamlfmt writes
    rt.explicit_start = False
    return rt


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
