"""write_snapshot: what a source hands out reads back identically through SnapshotSource."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dabgen_ci.errors import BadInputError
from dabgen_ci.workspace.base import ExportedObject
from dabgen_ci.workspace.snapshot import SnapshotSource
from dabgen_ci.workspace.snapshot_writer import write_snapshot
from tests.workspace.conftest import IPYNB, PY_NOTEBOOK, SQL_NOTEBOOK, make_job

OBJECTS = [
    ExportedObject("/Users/me/etl", PY_NOTEBOOK, "py", True),
    ExportedObject("/Users/me/report", SQL_NOTEBOOK, "sql", True),
    ExportedObject("/Users/me/explore", IPYNB, "ipynb", True),
    ExportedObject("/Users/me/Données brutes/a b.txt", "é\n".encode(), "txt", False),
    ExportedObject("/Users/me/lib/util.py", b"def f(): ...\n", "py", False),
]


def test_round_trip_through_snapshot_source(tmp_path: Path) -> None:
    jobs = [make_job(250, 250, clusters=3), make_job(7, name="Täglich")]
    written = write_snapshot(tmp_path / "out", jobs, OBJECTS)
    assert written[0] == tmp_path / "out" / "jobs" / "250.json"
    assert tmp_path / "out" / "workspace" / "Users" / "me" / "explore.ipynb" in written
    source = SnapshotSource(tmp_path / "out")
    assert source.get_job(250) == jobs[0]
    assert source.get_job(7) == jobs[1]
    for obj in OBJECTS:
        assert source.export(obj.path) == obj
    assert source.get_status("/Users/me/report").language == "SQL"


def test_job_json_is_readable_and_keeps_unicode(tmp_path: Path) -> None:
    write_snapshot(tmp_path, [make_job(7, name="Täglich")], [])
    text = (tmp_path / "jobs" / "7.json").read_text(encoding="utf-8")
    assert "Täglich" in text
    assert text.endswith("}\n")
    assert json.loads(text)["settings"]["tasks"][0]["unknown_task_field"] == 0


@pytest.mark.parametrize(
    ("file_type", "header"), [("py", "#"), ("sql", "--"), ("scala", "//"), ("r", "#")]
)
def test_a_source_notebook_without_header_gets_one(
    tmp_path: Path, file_type: str, header: str
) -> None:
    obj = ExportedObject("/nb", b"x = 1\n", file_type, True)
    (file,) = write_snapshot(tmp_path, [], [obj])
    assert file.read_bytes() == f"{header} Databricks notebook source\nx = 1\n".encode()
    assert SnapshotSource(tmp_path).get_status("/nb").object_type == "NOTEBOOK"


@pytest.mark.parametrize("path", ["/a/../../etc/passwd", "/..", "/", "", "/a/./b"])
def test_refuses_paths_outside_the_snapshot(tmp_path: Path, path: str) -> None:
    with pytest.raises(BadInputError, match="outside"):
        write_snapshot(tmp_path / "out", [], [ExportedObject(path, b"x", "txt", False)])
    assert not (tmp_path / "out").exists()


def test_never_writes_through_a_symlink_that_leaves_the_snapshot(tmp_path: Path) -> None:
    (tmp_path / "out" / "workspace").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out" / "workspace" / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(BadInputError, match="not empty"):
        write_snapshot(tmp_path / "out", [], [ExportedObject("/link/x", b"x", "", False)])
    # with force the old workspace/ is replaced whole: the link goes, never followed
    write_snapshot(tmp_path / "out", [], [ExportedObject("/link/x", b"x", "", False)],
                   force=True)
    assert list((tmp_path / "elsewhere").iterdir()) == []
    written = tmp_path / "out" / "workspace" / "link"
    assert not written.is_symlink() and (written / "x").read_bytes() == b"x"


def test_force_replaces_the_whole_snapshot_and_a_failure_keeps_the_old(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_snapshot(out, [make_job(1)], [ExportedObject("/a.txt", b"a", "txt", False)])
    write_snapshot(out, [make_job(2)], [], force=True)
    assert sorted(p.name for p in (out / "jobs").iterdir()) == ["2.json"]  # no stale job 1
    assert not (out / "workspace").exists()
    with pytest.raises(BadInputError, match="both be written"):
        write_snapshot(out, [make_job(3), make_job(3)], [], force=True)
    assert sorted(p.name for p in (out / "jobs").iterdir()) == ["2.json"]
    assert sorted(p.name for p in out.iterdir()) == ["jobs"]  # no staging left behind


@pytest.mark.parametrize(
    ("jobs", "objects", "message"),
    [
        ([{"settings": {}}], [], "job_id"),
        ([make_job(1), make_job(1)], [], "both be written"),
        ([], [ExportedObject("/a", b"", "html", True)], "expected py"),
        ([], [ExportedObject("/a.ipynb", b"{}", "ipynb", False)], "read back as a notebook"),
        ([], [ExportedObject("/a.py", PY_NOTEBOOK, "py", False)], "read back as a notebook"),
    ],
)
def test_inputs_the_format_cannot_hold(
    tmp_path: Path, jobs: list[dict], objects: list[ExportedObject], message: str
) -> None:
    with pytest.raises(BadInputError, match=message):
        write_snapshot(tmp_path / "out", jobs, objects)
    assert not (tmp_path / "out").exists()
