"""Sources asked for while the job list is still being read: each object exported once.

``generate`` asks for a job's sources as soon as the job is listed, so the downloads overlap
the rest of the listing and the planning. That must not change what is exported (the
minimum: one call per distinct object), the bytes written, or what a failure does.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from dabgen_ci.core.bundle.convert import export_paths
from dabgen_ci.errors import PermissionDeniedError, WorkspaceError
from dabgen_ci.flows.export import _WINDOW, Exporter, export_sources
from dabgen_ci.flows.generate import GenerateOptions, build_bundle, generate_jobs
from dabgen_ci.flows.select import JobSelection, select_jobs
from dabgen_ci.progress import NullProgress
from dabgen_ci.workspace.base import ExportedObject
from dabgen_ci.workspace.live import LiveSource
from dabgen_ci.workspace.snapshot import SnapshotSource
from tests.servers.workspace_server import ApiError, Request, WorkspaceServer
from tests.workspace.conftest import PY_NOTEBOOK, write_job, write_object

N = 40
EXPORT = "GET /api/2.0/workspace/export"
LIST = "GET /api/2.2/jobs/list"


def _notebooks(tmp_path: Path) -> tuple[SnapshotSource, list[str]]:
    root = tmp_path / "snap"
    (root / "jobs").mkdir(parents=True)
    paths = []
    for n in range(N):
        write_object(root, f"Shared/nb_{n:03d}.py", PY_NOTEBOOK + f"# {n}\n".encode())
        paths.append(f"/Shared/nb_{n:03d}")
    return SnapshotSource(root), paths


def test_paths_asked_early_are_exported_once_and_delivered_first(tmp_path: Path) -> None:
    source, paths = _notebooks(tmp_path)
    seen: list[str] = []
    with Exporter(source, parallelism=3) as exporter:
        exporter.ask(paths[:10])
        exporter.ask(paths[:5])  # asked again: nothing more
        result = export_sources(source, [*paths, "/Shared/gone"], progress=NullProgress(),
                                exporter=exporter,
                                on_result=lambda path, _: seen.append(path))
    assert source.calls["workspace/export"] == N + 1
    assert list(result.exported) == paths  # in the order wanted, whatever the arrival
    assert result.exported["/Shared/nb_012"].content.endswith(b"# 12\n")
    assert list(result.missing) == ["/Shared/gone"]
    assert sorted(seen) == sorted([*paths, "/Shared/gone"])


def test_another_spelling_of_an_object_asked_early_is_not_exported_again(
        tmp_path: Path) -> None:
    source, _ = _notebooks(tmp_path)
    with Exporter(source, parallelism=2) as exporter:
        exporter.ask(["/Workspace/Shared/nb_001", "/Shared/nb_002"])
        result = export_sources(source, ["/Shared/nb_001", "/Workspace/Shared/nb_002"],
                                progress=NullProgress(), exporter=exporter)
    assert source.calls["workspace/export"] == 2
    assert list(result.exported) == ["/Shared/nb_001", "/Workspace/Shared/nb_002"]
    assert [obj.path for obj in result.exported.values()] == list(result.exported)
    assert result.exported["/Workspace/Shared/nb_002"].content.endswith(b"# 2\n")


def test_what_was_asked_early_but_is_not_wanted_is_never_exported(tmp_path: Path) -> None:
    source, paths = _notebooks(tmp_path)
    gate = threading.Event()
    original = source.export

    def slow_export(path: str) -> ExportedObject:
        gate.wait()  # nothing finishes before the wanted list is known
        return original(path)

    source.export = slow_export  # type: ignore[method-assign]
    with Exporter(source, parallelism=1) as exporter:
        exporter.ask(paths)
        done = threading.Timer(0, gate.set)
        done.start()
        result = export_sources(source, [paths[-1]], progress=NullProgress(),
                                exporter=exporter)
    # One thread: at most its window had been handed over before the wanted list came.
    assert source.calls["workspace/export"] <= _WINDOW + 1
    assert list(result.exported) == [paths[-1]]


def test_a_failure_is_raised_where_the_outcomes_are_delivered(tmp_path: Path) -> None:
    source, paths = _notebooks(tmp_path)
    with Exporter(source, parallelism=1) as exporter:
        exporter.ask(["/Shared", *paths])  # a folder cannot be exported: the first fails
        with pytest.raises(Exception, match="is a directory"):
            export_sources(source, paths, progress=NullProgress(), exporter=exporter)
        with pytest.raises(Exception, match="is a directory"):
            exporter.ask(["/Shared/other"])  # and a caller still listing stops
    assert source.calls["workspace/export"] <= _WINDOW


def test_export_paths_follows_the_planners_rule() -> None:
    body = {"job_id": 1, "settings": {"name": "j", "tasks": [
        {"task_key": "a", "notebook_task": {"notebook_path": "/Users/a/nb"}},
        {"task_key": "b", "notebook_task": {"notebook_path": "/Users/a/nb"}},
        {"task_key": "c", "spark_python_task": {"python_file": "/Workspace/Users/a/x.py"}},
        {"task_key": "d", "dbt_task": {"project_directory": "/Users/a/dbt"}},
        {"task_key": "e", "notebook_task": {"notebook_path": "nb", "source": "GIT"}},
    ]}}
    assert export_paths(body) == ["/Users/a/nb", "/Workspace/Users/a/x.py"]
    git = {"job_id": 2, "settings": {"git_source": {"git_url": "u"}, "tasks": [
        {"task_key": "a", "notebook_task": {"notebook_path": "nb"}}]}}
    assert export_paths(git) == []
    refused = {"job_id": 3, "settings": {  # 2.0 settings beside tasks: the plan refuses it
        "notebook_task": {"notebook_path": "/x"},
        "tasks": [{"task_key": "a", "notebook_task": {"notebook_path": "/y"}},
                  {"task_key": "b", "notebook_task": {"notebook_path": "/z"}}]}}
    assert export_paths(refused) == []
    assert export_paths({"job_id": 4}) == []


# -- over HTTP, through generate ---------------------------------------------------------------

JOBS = 230  # three pages of jobs/list


def _workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for j in range(JOBS):
        write_job(root, {"job_id": 1000 + j, "settings": {"name": f"job {j:03d}", "tasks": [
            {"task_key": "own", "notebook_task": {"notebook_path": f"/Shared/own_{j:03d}"}},
            # the shared notebook spelled both ways: one object, exported once
            {"task_key": "shared", "depends_on": [{"task_key": "own"}], "notebook_task": {
                "notebook_path": "/Workspace/Shared/common" if j % 2 else "/Shared/common"}},
        ]}})
        write_object(root, f"Shared/own_{j:03d}.py", PY_NOTEBOOK + f"# {j}\n".encode())
    write_object(root, "Shared/common.py", PY_NOTEBOOK)
    return root


def _generate(server: WorkspaceServer, out: Path) -> Any:
    source = LiveSource.from_config(host=server.url, token=server.token)
    return generate_jobs(source, JobSelection(all=True),
                         GenerateOptions(out=out, run_cli=False, parallelism=4))


def test_downloads_start_while_the_job_list_is_read_and_stay_the_minimum(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none"))
    root = _workspace(tmp_path)
    exports_before_page: list[int] = []
    exported = threading.Event()
    with WorkspaceServer(root) as server:
        listing, export = server._jobs_list, server._export

        def jobs_list(req: Request) -> Any:
            if len(exports_before_page) == 2:  # the last page waits for a first export
                exported.wait(timeout=60)  # (which never comes if none was asked yet)
            exports_before_page.append(server.requests[EXPORT])
            return listing(req)

        def export_then_tell(req: Request) -> Any:
            answer = export(req)
            exported.set()
            return answer

        server.route("GET", "/api/2.2/jobs/list", jobs_list)
        server.route("GET", "/api/2.0/workspace/export", export_then_tell)
        result = _generate(server, tmp_path / "early" / "b")
        calls, before_page = dict(server.requests), list(exports_before_page)
        # The same bytes as when every source is exported after the listing.
        source = LiveSource.from_config(host=server.url, token=server.token)
        jobs = select_jobs(source, JobSelection(all=True))
        build_bundle(source, jobs, GenerateOptions(out=tmp_path / "late" / "b", run_cli=False),
                     NullProgress(), {})
    assert result.ok, result.diagnostics
    assert calls[LIST] == 3 and calls[EXPORT] == JOBS + 1  # the minimum
    assert dict(result.api_calls) == {"jobs/list": 3, "workspace/export": JOBS + 1}
    # The last page was asked for after some exports had been served: they overlapped.
    assert len(before_page) == 3 and before_page[-1] > 0
    assert _tree(tmp_path / "early" / "b") == _tree(tmp_path / "late" / "b")


def test_a_failed_download_while_listing_fails_the_run_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none"))
    threads = threading.active_count()
    with WorkspaceServer(_workspace(tmp_path)) as server:
        server.fail("/api/2.0/workspace/export", 403, times=None)
        with pytest.raises(PermissionDeniedError, match="permission denied reading /"):
            _generate(server, tmp_path / "b")
    assert not (tmp_path / "b").exists()
    assert threading.active_count() == threads  # the pool is shut down


def test_a_failed_listing_stops_the_downloads_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none"))
    threads = threading.active_count()
    with WorkspaceServer(_workspace(tmp_path)) as server:
        listing = server._jobs_list

        def jobs_list(req: Request) -> Any:
            if req.query.get("page_token"):
                raise ApiError(400, "injected failure of the second page")
            return listing(req)

        server.route("GET", "/api/2.2/jobs/list", jobs_list)
        with pytest.raises(WorkspaceError, match="the job list"):
            _generate(server, tmp_path / "b")
        exported = server.requests[EXPORT]
    assert exported <= 101  # only the first page's sources were ever asked for
    assert not (tmp_path / "b").exists()
    assert threading.active_count() == threads


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}
