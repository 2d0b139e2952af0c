"""Shared pieces of the notebook analysers: the finding collector and the language-neutral
rules (storage paths, secret templates, ``%pip`` and ``%run`` magics).

The :class:`Collector` is the one mutable object of the analysis: analysers of every cell
language append to it, and :meth:`Collector.finish` turns it into the frozen
:class:`~dabgen_ci.core.notebook.model.NotebookAnalysis`. State that crosses cells (Python
string constants, temporary views) lives here because notebooks share it across cells.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from dabgen_ci.core.notebook.model import (
    Dependency,
    Direction,
    Library,
    NotebookAnalysis,
    PathRef,
    SecretRef,
)

PATH_PREFIXES = (
    "dbfs:/", "/dbfs/", "/mnt/", "/Volumes/", "/FileStore/", "/databricks-datasets/",
    "s3://", "s3a://", "s3n://", "abfss://", "abfs://", "wasbs://", "wasb://", "gs://",
    "adl://", "file:/",
)
SECRET_TEMPLATE = re.compile(r"\{\{\s*secrets/([^/{}\s]+)/([^/{}\s]+)\s*\}\}")
_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(.*)$", re.S)
_PIP_VALUE_FLAGS = frozenset({
    "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
    "-t", "--target", "--trusted-host", "--upgrade-strategy", "--prefix", "--root", "--src",
    "--platform", "--python-version", "--implementation", "--abi", "--only-binary",
    "--no-binary", "--cache-dir", "--log", "--proxy", "--retries", "--timeout",
    "--exists-action", "--cert", "--client-cert", "--progress-bar",
})


def looks_like_path(value: str) -> bool:
    return value.startswith(PATH_PREFIXES) and len(value) > 1


@dataclass
class Collector:
    """Accumulates findings of all cells; ``finish`` sorts, de-duplicates and freezes them."""

    lists: dict[str, list[Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    constants: dict[str, str] = field(default_factory=dict)  # Python name -> literal
    aliases: dict[str, str] = field(default_factory=dict)  # Python name -> qualified origin
    handles: dict[str, Direction] = field(default_factory=dict)  # name -> reader/writer
    temp_views: set[str] = field(default_factory=set)
    mentioned: list[tuple[int, str]] = field(default_factory=list)

    def add(self, kind: str, record: Any) -> None:
        self.lists.setdefault(kind, []).append(record)

    def mention(self, line: int, text: str) -> None:
        """A string literal seen anywhere: secret templates and path-looking values."""
        for scope, key in SECRET_TEMPLATE.findall(text):
            self.add("secrets", SecretRef(line, scope, key, "template"))
        if looks_like_path(text):
            self.mentioned.append((line, text))

    def finish(
        self, *, language: str, format: str, cells: int, languages: tuple[str, ...]
    ) -> NotebookAnalysis:
        """Freeze the findings. Path literals no read or write consumed become ``unknown``
        paths, unless they are the base of a known path (``base = "/mnt/raw"``)."""
        known = {p.path for p in self.lists.get("paths", [])}
        for line, text in self.mentioned:
            if not any(path.startswith(text) for path in known):  # a base of a known path
                self.add("paths", PathRef(line, text, "unknown", "literal"))
                known.add(text)
        local = {v.lower() for v in self.temp_views}
        tables = [t for t in self.lists.get("tables", []) if t.name.lower() not in local]
        self.lists["tables"] = tables
        def section(name: str) -> tuple[Any, ...]:
            return _ordered(self.lists.get(name, []))

        return NotebookAnalysis(
            language, format, cells, languages,
            libraries=section("libraries"), widgets=section("widgets"),
            parameter_refs=section("parameter_refs"), dependencies=section("dependencies"),
            tables=section("tables"), paths=section("paths"), streaming=section("streaming"),
            ml=section("ml"), secrets=section("secrets"), notes=tuple(self.notes),
        )


def _ordered(records: list[Any]) -> tuple[Any, ...]:
    """Unique records by line, keeping discovery order within a line. A library counts
    once, at its first line: ``import mlflow`` in three cells is one dependency."""
    unique = list(dict.fromkeys(records))
    ordered = sorted(unique, key=lambda r: r.line)
    if ordered and isinstance(ordered[0], Library):
        firsts = {(r.name, r.source, r.spec): r for r in reversed(ordered)}
        ordered = [r for r in ordered if firsts[(r.name, r.source, r.spec)] is r]
    return tuple(ordered)


def handle_magic_line(text: str, line: int, out: Collector) -> bool:
    """``%pip``/``%conda``/``!pip`` installs and ``%run``; True when the line was a magic."""
    stripped = text.strip()
    if not stripped.startswith(("%", "!")):
        return False
    words = stripped.lstrip("%!").split(maxsplit=1)
    command = words[0].lower() if words else ""
    rest = words[1] if len(words) > 1 else ""
    if command in ("pip", "pip3", "conda"):
        pip_libraries(rest, line, out)
    elif command == "run" and stripped.startswith("%"):
        run_dependency(rest, line, out)
    return True


def pip_libraries(arguments: str, line: int, out: Collector) -> None:
    """Packages of ``%pip install ...`` (``-r file`` recorded as ``pip-requirements``)."""
    try:
        words = shlex.split(arguments, comments=True)
    except ValueError:
        words = arguments.split()
    if not words or words[0] != "install":
        return
    words = words[1:]
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word in ("-r", "--requirement") and index < len(words):
            out.add("libraries", Library(line, words[index], "pip-requirements"))
            index += 1
        elif word in ("-e", "--editable") and index < len(words):
            out.add("libraries", Library(line, words[index], "pip"))
            index += 1
        elif word in _PIP_VALUE_FLAGS:
            index += 1
        elif not word.startswith("-"):
            out.add("libraries", requirement_library(word, line))


def requirement_library(requirement: str, line: int) -> Library:
    """``pandas==2.1`` -> name ``pandas``, spec ``==2.1``; wheels and URLs keep the whole text."""
    match = _REQUIREMENT.match(requirement)
    if "/" in requirement or "://" in requirement or requirement.endswith(".whl") or not match:
        return Library(line, requirement, "pip")
    return Library(line, match.group(1), "pip", match.group(2).strip())


def run_dependency(arguments: str, line: int, out: Collector) -> None:
    """``%run ./path $name="value"`` (the target may be quoted when it holds spaces)."""
    try:
        words = shlex.split(arguments)
    except ValueError:
        words = arguments.split()
    if not words:
        return
    pairs = []
    for word in words[1:]:
        name, sep, value = word.partition("=")
        if sep and name.startswith("$"):
            pairs.append((name[1:], value))
    out.add("dependencies", Dependency(line, "run", words[0], None, tuple(pairs)))


def magic_cell(text: str, first_line: int, out: Collector) -> None:
    """A ``%pip``/``%run`` cell outside Python: each magic line, ``\\`` continuations joined."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        start, joined = index, lines[index]
        while joined.rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
            joined = joined.rstrip()[:-1] + " " + lines[index]
        handle_magic_line(joined, first_line + start, out)
        index += 1


FS_READS = frozenset({"ls", "head", "cp", "mv"})
FS_WRITES = frozenset({"put", "rm", "mkdirs"})


def fs_paths(method: str, args: list[str | None], line: int, out: Collector) -> None:
    """``dbutils.fs.<method>`` paths: ``cp``/``mv`` read the first and write the second."""
    via = f"dbutils.fs.{method}"
    for mode, value in zip(_fs_modes(method), args, strict=False):
        if value:
            out.add("paths", PathRef(line, value, mode, via))


def _fs_modes(method: str) -> tuple[Direction, ...]:
    """What each path argument of ``dbutils.fs.<method>`` is; none for other methods."""
    if method in ("cp", "mv"):
        return ("read", "write")
    if method in FS_READS:
        return ("read",)
    if method in FS_WRITES:
        return ("write",)
    return ()
