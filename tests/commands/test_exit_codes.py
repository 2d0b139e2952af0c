"""The exit-code contract: 0 valid, 1 validation errors, 2 bad input, 3 workspace error.

Each failure is one actionable line on stderr (or a JSON object with --json), never a
traceback, and never a half-written output directory. The commands run in-process
(``run_cli``); ``test_bad_token`` runs the binary as a child process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands.cli_support import live_env, run_cli, run_subprocess
from tests.servers.workspace_server import WorkspaceServer


def _assert_clean_failure(done, code: int, fragment: str) -> None:
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and fragment in lines[0], done.stderr


def test_unknown_job_is_a_workspace_error(workspace: WorkspaceServer, tmp_path: Path) -> None:
    out = tmp_path / "b"
    done = run_cli(["generate", "job", "999", "--out", str(out)], live_env(workspace))
    _assert_clean_failure(done, 3, "999")
    assert not out.exists()


def test_unknown_job_in_snapshot(demo_snapshot: Path, tmp_path: Path) -> None:
    done = run_cli(["generate", "job", "999", "--out", str(tmp_path / "b"),
                    "--workspace-snapshot", str(demo_snapshot)])
    _assert_clean_failure(done, 3, "jobs/999.json")


def test_permission_denied(workspace: WorkspaceServer, tmp_path: Path) -> None:
    workspace.fail("/api/2.2/jobs/get", 403, times=None)
    done = run_cli(["generate", "job", "1001", "--out", str(tmp_path / "b")],
                   live_env(workspace))
    _assert_clean_failure(done, 3, "permission denied")


def test_bad_token(workspace: WorkspaceServer, tmp_path: Path) -> None:
    """The exit-code contract of the installed binary, so as a child process: its exit
    status, one line on its stderr, and no token in anything the process wrote."""
    env = live_env(workspace, DATABRICKS_TOKEN="dapi-wrong-token-0123456789")
    done = run_subprocess(["generate", "job", "1001", "--out", str(tmp_path / "b")], env)
    _assert_clean_failure(done, 3, "authentication failed")
    assert "dapi-wrong-token-0123456789" not in done.stderr + done.stdout


def test_rate_limit_storm_retries_then_fails_clearly(workspace: WorkspaceServer,
                                                     tmp_path: Path) -> None:
    workspace.fail("/api/2.2/jobs/get", 429, times=None, headers={"Retry-After": "1"})
    done = run_cli(["generate", "job", "1001", "--out", str(tmp_path / "b")],
                   live_env(workspace, DABGEN_RETRY_TIMEOUT_SECONDS="2"))
    _assert_clean_failure(done, 3, "rate limited")
    assert workspace.requests["GET /api/2.2/jobs/get"] >= 2  # it did retry


def test_one_429_then_success(workspace: WorkspaceServer, tmp_path: Path) -> None:
    workspace.fail("/api/2.0/workspace/export", 429, times=1, headers={"Retry-After": "0"})
    done = run_cli(["generate", "job", "1001", "--out", str(tmp_path / "b")],
                   live_env(workspace))
    assert done.returncode == 0, done.stderr


def test_unreachable_workspace(tmp_path: Path) -> None:
    env = {"DATABRICKS_HOST": "http://127.0.0.1:9", "DATABRICKS_TOKEN": "x" * 12,
           "DATABRICKS_CONFIG_FILE": "/dev/null", "DABGEN_RETRY_TIMEOUT_SECONDS": "1"}
    done = run_cli(["generate", "job", "1", "--out", str(tmp_path / "b")], env)
    _assert_clean_failure(done, 3, "127.0.0.1:9")


def test_missing_snapshot_is_bad_input(tmp_path: Path) -> None:
    done = run_cli(["generate", "job", "1", "--out", str(tmp_path / "b"),
                    "--workspace-snapshot", str(tmp_path / "nope")])
    _assert_clean_failure(done, 2, "nope")


def test_malformed_job_json_is_bad_input(demo_snapshot: Path, tmp_path: Path) -> None:
    (demo_snapshot / "jobs/1001.json").write_text('{"job_id": 1001, "settings": {')
    done = run_cli(["generate", "job", "1001", "--out", str(tmp_path / "b"),
                    "--workspace-snapshot", str(demo_snapshot)])
    _assert_clean_failure(done, 2, "1001.json")


def test_non_empty_out_without_force(demo_snapshot: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    args = ["generate", "job", "1001", "--out", str(out), "--workspace-snapshot",
            str(demo_snapshot)]
    _assert_clean_failure(run_cli(args), 2, "--force")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert run_cli([*args, "--force"]).returncode == 0
    assert (out / "notes.txt").read_text() == "keep me"
    assert (out / "databricks.yml").is_file()


def test_no_selection_is_bad_usage(tmp_path: Path) -> None:
    done = run_cli(["generate", "job", "--out", str(tmp_path / "b")])
    _assert_clean_failure(done, 2, "no jobs selected")


@pytest.mark.parametrize("arg", ["abc", "0", "-5"])
def test_non_integer_job_id_is_usage_error(arg: str, tmp_path: Path) -> None:
    done = run_cli(["generate", "job", "--out", str(tmp_path / "b"), "--", arg])
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_missing_notebook_writes_bundle_and_exits_1(demo_snapshot: Path,
                                                    tmp_path: Path) -> None:
    (demo_snapshot / "workspace/Workspace/Users/data-eng@acme.com/sales/02_clean_orders.py"
     ).unlink()
    out = tmp_path / "b"
    done = run_cli(["generate", "job", "1001", "--out", str(out), "--json",
                    "--workspace-snapshot", str(demo_snapshot)])
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert any("02_clean_orders" in d["summary"] for d in errors), errors
    assert (out / "databricks.yml").is_file()


def test_json_error_object(tmp_path: Path) -> None:
    done = run_cli(["generate", "job", "1", "--out", str(tmp_path / "b"), "--json",
                    "--workspace-snapshot", str(tmp_path / "nope")])
    assert done.returncode == 2
    payload = json.loads(done.stdout)
    assert payload["ok"] is False and payload["exit_code"] == 2 and "nope" in payload["error"]
