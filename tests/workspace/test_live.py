"""LiveSource through the real WorkspaceClient against the local workspace server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dabgen_ci.errors import NotFoundError, PermissionDeniedError, WorkspaceError
from dabgen_ci.workspace import WorkspaceSource, open_source
from dabgen_ci.workspace.base import ExportedObject, ObjectInfo
from dabgen_ci.workspace.live import LiveSource
from tests.servers.workspace_server import WorkspaceServer
from tests.workspace.conftest import IPYNB, PY_NOTEBOOK, SQL_NOTEBOOK, make_job, write_job

ME = "/Users/me@x.com"
JOBS_GET = "GET /api/2.2/jobs/get"
JOBS_LIST = "GET /api/2.2/jobs/list"
EXPORT = "GET /api/2.0/workspace/export"


def live(srv: WorkspaceServer, retry: int = 3, token: str | None = None) -> LiveSource:
    return LiveSource.from_config(
        host=srv.url, token=token or srv.token, retry_timeout_seconds=retry
    )


def test_implements_the_protocol(server: WorkspaceServer) -> None:
    source = live(server)
    assert isinstance(source, WorkspaceSource)
    assert source.describe() == server.url


def test_get_job_merges_all_pages_in_order_keeping_unknown_fields(server: WorkspaceServer) -> None:
    source = live(server)
    job = source.get_job(250)
    assert job == make_job(250, 250, clusters=120)  # every task, cluster and unknown field
    assert "next_page_token" not in job
    assert server.requests[JOBS_GET] == 3
    assert source.calls["jobs/get"] == 3


def test_small_job_is_one_call(server: WorkspaceServer) -> None:
    source = live(server)
    assert source.get_job(7) == make_job(7, 3, name="Daily ETL")
    assert server.requests[JOBS_GET] == 1


def test_list_jobs_pages_through_230_jobs(tmp_path: Path, sdk_env: None) -> None:
    for i in range(1, 231):
        write_job(tmp_path, make_job(i, 150 if i == 42 else 2))
    with WorkspaceServer(tmp_path) as srv:
        source = live(srv)
        items = list(source.list_jobs())
        assert [i["job_id"] for i in items] == list(range(1, 231))
        assert srv.requests[JOBS_LIST] == 3
        assert source.calls["jobs/list"] == 3
        big = items[41]
        assert big["has_more"] is True
        assert len(big["settings"]["tasks"]) == 100
        assert all("has_more" not in i for i in items if i["job_id"] != 42)
        assert len(source.get_job(42)["settings"]["tasks"]) == 150


def test_list_jobs_by_name(server: WorkspaceServer) -> None:
    assert [j["job_id"] for j in live(server).list_jobs(name="DAILY ETL")] == [7]
    assert list(live(server).list_jobs(name="nothing")) == []


def test_export_notebooks_and_files(server: WorkspaceServer) -> None:
    source = live(server)
    assert source.export(f"{ME}/etl") == ExportedObject(f"{ME}/etl", PY_NOTEBOOK, "py", True)
    assert source.export(f"{ME}/report") == ExportedObject(
        f"{ME}/report", SQL_NOTEBOOK, "sql", True
    )
    assert source.export(f"{ME}/explore") == ExportedObject(f"{ME}/explore", IPYNB, "ipynb", True)
    util = source.export(f"{ME}/lib/util.py")
    assert (util.file_type, util.is_notebook) == ("py", False)
    assert server.requests[EXPORT] == 4  # one call per object


def test_unicode_and_spaces_in_paths(server: WorkspaceServer) -> None:
    source = live(server)
    path = f"{ME}/Données brutes/my notebook"
    assert source.get_status(path) == ObjectInfo(path, "NOTEBOOK", "SCALA")
    assert source.export(path).content == b"// Databricks notebook source\nval x = 1\n"
    assert source.list_dir(f"{ME}/Données brutes") == [ObjectInfo(path, "NOTEBOOK", "SCALA")]


def test_get_status_and_list_dir(server: WorkspaceServer) -> None:
    source = live(server)
    assert source.get_status(f"{ME}/lib") == ObjectInfo(f"{ME}/lib", "DIRECTORY")
    assert [i.path for i in source.list_dir(ME)][:3] == [
        f"{ME}/Données brutes",
        f"{ME}/conf.yml",
        f"{ME}/etl",
    ]


def test_not_found(server: WorkspaceServer) -> None:
    source = live(server)
    with pytest.raises(NotFoundError, match=f"job 123 not found on {server.url}"):
        source.get_job(123)  # the API's 400 INVALID_PARAMETER_VALUE "Job 123 does not exist."
    with pytest.raises(NotFoundError, match="/nope not found"):
        source.export("/nope")
    server.fail("/api/2.0/workspace/get-status", 404, body={"message": "Path (/x) doesn't exist."})
    with pytest.raises(NotFoundError):
        source.get_status(f"{ME}/etl")


def test_permission_denied(server: WorkspaceServer) -> None:
    server.fail(
        "/api/2.2/jobs/get",
        403,
        body={
            "error_code": "PERMISSION_DENIED",
            "message": "User x does not have View permissions on job 7",
        },
    )
    with pytest.raises(PermissionDeniedError, match="permission denied reading job 7"):
        live(server).get_job(7)


@pytest.mark.parametrize("how", ["401", "wrong token"])
def test_authentication_failures_never_show_the_token(server: WorkspaceServer, how: str) -> None:
    token = server.token if how == "401" else "dapi-wrong-secret"
    if how == "401":
        server.fail("/api/2.2/jobs/get", 401)
    with pytest.raises(WorkspaceError) as err:
        live(server, token=token).get_job(7)
    assert str(err.value) == (
        f"authentication failed for {server.url}: check DATABRICKS_TOKEN or --profile"
    )
    assert type(err.value) is WorkspaceError
    assert token not in str(err.value)


def test_no_credentials_at_all(sdk_env: None) -> None:
    with pytest.raises(WorkspaceError, match="authentication failed for the default workspace"):
        LiveSource.from_config()


def test_rate_limit_storm_gives_up_after_the_retry_timeout(server: WorkspaceServer) -> None:
    server.fail("/api/2.2/jobs/get", 429, times=None, headers={"Retry-After": "0"})
    with pytest.raises(WorkspaceError) as err:
        live(server, retry=1).get_job(7)
    assert str(err.value) == (
        f"rate limited by {server.url} after retrying for 1 s; try again later"
    )
    assert server.requests[JOBS_GET] >= 2  # the SDK retried


@pytest.mark.parametrize("status", [429, 503])
def test_one_transient_error_then_success(server: WorkspaceServer, status: int) -> None:
    server.fail("/api/2.2/jobs/get", status, times=1, headers={"Retry-After": "0"})
    assert live(server).get_job(7)["job_id"] == 7
    assert server.requests[JOBS_GET] == 2


def test_server_error_is_not_retried(server: WorkspaceServer) -> None:
    server.fail(
        "/api/2.0/workspace/export", 500, body={"error_code": "INTERNAL_ERROR", "message": "boom"}
    )
    with pytest.raises(WorkspaceError, match=r"failed reading .*HTTP 500: boom"):
        live(server).export(f"{ME}/etl")
    assert server.requests[EXPORT] == 1


def test_503_storm_says_unavailable(server: WorkspaceServer) -> None:
    server.fail("/api/2.0/workspace/export", 503, times=None, headers={"Retry-After": "0"})
    with pytest.raises(WorkspaceError, match="temporarily unavailable after retrying for 1 s"):
        live(server, retry=1).export(f"{ME}/etl")


def test_unreachable_host(snap: Path, sdk_env: None) -> None:
    with WorkspaceServer(snap) as srv:
        source = live(srv, retry=1)
    with pytest.raises(WorkspaceError, match=f"cannot reach {srv.url}"):
        source.get_job(1)  # the port was just closed


def test_concurrent_exports_count_every_call(server: WorkspaceServer) -> None:
    source = live(server)
    paths = [f"{ME}/etl", f"{ME}/report", f"{ME}/explore", f"{ME}/conf.yml"] * 10
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(source.export, paths))
    assert [r.path for r in results] == paths
    assert source.calls["workspace/export"] == 40
    assert server.requests[EXPORT] == 40


def test_open_source_uses_the_environment(
    server: WorkspaceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABRICKS_HOST", server.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", server.token)
    source = open_source(snapshot=None, profile=None)
    assert isinstance(source, LiveSource)
    assert source.get_job(7)["job_id"] == 7


def test_a_non_json_answer_is_a_workspace_error(server: WorkspaceServer) -> None:
    server.route("GET", "/api/2.2/jobs/get", lambda req: b"<html>proxy login</html>")
    with pytest.raises(WorkspaceError, match="not JSON"):
        live(server).get_job(7)


def test_a_page_token_that_repeats_stops_paging(server: WorkspaceServer) -> None:
    page = {"job_id": 7, "settings": {"tasks": [{"task_key": "a"}]}, "next_page_token": "same"}
    server.route("GET", "/api/2.2/jobs/get", lambda req: page)
    with pytest.raises(WorkspaceError, match="repeated page token"):
        live(server).get_job(7)
    assert server.requests[JOBS_GET] == 2
