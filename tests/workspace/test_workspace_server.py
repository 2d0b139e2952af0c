"""The local workspace server itself: API shapes, auth, paging, routes, faults, shutdown."""

from __future__ import annotations

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound

from tests.servers.workspace_server import ApiError, Request, Response, WorkspaceServer
from tests.workspace.conftest import IPYNB, make_job, write_job

ME = "/Users/me@x.com"


def get(
    srv: WorkspaceServer, endpoint: str, /, token: str | None = "test-token", **query: str | int
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(srv.url + endpoint, params=query, headers=headers, timeout=10)


def test_auth_answers_like_the_real_service(server: WorkspaceServer) -> None:
    missing = get(server, "/api/2.2/jobs/get", token=None, job_id=7)
    assert missing.status_code == 401
    assert missing.json() == {
        "error_code": 401,
        "message": "Credential was not sent or was of an unsupported type for this API.",
    }
    wrong = get(server, "/api/2.2/jobs/get", token="nope", job_id=7)
    assert (wrong.status_code, wrong.json()["message"]) == (403, "Invalid access token.")
    probe = requests.get(server.url + "/.well-known/databricks-config", timeout=10)
    assert probe.status_code == 404


def test_jobs_get_pages_each_array_by_100(server: WorkspaceServer) -> None:
    first = get(server, "/api/2.2/jobs/get", job_id=250).json()
    assert len(first["settings"]["tasks"]) == 100
    assert len(first["settings"]["job_clusters"]) == 100
    second = get(
        server, "/api/2.2/jobs/get", job_id=250, page_token=first["next_page_token"]
    ).json()
    assert second["settings"]["tasks"][0]["task_key"] == "t100"
    assert len(second["settings"]["job_clusters"]) == 20
    assert second["settings"]["name"] == "job 250"  # other properties repeat on every page
    third = get(
        server, "/api/2.2/jobs/get", job_id=250, page_token=second["next_page_token"]
    ).json()
    assert len(third["settings"]["tasks"]) == 50
    assert "job_clusters" not in third["settings"]
    assert "next_page_token" not in third


def test_jobs_get_errors(server: WorkspaceServer) -> None:
    unknown = get(server, "/api/2.2/jobs/get", job_id=123)
    assert unknown.status_code == 400
    assert unknown.json() == {
        "error_code": "INVALID_PARAMETER_VALUE",
        "message": "Job 123 does not exist.",
    }
    assert get(server, "/api/2.2/jobs/get").status_code == 400
    assert get(server, "/api/2.2/jobs/get", job_id=7, page_token="%%%").status_code == 400


def test_jobs_list_defaults_and_paging(tmp_path: Path, sdk_env: None) -> None:
    for i in range(1, 26):
        write_job(tmp_path, make_job(i, 2))
    with WorkspaceServer(tmp_path) as srv:
        page = get(srv, "/api/2.2/jobs/list").json()
        assert [j["job_id"] for j in page["jobs"]] == list(range(1, 21))
        assert page["has_more"] is True
        assert "tasks" not in page["jobs"][0]["settings"]
        assert "prev_page_token" not in page
        rest = get(srv, "/api/2.2/jobs/list", page_token=page["next_page_token"]).json()
        assert [j["job_id"] for j in rest["jobs"]] == list(range(21, 26))
        assert (rest["has_more"], "next_page_token" in rest) == (False, False)
        assert "prev_page_token" in rest
        by_offset = get(srv, "/api/2.2/jobs/list", offset=24, expand_tasks="true").json()
        assert [len(j["settings"]["tasks"]) for j in by_offset["jobs"]] == [2]
        assert get(srv, "/api/2.2/jobs/list", limit=101).status_code == 400
        assert get(srv, "/api/2.2/jobs/list", limit=0).status_code == 400


def test_jobs_list_pages_read_the_snapshot_once_per_listing(tmp_path: Path) -> None:
    """A page token points into the listing its first page read: paging through N jobs
    parses each job file once (not once per page), and a change made between pages shows
    in the next fresh listing, not halfway through this one."""
    for i in range(1, 26):
        write_job(tmp_path, make_job(i))
    with WorkspaceServer(tmp_path) as srv:
        page = get(srv, "/api/2.2/jobs/list", limit=10).json()
        reads = srv.snapshot.calls["jobs/list"]  # one per 100 items parsed from disk
        write_job(tmp_path, make_job(3, name="renamed"))
        (tmp_path / "jobs" / "25.json").unlink()
        ids = [j["job_id"] for j in page["jobs"]]
        while page.get("next_page_token"):
            page = get(srv, "/api/2.2/jobs/list", limit=10,
                       page_token=page["next_page_token"]).json()
            ids += [j["job_id"] for j in page["jobs"]]
        assert ids == list(range(1, 26))
        assert srv.snapshot.calls["jobs/list"] == reads == 1
        fresh = get(srv, "/api/2.2/jobs/list", limit=100).json()["jobs"]
        assert [j["job_id"] for j in fresh] == list(range(1, 25))
        assert fresh[2]["settings"]["name"] == "renamed"
        assert srv.snapshot.calls["jobs/list"] == 2
        prev = get(srv, "/api/2.2/jobs/list", limit=10, offset=10).json()["prev_page_token"]
        again = get(srv, "/api/2.2/jobs/list", limit=10, page_token=prev).json()["jobs"]
        assert [j["job_id"] for j in again] == list(range(1, 11))
        assert get(srv, "/api/2.2/jobs/list", page_token="b2Zmc2V0PXg").status_code == 400


def test_jobs_list_expanded_item_with_more_than_100_tasks(server: WorkspaceServer) -> None:
    body = get(server, "/api/2.2/jobs/list", expand_tasks="true", limit=100).json()
    small, big = body["jobs"]
    assert big["has_more"] is True
    assert len(big["settings"]["tasks"]) == 100
    assert "has_more" not in small
    assert body["has_more"] is False
    plain = get(server, "/api/2.2/jobs/list", limit=100).json()["jobs"][1]
    assert "has_more" not in plain and "tasks" not in plain["settings"]


def test_workspace_objects(server: WorkspaceServer) -> None:
    status = get(server, "/api/2.0/workspace/get-status", path=f"{ME}/conf.yml").json()
    assert status["object_type"] == "FILE" and status["size"] == 5
    assert isinstance(status["object_id"], int)
    nb = get(server, "/api/2.0/workspace/get-status", path=f"{ME}/etl").json()
    assert (nb["object_type"], nb["language"]) == ("NOTEBOOK", "PYTHON")
    missing = get(server, "/api/2.0/workspace/get-status", path="/nope")
    assert missing.status_code == 404
    assert missing.json() == {
        "error_code": "RESOURCE_DOES_NOT_EXIST",
        "message": "Path (/nope) doesn't exist.",
    }
    (server.snapshot.root / "workspace" / "empty").mkdir()
    assert get(server, "/api/2.0/workspace/list", path="/empty").json() == {}
    listed = get(server, "/api/2.0/workspace/list", path=f"{ME}/lib").json()["objects"]
    assert [o["path"] for o in listed] == [f"{ME}/lib/util.py"]
    assert get(server, "/api/2.0/workspace/list", path=f"{ME}/etl").status_code == 404


def test_export_formats(server: WorkspaceServer) -> None:
    def export(path: str, fmt: str) -> dict:
        return get(server, "/api/2.0/workspace/export", path=path, format=fmt).json()

    auto = export(f"{ME}/explore", "AUTO")
    assert (base64.b64decode(auto["content"]), auto["file_type"]) == (IPYNB, "ipynb")
    source = export(f"{ME}/explore", "SOURCE")
    assert source["file_type"] == "py"
    assert base64.b64decode(source["content"]) == b"# Databricks notebook source\nprint(1)\n"
    jupyter = export(f"{ME}/etl", "JUPYTER")
    cells = json.loads(base64.b64decode(jupyter["content"]))["cells"]
    assert [c["source"] for c in cells] == [["print('hi')"], ["x = 1"]]
    assert export(f"{ME}/conf.yml", "AUTO")["file_type"] == "yml"
    bad = get(server, "/api/2.0/workspace/export", path=f"{ME}/conf.yml", format="JUPYTER")
    assert bad.status_code == 400
    raw = get(server, "/api/2.0/workspace/export", path=f"{ME}/conf.yml", direct_download="true")
    assert raw.content == b"a: 1\n"


def test_scim_me_through_the_sdk(server: WorkspaceServer) -> None:
    client = WorkspaceClient(host=server.url, token=server.token)
    assert client.current_user.me().user_name == "dabgen@example.com"


def test_routes_can_be_added(server: WorkspaceServer) -> None:
    def cluster(req: Request) -> dict:
        if req.query["cluster_id"] != "abc":
            raise ApiError(400, f"Cluster {req.query['cluster_id']} does not exist")
        return {"cluster_id": "abc", "state": "RUNNING"}

    server.route("GET", "/api/2.1/clusters/get", cluster)
    server.route(
        "POST",
        "/api/2.2/jobs/run-now",
        lambda req: Response(200, {"run_id": req.json()["job_id"] * 10}),
    )
    client = WorkspaceClient(host=server.url, token=server.token)
    state = client.clusters.get("abc").state
    assert state is not None and state.value == "RUNNING"
    with pytest.raises(NotFound):  # the SDK maps this 400 to not-found, as for the real API
        client.clusters.get("zzz")
    assert client.jobs.run_now(7).run_id == 70
    assert server.requests["POST /api/2.2/jobs/run-now"] == 1
    unknown = get(server, "/api/2.0/nothing")
    assert unknown.json()["error_code"] == "ENDPOINT_NOT_FOUND"


def test_handler_bugs_become_500_and_are_kept(server: WorkspaceServer) -> None:
    server.route("GET", "/api/2.0/broken", lambda req: 1 / 0)
    response = get(server, "/api/2.0/broken")
    assert response.status_code == 500
    assert isinstance(server.errors[0], ZeroDivisionError)


def test_faults_count_down_and_match_method_prefixes(server: WorkspaceServer) -> None:
    server.fail("GET /api/2.2/jobs/", 503, times=2, headers={"Retry-After": "7"})
    first = get(server, "/api/2.2/jobs/list")
    assert (first.status_code, first.headers["Retry-After"]) == (503, "7")
    assert first.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
    assert get(server, "/api/2.2/jobs/get", job_id=7).status_code == 503
    assert get(server, "/api/2.2/jobs/get", job_id=7).status_code == 200
    server.fail(
        "/api/2.0/workspace",
        403,
        times=None,
        body={"error_code": "PERMISSION_DENIED", "message": "no"},
    )
    for _ in range(3):
        assert get(server, "/api/2.0/workspace/list", path="/").status_code == 403
    server.clear_faults()
    assert get(server, "/api/2.0/workspace/list", path="/").status_code == 200
    assert server.requests["GET /api/2.0/workspace/list"] == 4


def test_request_counts_are_thread_safe(server: WorkspaceServer) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(
            pool.map(lambda _: get(server, "/api/2.2/jobs/get", job_id=7).status_code, range(64))
        )
    assert codes == [200] * 64
    assert server.requests["GET /api/2.2/jobs/get"] == 64


def test_stop_leaves_no_threads(snap: Path) -> None:
    before = threading.active_count()
    with WorkspaceServer(snap) as srv:
        for _ in range(5):
            get(srv, "/api/2.2/jobs/get", job_id=7)
    assert threading.active_count() == before
