"""StagedBundle keeps each file's checked path as text: the folder clash rule on strings,
the path rule before anything is staged, and files in nested folders written where named."""

from __future__ import annotations

from pathlib import Path

import pytest

from dabgen_ci.bundle_writer import StagedBundle
from dabgen_ci.core.paths import PathRefused
from dabgen_ci.errors import BadInputError
from tests.test_staged_bundle import tree


@pytest.mark.parametrize(("files", "clash"), [
    (["src/a/b/c", "src/a/b/c/d.py"], "src/a/b/c"),
    (["src", "src/x.py"], "src"),
    (["src/z/y", "src/z/y/x/w.py", "src/b", "src/b/c.py"], "src/b"),  # the first, sorted
])
def test_a_folder_that_is_also_a_file_is_named(tmp_path: Path, files: list[str],
                                               clash: str) -> None:
    with pytest.raises(BadInputError, match=f"^bundle file {clash} cannot be both"), \
            StagedBundle(tmp_path / "out", force=False) as staged:
        staged.commit(dict.fromkeys(files, b"x"))


def test_shared_prefixes_are_not_folders(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = {"src/a": b"1", "src/ab/c.py": b"2", "src/a.py": b"3", "src/abc": b"4",
             "src/deep/er/est/f.py": b"5", "databricks.yml": b"d"}
    with StagedBundle(out, force=False) as staged:
        staged.put("src/deep/er/est/f.py", b"5")
        staged.commit(files)
    assert tree(out) == files


@pytest.mark.parametrize("bad", ["../x.py", "src//a.py", "/etc/x", "src/./a", "src\\a"])
def test_a_path_the_rule_refuses_is_never_staged(tmp_path: Path, bad: str) -> None:
    with pytest.raises(PathRefused), StagedBundle(tmp_path / "out", force=False) as staged:
        staged.put(bad, b"x")
    with pytest.raises(PathRefused), StagedBundle(tmp_path / "out", force=False) as staged:
        staged.commit({bad: b"x"})
    assert not (tmp_path / "out").exists() and not (tmp_path / "x.py").exists()
