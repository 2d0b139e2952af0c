"""``generate path``, ``validate``, ``snapshot`` and ``roundtrip`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.commands.cli_support import live_env, run, run_cli, run_json
from tests.servers.workspace_server import WorkspaceServer

SALES = "/Workspace/Users/data-eng@acme.com/sales"


def test_generate_path_builds_one_job_from_a_folder(workspace: WorkspaceServer,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "b"
    code, report = run_json(["generate", "path", SALES, "--out", str(out),
                             "--job-name", "Sales pipeline"], live_env(workspace))
    assert code == 0, report
    resource = yaml.safe_load((out / "resources/sales_pipeline.job.yml").read_text())
    job = resource["resources"]["jobs"]["sales_pipeline"]
    keys = [t["task_key"] for t in job["tasks"]]
    assert keys[:3] == ["01_ingest_orders", "02_clean_orders", "03_aggregate_daily"]
    assert job["tasks"][1]["depends_on"] == [{"task_key": "01_ingest_orders"}]
    params = {p["name"]: p["default"] for p in job["parameters"]}
    assert params["source"] == "s3://acme-landing/orders/" and "region" in params
    sql_task = job["tasks"][2]["notebook_task"]
    assert sql_task["warehouse_id"] == "${var.warehouse_id}"
    assert report["api_calls"]["workspace/export"] == 4  # each notebook exported once


def test_generate_path_rejects_bad_paths(workspace: WorkspaceServer, tmp_path: Path) -> None:
    env = live_env(workspace)
    for bad, code in [("relative/path", 2), ("/Workspace/../etc", 2),
                      (f"{SALES}/01_ingest_orders", 2), ("/Workspace/nowhere", 3)]:
        done = run_cli(["generate", "path", bad, "--out", str(tmp_path / "b")], env)
        assert done.returncode == code, (bad, done.stderr)
        assert "Traceback" not in done.stderr
        assert not (tmp_path / "b").exists()


def test_validate_command(demo_snapshot: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    assert run(["generate", "job", "1001", "--out", str(out), "--workspace-snapshot",
                str(demo_snapshot)]).exit_code == 0
    ok = run(["validate", str(out)])
    assert ok.exit_code == 0 and ok.stdout.startswith("OK: 0 error(s)")
    job_file = out / "resources/nightly_sales_etl.job.yml"
    job_file.write_text(job_file.read_text().replace("task_key: ingest_orders\n",
                                                     "task_key: ingest_orderz\n", 1))
    code, report = run_json(["validate", str(out)])
    assert code == 1
    problems = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert any(d["file"] == "resources/nightly_sales_etl.job.yml" and d["line"]
               and "ingest_orders" in d["summary"] for d in problems), problems
    assert run_cli(["validate", str(tmp_path / "missing")]).returncode == 2


def test_snapshot_then_generate_offline(workspace: WorkspaceServer, tmp_path: Path) -> None:
    snap = tmp_path / "snap-out"
    done = run_cli(["snapshot", "--job", "1001", "--job", "1003", "--out", str(snap)],
                   live_env(workspace))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (snap / "jobs").iterdir()) == ["1001.json", "1003.json"]
    code, report = run_json(["generate", "job", "1001", "1003", "--out", str(tmp_path / "b"),
                             "--workspace-snapshot", str(snap)])
    assert code == 0, report
    assert report["roundtrip_differences"] == []


def test_roundtrip_command_detects_drift(workspace: WorkspaceServer, demo_snapshot: Path,
                                         tmp_path: Path) -> None:
    out = tmp_path / "b"
    env = live_env(workspace)
    assert run(["generate", "job", "1001", "1002", "--out", str(out)], env).exit_code == 0
    same = run(["roundtrip", str(out), "--job", "1001", "--job", "1002"], env)
    assert same.exit_code == 0, same.stdout
    job_file = demo_snapshot / "jobs/1001.json"  # the workspace changes after generation
    body = json.loads(job_file.read_text())
    body["settings"]["max_concurrent_runs"] = 4
    job_file.write_text(json.dumps(body))
    code, report = run_json(["roundtrip", str(out), "--job", "1001"], env)
    assert code == 1
    assert [d["path"] for d in report["differences"]] == [
        "resources.jobs.nightly_sales_etl.max_concurrent_runs"]


def test_job_with_more_than_100_tasks(demo_snapshot: Path, workspace: WorkspaceServer,
                                      tmp_path: Path) -> None:
    tasks = [{"task_key": f"t{i:03d}", "notebook_task": {
        "notebook_path": "/Workspace/Users/data-eng@acme.com/common/quality_checks"},
        **({"depends_on": [{"task_key": f"t{i - 1:03d}"}]} if i else {})} for i in range(130)]
    (demo_snapshot / "jobs/500.json").write_text(json.dumps(
        {"job_id": 500, "settings": {"name": "Wide", "tags": {"big": "yes"}, "tasks": tasks}}))
    out = tmp_path / "b"
    code, report = run_json(["generate", "job", "--tag", "big=yes", "--out", str(out)],
                            live_env(workspace))
    assert code == 0, report
    assert report["api_calls"]["jobs/get"] == 2  # has_more in the list → paged jobs/get
    job = yaml.safe_load((out / "resources/wide.job.yml").read_text())["resources"]["jobs"]
    assert [t["task_key"] for t in job["wide"]["tasks"]] == [t["task_key"] for t in tasks]


def test_snapshot_reports_sources_that_do_not_exist(workspace: WorkspaceServer,
                                                    demo_snapshot: Path, tmp_path: Path) -> None:
    (demo_snapshot / "workspace/Workspace/Users/data-eng@acme.com/ml/evaluate.py").unlink()
    done = run_cli(["snapshot", "--job", "1004", "--out", str(tmp_path / "s")],
                   live_env(workspace))
    assert done.returncode == 0, done.stderr
    assert "warning: /Workspace/Users/data-eng@acme.com/ml/evaluate.py not exported" in done.stderr
    assert "1 source(s) missing" in done.stdout


def test_snapshot_force_replaces_the_snapshot_whole(workspace: WorkspaceServer,
                                                    tmp_path: Path) -> None:
    snap = tmp_path / "taken"
    first = run(["snapshot", "--job", "1001", "--out", str(snap)], live_env(workspace))
    assert first.exit_code == 0, first.stderr
    refused = run(["snapshot", "--job", "1003", "--out", str(snap)], live_env(workspace))
    assert refused.exit_code == 2 and "--force to replace jobs/ and workspace/" in refused.stderr
    assert run(["snapshot", "--job", "1003", "--out", str(snap), "--force"],
               live_env(workspace)).exit_code == 0
    # generate --all from it sees job 1003 only: nothing of the earlier snapshot is left
    assert sorted(p.name for p in (snap / "jobs").iterdir()) == ["1003.json"]
    code, report = run_json(["generate", "job", "--all", "--out", str(tmp_path / "b"),
                             "--workspace-snapshot", str(snap)])
    assert code == 0 and [j["job_id"] for j in report["jobs"]] == [1003], report
