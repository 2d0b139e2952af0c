"""Bounded work on any input, and exit codes that tell the truth, through the CLI and the
workspace server: alias bombs, deep nesting, bodies of the wrong shape, endless paging.
Each ends with one line and exit 2 (input) or 3 (workspace), never 4, never a hang."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dabgen_ci.config import parse_config
from dabgen_ci.core.bundle.rtyaml import load as rt_load
from dabgen_ci.errors import BadInputError
from tests.commands.cli_support import live_env, run, run_json
from tests.core.test_limits import bomb, nested
from tests.servers.workspace_server import Request, WorkspaceServer


def one_error(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def bundle(demo_snapshot: Path, tmp_path: Path) -> Path:
    out = tmp_path / "bundle"
    assert run(["generate", "job", "1001", "--out", str(out), "--no-cli",
                "--workspace-snapshot", str(demo_snapshot)]).exit_code == 0
    return out


def test_validate_refuses_an_alias_bomb_before_building_it(bundle: Path) -> None:
    (bundle / "resources" / "bomb.yml").write_text(bomb(30))  # 10^30 values if expanded
    code, report = run_json(["validate", str(bundle), "--no-cli"])
    assert code == 1
    [diag] = [d for d in report["diagnostics"] if d["file"] == "resources/bomb.yml"]
    assert diag["severity"] == "error" and "refusing to read" in diag["summary"]


def test_validate_reports_deep_yaml_instead_of_crashing(bundle: Path) -> None:
    (bundle / "resources" / "deep.yml").write_text("a: " + "[" * 900 + "]" * 900 + "\n")
    code, report = run_json(["validate", str(bundle), "--no-cli"])
    assert code == 1
    assert any("nested more than" in d["summary"] for d in report["diagnostics"])


def test_config_and_round_trip_yaml_refuse_bombs() -> None:
    with pytest.raises(BadInputError, match="refusing to read"):
        parse_config("version: 1\n" + bomb(30))
    with pytest.raises(BadInputError, match="refusing to read"):
        rt_load(bomb(30))


def _snapshot_job(snapshot: Path, settings_extra: dict) -> None:
    job = json.loads((snapshot / "jobs/1001.json").read_text())
    job["settings"].update(settings_extra)
    (snapshot / "jobs/1001.json").write_text(json.dumps(job))


def test_json_nested_400_deep_is_bad_input(demo_snapshot: Path, tmp_path: Path) -> None:
    _snapshot_job(demo_snapshot, {"tags": nested(400)})
    out = tmp_path / "b"
    done = run(["generate", "job", "1001", "--out", str(out),
                "--workspace-snapshot", str(demo_snapshot)])
    assert done.exit_code == 2
    assert "nested more than 128 levels" in one_error(done.stderr)
    assert not out.exists()


def test_json_nested_past_the_parser_is_bad_input(demo_snapshot: Path, tmp_path: Path) -> None:
    (demo_snapshot / "jobs/1001.json").write_text(
        '{"job_id": 1001, "settings": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    done = run(["generate", "job", "1001", "--out", str(tmp_path / "b"),
                "--workspace-snapshot", str(demo_snapshot)])
    assert done.exit_code == 2 and "nested too deeply" in one_error(done.stderr)


def test_deep_job_from_the_workspace_is_a_workspace_error(demo_snapshot: Path,
                                                          tmp_path: Path) -> None:
    with WorkspaceServer(demo_snapshot) as server:
        body = {"job_id": 1001, "settings": {"name": "deep", "tags": nested(400)}}
        server.route("GET", "/api/2.2/jobs/get", lambda req: body)
        done = run(["generate", "job", "1001", "--out", str(tmp_path / "b")],
                   live_env(server))
    assert done.exit_code == 3 and "nested more than 128 levels" in one_error(done.stderr)


WRONG_SHAPES = [
    ("/api/2.2/jobs/get", [{"job_id": 1001}], "JSON array where an object"),
    ("/api/2.2/jobs/get", {"job_id": 1001, "settings": "name: x"}, "'settings' as a JSON string"),
    ("/api/2.2/jobs/get", {"job_id": 1001, "settings": {"name": "x", "tasks": [],
                                                        }, "next_page_token": 7},
     "page token that is not a string"),
    ("/api/2.0/workspace/export", {"content": "!!not base64!!", "file_type": "py"},
     "not valid base64"),
    ("/api/2.0/workspace/export", {"content": 12, "file_type": "py"},
     "'content' as a JSON number"),
]


@pytest.mark.parametrize(("route", "body", "message"), WRONG_SHAPES)
def test_bodies_of_the_wrong_shape_are_workspace_errors(demo_snapshot: Path, tmp_path: Path,
                                                        route: str, body: object,
                                                        message: str) -> None:
    out = tmp_path / "b"
    with WorkspaceServer(demo_snapshot) as server:
        server.route("GET", route, lambda req: body)
        done = run(["generate", "job", "1001", "--out", str(out)], live_env(server))
    assert done.exit_code == 3, done.output
    assert message in one_error(done.stderr)
    assert not out.exists()


def test_job_list_of_the_wrong_shape(demo_snapshot: Path, tmp_path: Path) -> None:
    with WorkspaceServer(demo_snapshot) as server:
        server.route("GET", "/api/2.2/jobs/list", lambda req: {"jobs": "all of them"})
        done = run(["generate", "job", "--all", "--out", str(tmp_path / "b")],
                   live_env(server))
    assert done.exit_code == 3 and "'jobs' as a JSON string" in one_error(done.stderr)


def test_a_job_list_that_never_ends_stops_at_the_cap(demo_snapshot: Path,
                                                     tmp_path: Path) -> None:
    with WorkspaceServer(demo_snapshot) as server:
        def endless(req: Request) -> dict:
            page = int(req.query.get("page_token") or 0)
            return {"jobs": [], "has_more": True, "next_page_token": str(page + 1)}

        server.route("GET", "/api/2.2/jobs/list", endless)
        done = run(["generate", "job", "--all", "--out", str(tmp_path / "b")],
                   live_env(server))
        asked = server.requests["GET /api/2.2/jobs/list"]
    assert done.exit_code == 3
    assert "still sending pages of the job list after 1000" in one_error(done.stderr)
    assert asked == 1000


def test_a_job_list_that_repeats_a_token_stops(demo_snapshot: Path, tmp_path: Path) -> None:
    with WorkspaceServer(demo_snapshot) as server:
        server.route("GET", "/api/2.2/jobs/list",
                     lambda req: {"jobs": [], "has_more": True, "next_page_token": "again"})
        done = run(["generate", "job", "--all", "--out", str(tmp_path / "b")],
                   live_env(server))
        asked = server.requests["GET /api/2.2/jobs/list"]
    assert done.exit_code == 3 and "repeated page token" in one_error(done.stderr)
    assert asked == 2


def test_a_job_whose_pages_never_end_stops_at_the_cap(demo_snapshot: Path,
                                                      tmp_path: Path) -> None:
    with WorkspaceServer(demo_snapshot) as server:
        def endless(req: Request) -> dict:
            page = int(req.query.get("page_token") or 0)
            return {"job_id": 1001, "settings": {"name": "x", "tasks": [
                {"task_key": f"t{page}"}]}, "next_page_token": str(page + 1)}

        server.route("GET", "/api/2.2/jobs/get", endless)
        done = run(["generate", "job", "1001", "--out", str(tmp_path / "b")],
                   live_env(server))
        asked = server.requests["GET /api/2.2/jobs/get"]
    assert done.exit_code == 3
    assert "still sending pages of job 1001 after 100" in one_error(done.stderr)
    assert asked == 100


def test_a_source_name_over_the_file_system_limit_is_reported_not_crashed(
        demo_snapshot: Path, tmp_path: Path) -> None:
    long_path = "/Users/data-eng@acme.com/" + "n" * 254  # + ".py" would be 257 bytes
    body = {"job_id": 77, "settings": {"name": "long", "tasks": [
        {"task_key": "t", "notebook_task": {"notebook_path": long_path}}]}}
    (demo_snapshot / "jobs/77.json").write_text(json.dumps(body))
    out = tmp_path / "b"
    with WorkspaceServer(demo_snapshot) as server:
        server.route("GET", "/api/2.0/workspace/export", lambda req: {
            "content": "IyBEYXRhYnJpY2tzIG5vdGVib29rIHNvdXJjZQpwcmludCgxKQo=",
            "file_type": "py"})
        code, report = run_json(["generate", "job", "77", "--out", str(out), "--no-cli"],
                                live_env(server))
    assert code == 1
    [diag] = [d for d in report["diagnostics"] if "has no local copy" in d["summary"]]
    assert "longer than 255 bytes" in diag["detail"]
    assert (out / "resources/long.job.yml").is_file() and not (out / "src").exists()
