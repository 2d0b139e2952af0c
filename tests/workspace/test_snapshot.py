"""SnapshotSource: the snapshot format read from disk, answering like the 2.2 API."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from dabgen_ci.errors import BadInputError, NotFoundError
from dabgen_ci.workspace import ObjectInfo, WorkspaceSource, open_source
from dabgen_ci.workspace.snapshot import SnapshotSource
from tests.workspace.conftest import IPYNB, PY_NOTEBOOK, make_job, write_job, write_object

ME = "/Users/me@x.com"


def test_implements_the_protocol(snap: Path) -> None:
    source = SnapshotSource(snap)
    assert isinstance(source, WorkspaceSource)
    assert source.describe() == f"snapshot {snap}"


def test_missing_directory_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="does not exist"):
        SnapshotSource(tmp_path / "nope")


def test_get_job_keeps_every_task_in_order_and_unknown_fields(snap: Path) -> None:
    source = SnapshotSource(snap)
    job = source.get_job(250)
    assert [t["task_key"] for t in job["settings"]["tasks"]] == [f"t{i:03d}" for i in range(250)]
    assert job["settings"]["future_field"] == {"kept": True}
    assert len(job["settings"]["job_clusters"]) == 120
    assert source.calls["jobs/get"] == 3  # the pages the API would need


def test_unknown_job_names_the_missing_file(snap: Path) -> None:
    source = SnapshotSource(snap)
    with pytest.raises(NotFoundError) as err:
        source.get_job(123)
    assert str(err.value) == f"job 123 not found in snapshot {snap} (no jobs/123.json)"


def test_malformed_job_json_names_file_and_position(snap: Path) -> None:
    (snap / "jobs" / "9.json").write_text('{"job_id": 9,\n  "settings": {,}\n}')
    with pytest.raises(BadInputError) as err:
        SnapshotSource(snap).get_job(9)
    assert str(err.value).startswith(f"{snap / 'jobs' / '9.json'}: invalid JSON at line 2 column")


@pytest.mark.parametrize(
    ("text", "message"),
    [("[1]", "'settings' object"), ('{"job_id": 8, "settings": {}}', "does not match")],
)
def test_job_json_of_the_wrong_shape_is_bad_input(snap: Path, text: str, message: str) -> None:
    (snap / "jobs" / "9.json").write_text(text)
    with pytest.raises(BadInputError, match=message):
        SnapshotSource(snap).get_job(9)


def test_job_id_defaults_to_the_file_name(snap: Path) -> None:
    (snap / "jobs" / "9.json").write_text('{"settings": {"name": "n"}}')
    assert SnapshotSource(snap).get_job(9)["job_id"] == 9


def test_list_jobs_sorted_paged_like_the_api(snap: Path) -> None:
    source = SnapshotSource(snap)
    items = list(source.list_jobs())
    assert [i["job_id"] for i in items] == [7, 250]
    big = items[1]
    assert big["has_more"] is True
    assert len(big["settings"]["tasks"]) == 100
    assert len(big["settings"]["job_clusters"]) == 100
    assert "has_more" not in items[0]
    assert source.calls["jobs/list"] == 1


def test_list_jobs_counts_one_call_per_hundred(tmp_path: Path) -> None:
    for i in range(1, 231):
        write_job(tmp_path, make_job(i))
    source = SnapshotSource(tmp_path)
    assert len(list(source.list_jobs())) == 230
    assert source.calls["jobs/list"] == 3


def test_list_jobs_name_filter_is_exact_and_case_insensitive(snap: Path) -> None:
    source = SnapshotSource(snap)
    assert [j["job_id"] for j in source.list_jobs(name="daily etl")] == [7]
    assert list(source.list_jobs(name="Daily")) == []


def test_job_file_with_a_non_numeric_name_is_bad_input(snap: Path) -> None:
    (snap / "jobs" / "notes.json").write_text("{}")
    with pytest.raises(BadInputError, match=r"<job_id>\.json"):
        list(SnapshotSource(snap).list_jobs())


def test_get_status_of_each_kind(snap: Path) -> None:
    source = SnapshotSource(snap)
    assert source.get_status(f"{ME}/etl") == ObjectInfo(f"{ME}/etl", "NOTEBOOK", "PYTHON")
    assert source.get_status(f"{ME}/report").language == "SQL"
    assert source.get_status(f"{ME}/explore") == ObjectInfo(f"{ME}/explore", "NOTEBOOK", "PYTHON")
    assert source.get_status(f"{ME}/lib/util.py") == ObjectInfo(f"{ME}/lib/util.py", "FILE")
    assert source.get_status(f"{ME}/lib").object_type == "DIRECTORY"
    assert source.get_status("/").object_type == "DIRECTORY"
    path = f"{ME}/Données brutes/my notebook"
    assert source.get_status(path) == ObjectInfo(path, "NOTEBOOK", "SCALA")


def test_workspace_prefix_is_an_alias(snap: Path) -> None:
    info = SnapshotSource(snap).get_status(f"/Workspace{ME}/etl")
    assert info == ObjectInfo(f"/Workspace{ME}/etl", "NOTEBOOK", "PYTHON")


def test_a_notebook_is_not_also_a_file_at_its_extension(snap: Path) -> None:
    with pytest.raises(NotFoundError):
        SnapshotSource(snap).get_status(f"{ME}/etl.py")


def test_ipynb_language_from_metadata(snap: Path) -> None:
    write_object(snap, "nb/q.ipynb", IPYNB.replace(b'"python"', b'"sql"'))
    assert SnapshotSource(snap).get_status("/nb/q").language == "SQL"


def test_r_notebook_uses_the_hash_header(snap: Path) -> None:
    write_object(snap, "nb/stats.r", b"# Databricks notebook source\nx <- 1\n")
    assert SnapshotSource(snap).get_status("/nb/stats").language == "R"


def test_list_dir_sorted_with_paths(snap: Path) -> None:
    listing = SnapshotSource(snap).list_dir(ME)
    assert [(i.path, i.object_type) for i in listing] == [
        (f"{ME}/Données brutes", "DIRECTORY"),
        (f"{ME}/conf.yml", "FILE"),
        (f"{ME}/etl", "NOTEBOOK"),
        (f"{ME}/explore", "NOTEBOOK"),
        (f"{ME}/lib", "DIRECTORY"),
        (f"{ME}/report", "NOTEBOOK"),
    ]


def test_export_notebooks_and_files(snap: Path) -> None:
    source = SnapshotSource(snap)
    nb = source.export(f"{ME}/etl")
    assert (nb.content, nb.file_type, nb.is_notebook) == (PY_NOTEBOOK, "py", True)
    assert source.export(f"{ME}/explore")[2:] == ("ipynb", True)
    assert source.export(f"{ME}/conf.yml")[1:] == (b"a: 1\n", "yml", False)
    assert source.calls["workspace/export"] == 3


def test_missing_objects_and_bad_paths(snap: Path) -> None:
    source = SnapshotSource(snap)
    with pytest.raises(NotFoundError, match="/nope not found in snapshot"):
        source.export("/nope")
    with pytest.raises(NotFoundError):
        source.get_status(f"{ME}/lib/util.py/deeper")
    with pytest.raises(NotFoundError, match="not a directory"):
        source.list_dir(f"{ME}/etl")
    with pytest.raises(BadInputError, match="absolute"):
        source.get_status(f"{ME}/../../../etc")
    with pytest.raises(BadInputError, match="directory"):
        source.export(f"{ME}/lib")


def test_two_files_for_one_notebook_is_bad_input(snap: Path) -> None:
    write_object(snap, "Users/me@x.com/etl.sql", b"-- Databricks notebook source\n")
    with pytest.raises(BadInputError, match=r"etl\.py and etl\.sql"):
        SnapshotSource(snap).get_status(f"{ME}/etl")


def test_calls_counter_is_thread_safe(snap: Path) -> None:
    source = SnapshotSource(snap)
    threads = [
        threading.Thread(target=lambda: [source.get_status(f"{ME}/etl") for _ in range(50)])
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert source.calls["workspace/get-status"] == 400


def test_open_source_picks_the_snapshot(snap: Path) -> None:
    assert isinstance(open_source(snapshot=snap, profile=None), SnapshotSource)
    with pytest.raises(BadInputError, match="together"):
        open_source(snapshot=snap, profile="prod")


def test_notebook_header_with_crlf_and_bom(snap: Path) -> None:
    write_object(snap, "w/a.py", b"\xef\xbb\xbf# Databricks notebook source\r\nx = 1\r\n")
    assert SnapshotSource(snap).get_status("/w/a").object_type == "NOTEBOOK"


def test_a_lookup_only_considers_its_own_candidates(snap: Path) -> None:
    write_object(snap, "Users/me@x.com/etl.sql", b"-- Databricks notebook source\n")
    source = SnapshotSource(snap)
    assert source.get_status(f"{ME}/report").language == "SQL"  # the etl clash is elsewhere
    with pytest.raises(BadInputError, match="both"):
        source.list_dir(ME)
