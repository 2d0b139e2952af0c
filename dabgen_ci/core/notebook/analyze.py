"""Static analysis of Databricks notebooks: what a notebook needs and touches, without
running it.

``analyze_notebook(source, language)`` accepts a Databricks SOURCE export (``# Databricks
notebook source`` header, ``COMMAND ----------`` separators, ``MAGIC`` cells), a Jupyter
``.ipynb`` document or a plain source file, and reports libraries, widgets and parameter
reads, notebook dependencies, tables and storage paths read or written, streaming, ML and
secret references (scope and key only), each with its notebook line.

Python is analysed with :mod:`ast`, SQL with a small tokenizer, Scala and R with token
rules; each cell is analysed in its own language (``%sql`` in a Python notebook is SQL).
The analysis is pure and never raises on odd code: what cannot be read is skipped and, for
Python that does not parse, explained in ``notes``.
"""

from __future__ import annotations

from dabgen_ci.core.notebook.cells import LANGUAGES, split_notebook
from dabgen_ci.core.notebook.common import Collector, magic_cell
from dabgen_ci.core.notebook.model import (
    Dependency,
    Library,
    MlUse,
    NotebookAnalysis,
    ParameterRef,
    PathRef,
    SecretRef,
    StreamingUse,
    TableRef,
    Widget,
)
from dabgen_ci.core.notebook.python import analyze_python
from dabgen_ci.core.notebook.scala_r import analyze_scala_r
from dabgen_ci.core.notebook.sql import analyze_sql

__all__ = [
    "Dependency",
    "Library",
    "MlUse",
    "NotebookAnalysis",
    "ParameterRef",
    "PathRef",
    "SecretRef",
    "StreamingUse",
    "TableRef",
    "Widget",
    "analyze_notebook",
]


def analyze_notebook(source: str, language: str) -> NotebookAnalysis:
    """Analyse one notebook; ``language`` is PYTHON/SQL/SCALA/R or a file extension
    (``py``, ``.sql``, ``ipynb``...). Raises BadInputError for an unknown language or an
    ``.ipynb`` that is not a Jupyter document."""
    notebook = split_notebook(source, language)
    out = Collector()
    languages: set[str] = set()
    for cell in notebook.cells:
        if cell.language in LANGUAGES:
            languages.add(cell.language)
        if cell.language == "PYTHON":
            analyze_python(cell.text, cell.first_line, out)
        elif cell.language == "SQL":
            analyze_sql(cell.text, cell.first_line, out)
        elif cell.language in ("SCALA", "R"):
            analyze_scala_r(cell.text, cell.language, cell.first_line, out)
        elif cell.language == "MAGIC":
            magic_cell(cell.text, cell.first_line, out)
    return out.finish(
        language=notebook.language,
        format=notebook.format,
        cells=len(notebook.cells),
        languages=tuple(sorted(languages)),
    )
