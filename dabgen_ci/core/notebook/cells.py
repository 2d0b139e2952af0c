"""Split a notebook (Databricks SOURCE export, Jupyter ``.ipynb`` or a plain file) into cells.

Each cell keeps one text line per notebook line and the notebook line of its first line, so
every analyser can report notebook line numbers without knowing about the file format. The
``# MAGIC`` prefix of SOURCE exports is removed and a leading ``%sql``/``%python``... magic
decides the cell's language. For Jupyter notebooks lines are counted through the cells'
sources in order, as if the cells were concatenated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.errors import BadInputError

LANGUAGES = ("PYTHON", "SQL", "SCALA", "R")
_ALIASES = {
    "python": "PYTHON", "py": "PYTHON", "sql": "SQL", "scala": "SCALA", "r": "R",
}
_COMMENT = {"PYTHON": "#", "R": "#", "SQL": "--", "SCALA": "//"}
_PREFIX_LANGUAGE = {"#": "PYTHON", "--": "SQL", "//": "SCALA"}
_LANGUAGE_MAGICS = {
    "%python": "PYTHON", "%py": "PYTHON", "%sql": "SQL", "%scala": "SCALA", "%r": "R",
    "%md": "MARKDOWN", "%md-sandbox": "MARKDOWN",
}
_LINE_MAGICS = frozenset({"%pip", "%conda", "%run"})
_CELL_MAGICS = frozenset({"%sh", "%fs", "%skip", "%lsmagic"})


@dataclass(frozen=True)
class Cell:
    """One cell: ``language`` is a code language, MARKDOWN, MAGIC (``%pip``/``%run`` outside
    Python) or OTHER (``%sh``, ``%fs``...)."""

    language: str
    text: str
    first_line: int


@dataclass(frozen=True)
class SplitNotebook:
    language: str
    format: str  # SOURCE | JUPYTER | PLAIN
    cells: tuple[Cell, ...]


def normalize_language(language: str) -> tuple[str, bool]:
    """``(LANGUAGE, is_jupyter)`` from a workspace language or a file extension."""
    key = language.strip().lower().lstrip(".")
    if key == "ipynb":
        return "PYTHON", True
    if key in _ALIASES:
        return _ALIASES[key], False
    raise BadInputError(
        f"unknown notebook language {language!r}: use PYTHON, SQL, SCALA, R or a file extension"
    )


def split_notebook(source: str, language: str) -> SplitNotebook:
    lang, jupyter = normalize_language(language)
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    notebook = _load_jupyter(source) if jupyter or source.lstrip().startswith("{") else None
    if notebook is not None:
        return _split_jupyter(notebook, lang)
    if jupyter:
        raise BadInputError("the .ipynb source is not a Jupyter notebook (JSON with 'cells')")
    lines = source.split("\n")
    prefix = _header_prefix(lines[0] if lines else "")
    if prefix is None:
        cells = _split_source(lines, _COMMENT[lang], lang, header=False)
        return SplitNotebook(lang, "PLAIN", cells)
    if _COMMENT[lang] != prefix:  # the header wins over a wrong language argument
        lang = _PREFIX_LANGUAGE[prefix]
    return SplitNotebook(lang, "SOURCE", _split_source(lines, prefix, lang, header=True))


def _header_prefix(first_line: str) -> str | None:
    for prefix in ("#", "--", "//"):
        if first_line.strip() == f"{prefix} Databricks notebook source":
            return prefix
    return None


def _split_source(
    lines: list[str], prefix: str, language: str, *, header: bool
) -> tuple[Cell, ...]:
    separator = f"{prefix} COMMAND ----------"
    cells: list[Cell] = []
    start = 1
    chunk: list[str] = []
    for number, line in enumerate(lines, start=1):
        if header and number == 1:
            start = 2
            continue
        if line.strip() == separator:
            cells.append(_source_cell(chunk, start, prefix, language))
            start, chunk = number + 1, []
        else:
            chunk.append(line)
    cells.append(_source_cell(chunk, start, prefix, language))
    return tuple(c for c in cells if c.text.strip())


def _source_cell(lines: list[str], first_line: int, prefix: str, language: str) -> Cell:
    """Strip ``DBTITLE`` and ``MAGIC`` prefixes, then let a leading magic pick the language."""
    title, magic = f"{prefix} DBTITLE", f"{prefix} MAGIC"
    out = ["" if line.startswith(title) else line for line in lines]
    code = [line for line in out if line.strip()]
    if code and code[0].startswith(magic):
        out = [_strip_magic(line, magic) for line in out]
    return cell_from_text("\n".join(out), first_line, language)


def _strip_magic(line: str, magic: str) -> str:
    if not line.startswith(magic):
        return ""
    rest = line[len(magic):]
    return rest[1:] if rest.startswith(" ") else rest


def cell_from_text(text: str, first_line: int, default_language: str) -> Cell:
    """A cell whose first code line may be a magic (``%sql``, ``%%sql``, ``%pip``...).

    In a Python cell, ``%pip``/``%run`` and other line magics stay in the cell (the Python
    analyser handles them line by line, as Jupyter allows code after them); elsewhere a
    ``%pip``/``%run`` cell becomes a MAGIC cell and any other magic an OTHER cell.
    """
    lines = text.split("\n")
    index, first = next(((i, ln.strip()) for i, ln in enumerate(lines) if ln.strip()), (0, ""))
    token = first.split(maxsplit=1)[0] if first else ""
    word = token.lower()[1:] if token.startswith("%%") else token.lower()
    if word in _LANGUAGE_MAGICS:
        lines[index] = first[len(token):]
        return Cell(_LANGUAGE_MAGICS[word], "\n".join(lines), first_line)
    if word in _CELL_MAGICS or (word.startswith("%") and default_language != "PYTHON"):
        kind = "MAGIC" if word in _LINE_MAGICS else "OTHER"
        return Cell(kind, text, first_line)
    return Cell(default_language, text, first_line)


def _load_jupyter(source: str) -> JsonObject | None:
    try:
        notebook = json.loads(source)
    except (ValueError, RecursionError):  # nested too deeply for json: not a notebook
        return None
    if isinstance(notebook, dict) and isinstance(notebook.get("cells"), list):
        return notebook
    return None


def _jupyter_language(notebook: JsonObject, default: str) -> str:
    metadata = notebook.get("metadata") or {}
    candidates = [
        (metadata.get("application/vnd.databricks.v1+notebook") or {}).get("language"),
        (metadata.get("language_info") or {}).get("name"),
        (metadata.get("kernelspec") or {}).get("language"),
    ]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.lower() in _ALIASES:
            return _ALIASES[candidate.lower()]
    return default


def _split_jupyter(notebook: JsonObject, default: str) -> SplitNotebook:
    language = _jupyter_language(notebook, default)
    cells: list[Cell] = []
    line = 1
    for raw in notebook["cells"]:
        source = raw.get("source", "") if isinstance(raw, dict) else ""
        text = "".join(map(str, source)) if isinstance(source, list) else str(source)
        text = text.replace("\r\n", "\n").rstrip("\n")
        kind = raw.get("cell_type") if isinstance(raw, dict) else None
        if kind == "code" and text.strip():
            cells.append(cell_from_text(text, line, language))
        elif kind == "markdown" and text.strip():
            cells.append(Cell("MARKDOWN", text, line))
        line += text.count("\n") + 1
    return SplitNotebook(language, "JUPYTER", tuple(cells))
