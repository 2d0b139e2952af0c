"""A Lakeflow Designer notebook in a snapshot: stored and read back under its own name."""

from __future__ import annotations

import json
from pathlib import Path

from dabgen_ci.workspace.base import ExportedObject
from dabgen_ci.workspace.snapshot import SnapshotSource
from dabgen_ci.workspace.snapshot_writer import write_snapshot

NOTEBOOK = json.dumps({"cells": [], "metadata": {"language_info": {"name": "python"}},
                       "nbformat": 4, "nbformat_minor": 0}).encode()


def test_written_and_read_back_as_a_designer_file_at_the_same_path(tmp_path: Path) -> None:
    path = "/Users/me/flows/clean.designer.ipynb"
    written = write_snapshot(tmp_path, [], [ExportedObject(path, NOTEBOOK, "ipynb", True)])
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "workspace/Users/me/flows/clean.designer.ipynb"]
    source = SnapshotSource(tmp_path)
    info = source.get_status(path)
    assert (info.path, info.object_type, info.language) == (path, "DESIGNER_FILE", "PYTHON")
    assert source.export(path) == ExportedObject(path, NOTEBOOK, "ipynb", True)
    assert [i.path for i in source.list_dir("/Users/me/flows")] == [path]


def test_an_older_snapshot_with_a_doubled_suffix_still_reads(tmp_path: Path) -> None:
    folder = tmp_path / "workspace" / "Users" / "me"
    folder.mkdir(parents=True)
    (folder / "clean.designer.ipynb.ipynb").write_bytes(NOTEBOOK)
    info = SnapshotSource(tmp_path).get_status("/Users/me/clean.designer.ipynb")
    assert info.object_type == "NOTEBOOK"
