"""StagedBundle: files staged while the rest is produced, moved in at once, or nothing."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from dabgen_ci.bundle_writer import OutputError, StagedBundle, write_bundle
from dabgen_ci.errors import BadInputError


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_staged_early_then_committed(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    with StagedBundle(out, force=False) as staged:
        staged.put("src/a.py", b"a")
        staged.put("src/gone.py", b"left out of the final bundle")
        staged.put("resources/x.job.yml", b"first")
        staged.put("resources/x.job.yml", b"first")  # unchanged: not written again
        assert not out.joinpath("src").exists()  # nothing visible before the commit
        written = staged.commit({"databricks.yml": b"d", "src/a.py": b"a",
                                 "resources/x.job.yml": b"second"})
    assert written == ["databricks.yml", "resources/x.job.yml", "src/a.py"]
    assert tree(out) == {"databricks.yml": b"d", "resources/x.job.yml": b"second",
                         "src/a.py": b"a"}
    assert sorted(p.name for p in out.iterdir()) == ["databricks.yml", "resources", "src"]


def test_a_failure_while_producing_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "new" / "bundle"
    with pytest.raises(RuntimeError), StagedBundle(out, force=False) as staged:
        for n in range(50):
            staged.put(f"src/n{n}.py", b"x")
        raise RuntimeError("the workspace went away mid-export")
    assert list(tmp_path.iterdir()) == []


def test_a_background_write_that_fails_is_reported_at_commit(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    write_bundle(out, {"databricks.yml": b"old", "src/old.py": b"old"}, force=False)
    calls: list[Path] = []

    def full_disk(path: Path, content: bytes) -> None:
        calls.append(path)
        if len(calls) >= 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        path.write_bytes(content)

    files = {f"src/n{n}.py": b"x" for n in range(20)}
    with pytest.raises(OutputError, match="No space left on device"), \
            StagedBundle(out, force=True, write=full_disk) as staged:
        for rel, content in files.items():
            staged.put(rel, content)
        staged.commit({**files, "databricks.yml": b"new"})
    assert tree(out) == {"databricks.yml": b"old", "src/old.py": b"old"}
    assert sorted(p.name for p in out.iterdir()) == ["databricks.yml", "src"]


def test_a_file_that_is_also_a_folder_is_refused_before_the_move(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    with pytest.raises(BadInputError, match="both a file and a folder"), \
            StagedBundle(out, force=False) as staged:
        staged.put("src/a", b"file")
        staged.commit({"src/a": b"file", "src/a/b.py": b"inside"})
    assert not out.exists()


@pytest.mark.parametrize(("before", "only_written"), [
    ({}, True),  # a new folder
    ({"src/old.py": b"o", "resources/old.job.yml": b"r", "databricks.yml": b"d"}, True),
    ({"README.md": b"mine"}, False),  # --force keeps what dabgen does not own
    ({"notes/a.txt": b"mine", "src/old.py": b"o"}, False),
])
def test_only_written_says_whether_the_folder_holds_just_the_commit(
        tmp_path: Path, before: dict[str, bytes], only_written: bool) -> None:
    out = tmp_path / "bundle"
    for rel, data in before.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    files = {"databricks.yml": b"new", "src/a.py": b"a"}
    with StagedBundle(out, force=True) as staged:
        assert not staged.only_written
        staged.commit(files)
    assert staged.only_written is only_written
    assert (tree(out) == files) is only_written
