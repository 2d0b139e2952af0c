"""``write_file`` decides by its one ``open``: links refused with either flag, existing files
refused only with ``overwrite=False``, and every byte written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dabgen_ci.core.paths import PathRefused, write_file


@pytest.mark.parametrize("overwrite", [True, False])
def test_a_link_at_the_name_is_refused(tmp_path: Path, overwrite: bool) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("kept")
    (tmp_path / "to-file").symlink_to(outside)
    (tmp_path / "dangling").symlink_to(tmp_path / "not-yet.txt")
    for name in ("to-file", "dangling"):
        with pytest.raises(PathRefused, match=f"{name} is a symbolic link"):
            write_file(tmp_path / name, b"x", overwrite=overwrite)
    assert outside.read_text() == "kept" and not (tmp_path / "not-yet.txt").exists()


def test_an_existing_file_is_kept_without_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    write_file(target, b"one", overwrite=False)
    with pytest.raises(FileExistsError):
        write_file(target, b"two", overwrite=False)
    assert target.read_bytes() == b"one"


def test_large_content_is_written_whole(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 7)
    write_file(tmp_path / "big", data, overwrite=False)
    assert (tmp_path / "big").read_bytes() == data
    write_file(tmp_path / "big", b"")
    assert (tmp_path / "big").read_bytes() == b""
