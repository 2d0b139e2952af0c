"""``dabgen generate job`` against the demo workspace, through the real CLI and SDK."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import yaml

from tests.commands.cli_support import live_env, run, run_cli, run_json
from tests.servers.workspace_server import WorkspaceServer


def test_generate_one_job_from_live_workspace(workspace: WorkspaceServer, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    code, report = run_json(["generate", "job", "1001", "--out", str(out)], live_env(workspace))
    assert code == 0, report
    assert report["ok"] is True
    assert report["jobs"] == [{"key": "nightly_sales_etl", "job_id": 1001,
                               "name": "Nightly Sales ETL"}]
    assert "resources/nightly_sales_etl.job.yml" in report["files"]
    assert {"src/common/quality_checks.py", "src/sales/03_aggregate_daily.sql"} <= set(
        report["files"])
    assert report["api_calls"] == {"jobs/get": 1, "workspace/export": 4}
    assert report["roundtrip_differences"] == []
    assert "schema" in report["validators_run"] and "rules" in report["validators_run"]
    assert set(report["timings_seconds"]) >= {"fetch jobs", "export", "validate", "round-trip"}
    resource = yaml.safe_load((out / "resources/nightly_sales_etl.job.yml").read_text())
    job = resource["resources"]["jobs"]["nightly_sales_etl"]
    assert "job_id" not in job and "format" not in job and "edit_mode" not in job
    assert job["tasks"][2]["notebook_task"]["warehouse_id"] == "${var.warehouse_id}"


def test_selectors_use_jobs_list(workspace: WorkspaceServer, tmp_path: Path) -> None:
    code, report = run_json(
        ["generate", "job", "--name", "*etl*", "--name", "churn*", "--out", str(tmp_path / "b")],
        live_env(workspace),
    )
    assert code == 0
    assert [j["job_id"] for j in report["jobs"]] == [1001, 1004]
    assert report["api_calls"]["jobs/list"] == 1
    assert "jobs/get" not in report["api_calls"]
    # selectors of different kinds narrow each other; ids are always added
    code, report = run_json(
        ["generate", "job", "1002", "--name", "*", "--tag", "team=ml", "--out",
         str(tmp_path / "c")], live_env(workspace),
    )
    assert code == 0
    assert [j["job_id"] for j in report["jobs"]] == [1002, 1004]


def test_ids_and_all_combine_without_duplicates(workspace: WorkspaceServer,
                                                tmp_path: Path) -> None:
    code, report = run_json(["generate", "job", "1003", "--all", "--out", str(tmp_path / "b")],
                            live_env(workspace))
    assert code == 0
    assert [j["job_id"] for j in report["jobs"]] == [1001, 1002, 1003, 1004]
    # the shared notebook is used by three jobs and exported once
    assert report["api_calls"]["workspace/export"] == 7


def test_cross_job_reference_and_zip(workspace: WorkspaceServer, tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    out = tmp_path / "b"
    code, _ = run_json(["generate", "job", "1001", "1002", "--out", str(out),
                        "--zip", str(archive)], live_env(workspace))
    assert code == 0
    text = (out / "resources/revenue_dashboard_refresh.job.yml").read_text()
    assert "job_id: ${resources.jobs.nightly_sales_etl.id}" in text
    names = zipfile.ZipFile(io.BytesIO(archive.read_bytes())).namelist()
    assert sorted(names) == sorted(p.relative_to(out).as_posix()
                                   for p in out.rglob("*") if p.is_file())


def test_output_is_byte_stable(workspace: WorkspaceServer, tmp_path: Path) -> None:
    env = live_env(workspace)
    outs = [tmp_path / run_name / "bundle" for run_name in ("first", "second")]
    for out in outs:
        assert run(["generate", "job", "--all", "--out", str(out)], env).exit_code == 0
    first, second = ({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
                     for out in outs)
    assert first == second


def test_snapshot_source_gives_the_same_bundle(workspace: WorkspaceServer,
                                               demo_snapshot: Path, tmp_path: Path) -> None:
    live, offline = tmp_path / "live" / "bundle", tmp_path / "offline" / "bundle"
    assert run(["generate", "job", "--all", "--out", str(live)],
               live_env(workspace)).exit_code == 0
    assert run(["generate", "job", "--all", "--out", str(offline),
                "--workspace-snapshot", str(demo_snapshot)]).exit_code == 0
    assert ({p.relative_to(live): p.read_bytes() for p in live.rglob("*") if p.is_file()}
            == {p.relative_to(offline): p.read_bytes() for p in offline.rglob("*") if p.is_file()})


def test_human_output_and_progress_on_stderr(workspace: WorkspaceServer,
                                             tmp_path: Path) -> None:
    done = run_cli(["generate", "job", "--all", "--out", str(tmp_path / "b")],
                   live_env(workspace))
    assert done.returncode == 0, done.stderr
    assert "✓ export sources: 7 exported" in done.stderr
    assert "Round-trip: ✅" in done.stdout
    assert "job 1002 'Revenue Dashboard Refresh'" in done.stdout


def test_two_jobs_with_the_same_name_get_unique_keys(demo_snapshot: Path,
                                                     tmp_path: Path) -> None:
    body = json.loads((demo_snapshot / "jobs/1003.json").read_text())
    body["job_id"] = 2003
    (demo_snapshot / "jobs/2003.json").write_text(json.dumps(body))
    code, report = run_json(["generate", "job", "1003", "2003", "--out", str(tmp_path / "b"),
                             "--workspace-snapshot", str(demo_snapshot)])
    assert code == 0, report
    assert [j["key"] for j in report["jobs"]] == ["per_region_backfill", "per_region_backfill_2"]
    assert report["roundtrip_differences"] == []


def test_unicode_and_spaces_in_names_and_paths(demo_snapshot: Path, tmp_path: Path) -> None:
    folder = demo_snapshot / "workspace/Workspace/Users/data-eng@acme.com/Données clés"
    folder.mkdir()
    (folder / "Bestellungen prüfen.py").write_text(
        "# Databricks notebook source\nprint('grüezi')\n", encoding="utf-8")
    job = {"job_id": 77, "settings": {"name": "Qualité — Übersicht 日本", "tasks": [
        {"task_key": "prüfen", "notebook_task": {
            "notebook_path": "/Workspace/Users/data-eng@acme.com/Données clés/"
                             "Bestellungen prüfen"}}]}}
    (demo_snapshot / "jobs/77.json").write_text(json.dumps(job, ensure_ascii=False),
                                                encoding="utf-8")
    out = tmp_path / "bündel"
    code, report = run_json(["generate", "job", "77", "--out", str(out),
                             "--workspace-snapshot", str(demo_snapshot)])
    assert code == 0, report
    assert report["roundtrip_differences"] == []
    written = [f for f in report["files"] if f.endswith(".py")]
    assert written == ["src/Bestellungen prüfen.py"]
    assert (out / written[0]).read_text(encoding="utf-8").endswith("print('grüezi')\n")


def test_dbt_project_in_the_workspace_is_exported_as_a_folder(demo_snapshot: Path,
                                                              tmp_path: Path) -> None:
    project = demo_snapshot / "workspace/Workspace/Users/data-eng@acme.com/dbt/sales_mart"
    (project / "models" / "marts").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: sales_mart\nprofile: databricks\n")
    (project / "models" / "marts" / "revenue.sql").write_text("select 1 as revenue\n")
    job = {"job_id": 88, "settings": {"name": "dbt sales mart", "tasks": [{
        "task_key": "dbt_build",
        "dbt_task": {"commands": ["dbt deps", "dbt build"], "warehouse_id": "4b9f1c2d3e5a6b7c",
                     "project_directory": "/Workspace/Users/data-eng@acme.com/dbt/sales_mart",
                     "source": "WORKSPACE"},
        "environment_key": "dbt"}],
        "environments": [{"environment_key": "dbt",
                          "spec": {"client": "2", "dependencies": ["dbt-databricks>=1.8"]}}]}}
    (demo_snapshot / "jobs/88.json").write_text(json.dumps(job))
    out = tmp_path / "b"
    code, report = run_json(["generate", "job", "88", "--out", str(out),
                             "--workspace-snapshot", str(demo_snapshot)])
    assert code == 0, report
    assert {"src/sales_mart/dbt_project.yml", "src/sales_mart/models/marts/revenue.sql"} <= set(
        report["files"])
    resource = yaml.safe_load((out / "resources/dbt_sales_mart.job.yml").read_text())
    task = resource["resources"]["jobs"]["dbt_sales_mart"]["tasks"][0]["dbt_task"]
    assert task["project_directory"] == "../src/sales_mart"
    assert task["warehouse_id"] == "${var.warehouse_id}"
    assert report["roundtrip_differences"] == []
