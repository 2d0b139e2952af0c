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
from collections.abc import Mapping
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


def scan_files(root: Path, contents: Mapping[str, bytes] | None = None) -> BundleFiles:
    """Every file below ``root``. ``contents`` holds files the caller has just written there
    (bundle-relative path → bytes): their kind is told without reading them back.

    The walk is ``os.walk``'s (links to folders are not followed, the usual build and tool
    folders are skipped) on ``os.scandir`` entries, which know whether they are links
    without asking the file system again.
    """
    contents = contents or {}
    files: set[str] = set()
    notebooks: set[str] = set()
    outside: set[str] = set()
    todo: list[tuple[str, str]] = [(os.fspath(root), "")]
    while todo:
        directory, prefix = todo.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            if _is_dir(entry):
                if entry.name in _SKIP_DIRS:
                    continue
                if not entry.is_symlink():
                    todo.append((entry.path, rel + "/"))
                elif not is_inside(root, Path(entry.path)):
                    outside.add(rel)
                continue
            written = contents.get(rel)
            if written is not None:  # dabgen wrote it there just now: a regular file
                files.add(rel)
                if is_notebook_bytes(os.path.splitext(entry.name)[1], written):
                    notebooks.add(rel)
            elif entry.is_symlink() and not is_inside(root, Path(entry.path)):
                outside.add(rel)
            else:
                files.add(rel)
                if is_notebook(Path(entry.path)):
                    notebooks.add(rel)
    return BundleFiles(frozenset(files), frozenset(notebooks), frozenset(outside))


def written_files(contents: Mapping[str, bytes]) -> BundleFiles:
    """:func:`scan_files` of a folder that holds exactly ``contents`` (a bundle just written
    there, replacing whatever it held): told from memory, without walking a folder per job
    again."""
    return BundleFiles(frozenset(contents), frozenset(
        rel for rel, data in contents.items()
        if is_notebook_bytes(os.path.splitext(rel)[1], data)))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # through a link, as os.walk sorts names
    except OSError:
        return False


def is_notebook(path: Path) -> bool:
    ext = path.suffix.lower()
    try:
        if ext == ".ipynb":
            return is_notebook_bytes(ext, path.read_bytes())
        if ext not in _HEADERS:
            return False
        with path.open("rb") as fh:
            return is_notebook_bytes(ext, fh.read(_HEADER_BYTES))
    except OSError:
        return False


def is_notebook_bytes(ext: str, content: bytes) -> bool:
    """:func:`is_notebook` for a file's content (``ext`` with its dot, any case)."""
    ext = ext.lower()
    if ext == ".ipynb":
        try:
            doc = json.loads(content)
        except (ValueError, RecursionError):  # deep JSON is not a notebook either
            return False
        return isinstance(doc, dict) and "cells" in doc and "metadata" in doc
    header = _HEADERS.get(ext)
    if header is None:
        return False
    first = content[:_HEADER_BYTES].split(b"\n", 1)[0].rstrip(b"\r")
    return first.decode("utf-8", "replace") == header
