"""The bundle's local files, and which of them the Databricks CLI would treat as notebooks.

This is the only file-system access the rules need, gathered once so the rules stay pure.
A symbolic link that leaves the bundle root is never read (confinement: see
:mod:`dabgen_ci.core.paths`); it is listed in ``links_outside`` so the report can say why
the file it stands for is missing.
Notebook detection follows ``libs/notebook/detect.go``: a ``.py``/``.r``/``.scala``/``.sql``
file is a notebook only if its first line is the ``Databricks notebook source`` header; an
``.ipynb`` file only if it is JSON with ``cells`` and ``metadata``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

from dabgen_ci.core.paths import is_inside

_SKIP_DIRS = frozenset({".git", ".databricks", "__pycache__", ".venv", "node_modules"})
_HEADERS = {
    ".py": "# Databricks notebook source",
    ".r": "# Databricks notebook source",
    ".scala": "// Databricks notebook source",
    ".sql": "-- Databricks notebook source",
}
_HEADER_BYTES = 32


class BundleFiles(NamedTuple):
    """Relative POSIX paths of every file, the subset that are notebooks, and the links
    that lead out of the root (not read, not in ``files``)."""

    files: frozenset[str]
    notebooks: frozenset[str]
    links_outside: frozenset[str] = frozenset()


def scan_files(root: Path) -> BundleFiles:
    files: set[str] = set()
    notebooks: set[str] = set()
    outside: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in [*filenames, *(d for d in dirnames if os.path.islink(Path(dirpath, d)))]:
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            if full.is_symlink() and not is_inside(root, full):
                outside.add(rel)
            elif name in filenames:
                files.add(rel)
                if is_notebook(full):
                    notebooks.add(rel)
    return BundleFiles(frozenset(files), frozenset(notebooks), frozenset(outside))


def is_notebook(path: Path) -> bool:
    ext = path.suffix.lower()
    try:
        if ext == ".ipynb":
            doc = json.loads(path.read_bytes())
            return isinstance(doc, dict) and "cells" in doc and "metadata" in doc
        header = _HEADERS.get(ext)
        if header is None:
            return False
        with path.open("rb") as fh:
            head = fh.read(_HEADER_BYTES)
    except (OSError, ValueError, RecursionError):  # deep JSON is not a notebook either
        return False
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    return first.decode("utf-8", "replace") == header
