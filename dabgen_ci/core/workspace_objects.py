"""Workspace objects as plain records: what a source says about a path and what it exports.

They live in the core because the pure bundle layout places exported sources in the
bundle (``core/bundle/placement.py``) and must not import the adapters that fetch them;
``workspace/base.py`` re-exports both next to the protocol that returns them.
"""

from __future__ import annotations

from typing import NamedTuple


class ObjectInfo(NamedTuple):
    """What ``workspace/get-status`` and ``workspace/list`` say about one object."""

    path: str
    object_type: str  # NOTEBOOK | FILE | DIRECTORY | DESIGNER_FILE | LIBRARY | REPO | …
    language: str | None = None  # PYTHON | SQL | SCALA | R (notebooks only)


class ExportedObject(NamedTuple):
    """One object exported with ``workspace/export?format=AUTO`` (a single API call).

    ``file_type`` is the extension the export reports: ``py``/``sql``/``scala``/``r`` for a
    source notebook, ``ipynb`` for a Jupyter notebook, a file's own extension (or ``""``)
    for a workspace file.
    """

    path: str
    content: bytes
    file_type: str
    is_notebook: bool


#: A Lakeflow Designer notebook: a workspace object whose path keeps its whole
#: ``.designer.ipynb`` suffix and which exports as a Jupyter notebook only.
DESIGNER_FILE = "DESIGNER_FILE"
DESIGNER_SUFFIX = ".designer.ipynb"
#: Object types whose export is a notebook.
NOTEBOOK_TYPES = frozenset({"NOTEBOOK", DESIGNER_FILE})
