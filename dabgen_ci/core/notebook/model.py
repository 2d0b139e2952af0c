"""Records produced by the static notebook analysis (:mod:`dabgen_ci.core.notebook.analyze`).

Every finding is a frozen dataclass with the 1-based ``line`` it was found on, so a finding
can be shown next to the source and a job generator can explain *why* it chose something.
Mappings are stored as tuples of pairs to keep records hashable; :meth:`to_dict` turns them
back into plain JSON values.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

Mode = Literal["read", "write", "unknown"]
#: What a reader/writer chain does: the known modes.
Direction = Literal["read", "write"]


def _plain(value: Any) -> Any:
    """JSON-friendly copy of a record value (pairs-tuples named ``arguments`` become dicts)."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return _record_dict(value)
    return value


def _record_dict(record: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        out[f.name] = dict(value) if f.name == "arguments" else _plain(value)
    return out


@dataclass(frozen=True, order=True)
class Library:
    """A library the notebook needs.

    ``source``: ``import`` (Python import, top-level module name), ``pip`` (``%pip install``
    requirement, ``spec`` holds the version specifier or extras), ``pip-requirements``
    (``%pip install -r <file>``, ``name`` is the file), ``r`` (``library()``/``require()``),
    ``r-install`` (``install.packages``), ``scala`` (an ``import`` of a non-provided package).
    """

    line: int
    name: str
    source: str
    spec: str = ""


@dataclass(frozen=True, order=True)
class Widget:
    """A widget definition. ``default`` is ``None`` when it is not a literal."""

    line: int
    name: str
    type: str  # text | dropdown | combobox | multiselect
    default: str | None = None
    choices: tuple[str, ...] | None = None
    label: str | None = None


@dataclass(frozen=True, order=True)
class ParameterRef:
    """A read of a widget/job parameter.

    ``syntax``: ``widgets.get``, ``getArgument``, ``${}`` (legacy SQL) or ``:param`` (SQL
    parameter marker).
    """

    line: int
    name: str
    syntax: str


@dataclass(frozen=True, order=True)
class Dependency:
    """Another notebook this one runs: ``%run`` (shares state) or ``notebook.run`` (a child
    run with its own state). ``arguments`` are the literal arguments that could be read."""

    line: int
    kind: str  # run | notebook.run
    target: str
    timeout_seconds: int | None = None
    arguments: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, order=True)
class TableRef:
    """A table read or written; ``via`` names the API or SQL statement that touched it."""

    line: int
    name: str
    mode: Mode
    via: str


@dataclass(frozen=True, order=True)
class PathRef:
    """A storage path (``/mnt``, ``dbfs:/``, ``s3://``, ``abfss://``, ``/Volumes``...).

    ``mode`` is ``unknown`` for a path-looking literal that no read or write API consumed.
    """

    line: int
    path: str
    mode: Mode
    via: str


@dataclass(frozen=True, order=True)
class StreamingUse:
    """``kind``: readStream | writeStream | trigger | checkpointLocation | autoloader | table."""

    line: int
    kind: str
    detail: str = ""


@dataclass(frozen=True, order=True)
class MlUse:
    """An ML call: ``library`` is the module it resolves to (``None`` when unknown)."""

    line: int
    library: str | None
    call: str


@dataclass(frozen=True, order=True)
class SecretRef:
    """A secret reference: scope and key only, never a value."""

    line: int
    scope: str | None
    key: str | None
    syntax: str  # dbutils.secrets | template | sql


@dataclass(frozen=True)
class NotebookAnalysis:
    """Everything the analysis found in one notebook, each tuple sorted by line."""

    language: str  # PYTHON | SQL | SCALA | R: the notebook's default language
    format: str  # SOURCE | JUPYTER | PLAIN
    cells: int
    languages: tuple[str, ...] = ()  # languages of the code cells (magics included)
    libraries: tuple[Library, ...] = ()
    widgets: tuple[Widget, ...] = ()
    parameter_refs: tuple[ParameterRef, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    tables: tuple[TableRef, ...] = ()
    paths: tuple[PathRef, ...] = ()
    streaming: tuple[StreamingUse, ...] = ()
    ml: tuple[MlUse, ...] = ()
    secrets: tuple[SecretRef, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def tables_read(self) -> tuple[str, ...]:
        return tuple(sorted({t.name for t in self.tables if t.mode == "read"}))

    @property
    def tables_written(self) -> tuple[str, ...]:
        return tuple(sorted({t.name for t in self.tables if t.mode == "write"}))

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Widgets defined or parameters read, in order of first appearance."""
        names = [(w.line, w.name) for w in self.widgets]
        names += [(r.line, r.name) for r in self.parameter_refs]
        return tuple(dict.fromkeys(name for _, name in sorted(names)))

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)
