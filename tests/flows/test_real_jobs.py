"""Parity with the Databricks CLI on jobs nobody here wrote (tests/fixtures/real_jobs).

The CLI's own `bundle generate job` acceptance cases, a job `bundle deploy` created, and
the Terraform exporter's Jobs API 2.0 test data, run through the generate flow; the
designer notebook goes through the workspace server over HTTP (databricks-sdk).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.report import pr_body
from dabgen_ci.core.results import GenerateResult
from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
from dabgen_ci.flows.select import JobSelection
from dabgen_ci.progress import NullProgress
from dabgen_ci.workspace.base import WorkspaceSource
from dabgen_ci.workspace.live import LiveSource
from dabgen_ci.workspace.snapshot import SnapshotSource
from tests.commands.cli_support import run
from tests.servers.workspace_server import WorkspaceServer

CASES = Path(__file__).parents[1] / "fixtures" / "real_jobs"


def job_ids(case: str) -> tuple[int, ...]:
    return tuple(sorted(int(p.stem) for p in (CASES / case / "jobs").glob("*.json")))


def generate(case: str, out: Path, source: WorkspaceSource | None = None) -> GenerateResult:
    return generate_jobs(source or SnapshotSource(CASES / case),
                         JobSelection(ids=job_ids(case)), GenerateOptions(out=out, run_cli=False))


def resources(result: GenerateResult) -> dict:
    out = {}
    for path in result.out.glob("resources/*.yml"):
        out.update(yaml.safe_load(path.read_text())["resources"]["jobs"])
    return out


def errors(result: GenerateResult) -> list[str]:
    return [d.render() for d in [*result.diagnostics, *result.roundtrip] if d.severity == "error"]


def warnings(result: GenerateResult) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.severity == "warning"]


# -- enum mismatches warn, as the CLI's validate:enum rule does -------------------------------


def test_git_provider_in_lower_case_is_a_warning_and_kept(tmp_path: Path) -> None:
    result = generate("cli_git_job", tmp_path / "b")
    assert result.ok, errors(result)
    [warning] = [d for d in warnings(result) if "git_provider" in (d.path or "")]
    assert warning.summary.startswith("invalid value 'github'; valid values are: ")
    assert warning.path == "resources.jobs.gitjob.git_source.git_provider"
    [job] = resources(result).values()
    assert job["git_source"]["git_provider"] == "github"  # as the workspace has it
    assert [t["notebook_task"]["notebook_path"] for t in job["tasks"]] == [
        "some/test/notebook.py", "/Workspace/Users/foo@bar.test/some/test/notebook.py"]


CLI_ENUM_CASE = CASES.parent / "cli_validate_enum"


def test_every_enum_mismatch_of_the_cli_acceptance_case_is_a_warning(tmp_path: Path) -> None:
    """acceptance/bundle/validate/enum: the CLI prints 7 warnings, no error. Six are enums
    of the published bundle schema; the seventh (`variables.*.type`) comes from the CLI's
    own enum table, which the schema does not carry, so dabgen does not see it."""
    shutil.copytree(CLI_ENUM_CASE, tmp_path / "b")
    result = run(["validate", str(tmp_path / "b"), "--no-cli", "--json"])
    report = json.loads(result.stdout)
    enum = [d for d in report["diagnostics"] if d["summary"].startswith("invalid value")]
    assert sorted((d["path"], d["severity"]) for d in enum) == [
        (f"resources.jobs.my_job_invalid.tasks[0].{field}", "warning") for field in (
            "new_cluster.aws_attributes.availability",
            "new_cluster.aws_attributes.ebs_volume_type",
            "new_cluster.data_security_mode", "new_cluster.runtime_engine",
            "notebook_task.source", "run_if")
    ]
    assert report["ok"] is True and result.exit_code == 0


# -- the CLI's generate cases: the same layout -------------------------------------------


@pytest.mark.parametrize(("case", "expected"), [
    ("cli_python_job", {"test_task": "../src/outnotebook.py"}),
    ("cli_ipynb_job", {"test_task": "../src/outnotebook.ipynb"}),
    ("cli_job_nested_notebooks", {"my_notebook_task": "../src/my_folder/my_notebook.py",
                                  "other_notebook_task": "../src/other_folder/other_notebook.py"}),
    ("cli_spark_python_task_job", {"workspace_file_task": "../src/outjob.py",
                                   "cloud_uri_task": "dbfs:/FileStore/job.py"}),
])
def test_sources_land_where_the_cli_puts_them(tmp_path: Path, case: str,
                                              expected: dict[str, str]) -> None:
    """(The spark_python_task case has no compute: the CLI's validate refuses it too.)"""
    result = generate(case, tmp_path / "b")
    assert not result.roundtrip
    assert all("missing required cluster" in e for e in errors(result)), errors(result)
    [job] = resources(result).values()
    paths = {t["task_key"]: (t.get("notebook_task") or t.get("spark_python_task"))
             .get("notebook_path") or t["spark_python_task"]["python_file"] for t in job["tasks"]}
    assert paths == expected
    for path in expected.values():
        if path.startswith("../"):
            assert (result.out / "resources" / path).is_file()


# -- Lakeflow Designer notebooks -----------------------------------------------------------


def test_a_designer_notebook_is_exported_as_jupyter_and_keeps_its_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none"))
    case = CASES / "cli_designer_job"
    stored = case / "workspace/Users/tester@databricks.com/outnotebook.designer.ipynb"
    with WorkspaceServer(case) as server:
        source = LiveSource.from_config(host=server.url, token=server.token)
        result = generate("cli_designer_job", tmp_path / "b", source)
        assert server.requests["GET /api/2.0/workspace/get-status"] == 1
        assert server.errors == []
    assert result.ok, errors(result)
    [job] = resources(result).values()
    assert job["tasks"][0]["notebook_task"]["notebook_path"] == "../src/outnotebook.designer.ipynb"
    assert (result.out / "src/outnotebook.designer.ipynb").read_bytes() == stored.read_bytes()


def test_a_snapshot_stores_a_designer_notebook_under_its_own_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dabgen_ci.flows.snapshot import take_snapshot

    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none"))
    with WorkspaceServer(CASES / "cli_designer_job") as server:
        source = LiveSource.from_config(host=server.url, token=server.token)
        taken = take_snapshot(source, (11223344,), tmp_path / "snap", force=False,
                              progress=NullProgress())
    rel = "workspace/Workspace/Users/tester@databricks.com/outnotebook.designer.ipynb"
    assert sorted(p.relative_to(tmp_path / "snap").as_posix() for p in taken.written) == [
        "jobs/11223344.json", rel]
    info = SnapshotSource(tmp_path / "snap").get_status(
        "/Workspace/Users/tester@databricks.com/outnotebook.designer.ipynb")
    assert (info.object_type, info.language) == ("DESIGNER_FILE", "PYTHON")


# -- jobs a bundle deployed ------------------------------------------------------------------


def test_a_bundle_deployed_job_keeps_the_original_bundle_layout(tmp_path: Path) -> None:
    result = generate("cli_bundle_deployed", tmp_path / "b")
    assert result.ok, errors(result)
    [job] = resources(result).values()
    assert job["tasks"][0]["notebook_task"]["notebook_path"] == "../src/my_notebook.py"
    assert any("already deployed by a bundle" in d.summary for d in warnings(result))
    body = pr_body(result)
    assert "## Already managed by a bundle" in body
    assert "bundle `test-bundle` (target `default`)" in body


def test_sources_under_the_deployed_bundles_src_are_not_nested_again(tmp_path: Path) -> None:
    result = generate("cli_bundle_deployed_nested", tmp_path / "b")
    assert result.ok, errors(result)
    sources = sorted(p.relative_to(result.out).as_posix()
                     for p in (result.out / "src").rglob("*") if p.is_file())
    assert sources == ["src/etl/ingest.py", "src/sales-0.1.0-py3-none-any.whl"]
    [job] = resources(result).values()
    assert job["tasks"][0]["notebook_task"]["notebook_path"] == "../src/etl/ingest.py"
    assert "bundle `sales` (target `prod`)" in pr_body(result)


# -- Jobs API 2.0 single-task shape -------------------------------------------------------------


def test_single_task_jobs_become_one_task_with_nothing_left_at_job_level(tmp_path: Path
                                                                        ) -> None:
    result = generate("tf_single_task", tmp_path / "b")
    assert result.ok, errors(result)
    jobs = resources(result)
    moved = {"notebook_task", "spark_jar_task", "spark_python_task", "new_cluster",
             "existing_cluster_id", "libraries", "max_retries", "min_retry_interval_millis",
             "retry_on_timeout"}
    for key, job in jobs.items():
        assert not moved & set(job), key
        [task] = job["tasks"]
        assert task["task_key"] == key
    assert jobs["demo_job"]["tasks"][0]["notebook_task"] == {
        "notebook_path": "../src/Production/MakeFeatures.py"}
    assert jobs["demo_job"]["schedule"]["quartz_cron_expression"] == "0 15 22 ? * *"
    assert jobs["scala_project"]["tasks"][0]["max_retries"] == 1
    assert jobs["scala_project"]["timeout_seconds"] == 3600  # a job field: stays
    assert jobs["test"]["tasks"][0]["existing_cluster_id"] == "${var.cluster_id}"
    assert warnings(result) == [] and not result.roundtrip  # no field a deploy would drop


def test_stray_top_level_task_fields_join_the_only_task(tmp_path: Path) -> None:
    result = generate("tf_hybrid", tmp_path / "b")
    assert errors(result) == []
    [job] = resources(result).values()
    assert {"max_retries", "min_retry_interval_millis", "retry_on_timeout"} <= set(
        job["tasks"][0])
    assert not {"max_retries", "retry_on_timeout"} & set(job)


def test_a_clash_between_tasks_and_single_task_fields_exits_2_writing_nothing(
        tmp_path: Path) -> None:
    snap = tmp_path / "snap"
    shutil.copytree(CASES / "tf_hybrid", snap)
    path = snap / "jobs" / "15.json"
    job = json.loads(path.read_text())
    job["settings"]["notebook_task"] = {"notebook_path": "/Users/x/other"}
    path.write_text(json.dumps(job))
    result = run(["generate", "job", "15", "--workspace-snapshot", str(snap),
                  "--out", str(tmp_path / "out"), "--no-cli"])
    assert result.exit_code == 2
    assert "Jobs API 2.0 single-task settings" in result.stderr
    assert "notebook_task" in result.stderr
    assert not (tmp_path / "out").exists()
