from __future__ import annotations

import errno
import io
import os
import zipfile
from pathlib import Path

import pytest

from dabgen_ci.bundle_writer import OutputError, write_bundle, zip_bytes
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
    with pytest.raises(BadInputError, match=r"goes up|absolute"):
        write_bundle(tmp_path / "b", {bad: b""}, force=False)
    assert not (tmp_path / "b").exists()


def test_zip_is_deterministic() -> None:
    first, second = zip_bytes(FILES), zip_bytes(dict(reversed(FILES.items())))
    assert first == second
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert names == sorted(FILES)


def _full_disk(after: int):
    """A writer that fails like a full disk once ``after`` files were written."""
    written: list[Path] = []

    def write(path: Path, content: bytes) -> None:
        if len(written) == after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        path.write_bytes(content)
        written.append(path)

    return write


def test_full_disk_while_staging_leaves_the_old_tree(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    write_bundle(out, FILES, force=False)
    before = {p.relative_to(out).as_posix(): p.read_bytes()
              for p in sorted(out.rglob("*")) if p.is_file()}
    with pytest.raises(OutputError, match="No space left on device"):
        write_bundle(out, {**FILES, "src/new.py": b"new"}, force=True, write=_full_disk(2))
    after = {p.relative_to(out).as_posix(): p.read_bytes()
             for p in sorted(out.rglob("*")) if p.is_file()}
    assert after == before
    assert sorted(p.name for p in out.iterdir()) == ["databricks.yml", "resources", "src"]


def test_full_disk_in_a_new_directory_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        write_bundle(tmp_path / "a" / "b" / "bundle", FILES, force=False, write=_full_disk(0))
    assert list(tmp_path.iterdir()) == []


def test_an_existing_out_directory_is_never_replaced(tmp_path: Path) -> None:
    """`out="."` from an MCP client is its root: entries move in, the directory stays."""
    out = tmp_path / "root"
    out.mkdir()
    inode = out.stat().st_ino
    write_bundle(out, FILES, force=False)
    assert out.stat().st_ino == inode
    write_bundle(out, FILES, force=True)
    assert out.stat().st_ino == inode and (out / "databricks.yml").is_file()


def test_force_refuses_a_symlink_among_the_owned_entries(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "bundle", tmp_path / "elsewhere"
    write_bundle(out, FILES, force=False)
    elsewhere.mkdir()
    (elsewhere / "keep.py").write_text("keep")
    (out / "resources" / "a.job.yml").unlink()
    (out / "resources").rmdir()
    (out / "resources").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(BadInputError, match="resources is a symbolic link"):
        write_bundle(out, FILES, force=True)
    assert (out / "resources").is_symlink() and (out / "databricks.yml").is_file()
    assert [p.name for p in elsewhere.iterdir()] == ["keep.py"]


def test_a_file_and_a_folder_of_the_same_name_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="both a file and a folder"):
        write_bundle(tmp_path / "b", {"src/a": b"1", "src/a/b.py": b"2"}, force=False)
    assert not (tmp_path / "b").exists()
