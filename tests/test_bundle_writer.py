from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from dabgen_ci.bundle_writer import write_bundle, zip_bytes
from dabgen_ci.errors import BadInputError

FILES = {"databricks.yml": b"bundle:\n  name: x\n", "resources/a.job.yml": b"a\n",
         "src/ü n/nb.py": b"# Databricks notebook source\n"}


def test_writes_into_missing_dir(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    assert write_bundle(out, FILES, force=False) == sorted(FILES)
    assert (out / "src" / "ü n" / "nb.py").read_bytes() == FILES["src/ü n/nb.py"]
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]  # no staging left behind


def test_refuses_non_empty_without_force(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(BadInputError, match="--force"):
        write_bundle(out, FILES, force=False)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_force_replaces_only_owned_entries(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    write_bundle(out, {**FILES, "src/stale.py": b"old"}, force=False)
    (out / "README.md").write_text("mine")
    write_bundle(out, FILES, force=True)
    assert not (out / "src" / "stale.py").exists()
    assert (out / "README.md").read_text() == "mine"
    assert (out / "resources" / "a.job.yml").read_bytes() == b"a\n"


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "src/../../x"])
def test_refuses_paths_outside(tmp_path: Path, bad: str) -> None:
    with pytest.raises(BadInputError, match="outside"):
        write_bundle(tmp_path / "b", {bad: b""}, force=False)
    assert not (tmp_path / "b").exists()


def test_zip_is_deterministic() -> None:
    first, second = zip_bytes(FILES), zip_bytes(dict(reversed(FILES.items())))
    assert first == second
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert names == sorted(FILES)
