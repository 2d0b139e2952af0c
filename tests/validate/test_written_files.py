"""A bundle written into an empty folder is told apart from memory exactly as a walk of the
folder tells it (generate skips the walk then)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dabgen_ci.validate.files import scan_files, written_files

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "demo_bundle"


def test_written_files_is_the_walk_of_an_empty_folder(tmp_path: Path) -> None:
    root = Path(shutil.copytree(GOLDEN, tmp_path / "bundle"))
    extra = {"src/nb.ipynb": json.dumps({"cells": [], "metadata": {}}).encode(),
             "src/plain.ipynb": b"[]", "src/x.SQL": b"-- Databricks notebook source\nselect 1\n",
             "src/y.py": b"print(1)\n"}
    for rel, data in extra.items():
        (root / rel).write_bytes(data)
    contents = {p.relative_to(root).as_posix(): p.read_bytes()
                for p in root.rglob("*") if p.is_file()}
    walked = scan_files(root)
    assert written_files(contents) == walked
    assert {"src/nb.ipynb", "src/x.SQL"} <= walked.notebooks
    assert not {"src/plain.ipynb", "src/y.py"} & walked.notebooks
