from __future__ import annotations

import re
from pathlib import Path

import pytest

from dabgen_ci.validate import schema
from dabgen_ci.validate.loader import load_bundle
from tests.validate.bundles import ETL_JOB_YML, line_of, write_bundle


@pytest.fixture(autouse=True, params=["compiled", "python"])
def validator_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs twice: with the compiled fast path, and as on a platform without the
    jsonschema-rs wheel (the Python validator checks every file). Same diagnostics."""
    if request.param == "python":
        monkeypatch.setattr(schema, "fast_validator", lambda: None)
    return str(request.param)


def schema_diags(tmp_path: Path, etl_text: str) -> list:
    bundle = load_bundle(write_bundle(tmp_path, {"resources/etl.job.yml": etl_text}))
    [etl] = [f for f in bundle.files if f.path == "resources/etl.job.yml"]
    return schema.check_file(etl.config, etl.tree, etl.path)


def test_valid_bundle_has_no_schema_findings(tmp_path: Path) -> None:
    bundle = load_bundle(write_bundle(tmp_path))
    for f in bundle.files:
        assert schema.check_file(f.config, f.tree, f.path) == []


def test_wrong_type(tmp_path: Path) -> None:
    text = ETL_JOB_YML.replace("max_concurrent_runs: 1", "max_concurrent_runs: lots")
    [diag] = schema_diags(tmp_path, text)

    assert diag.summary == 'expected integer, found string "lots"'
    assert (diag.file, diag.line) == ("resources/etl.job.yml", line_of(text, "lots"))
    assert diag.path == "resources.jobs.sales_etl.max_concurrent_runs"
    assert (diag.severity, diag.source) == ("error", "schema")


def test_unknown_field_points_at_the_field_with_a_suggestion(tmp_path: Path) -> None:
    text = ETL_JOB_YML.replace("notebook_task:\n            notebook_path: ../src/ingest.py",
                               "notebok_task:\n            notebook_path: ../src/ingest.py")
    [diag] = schema_diags(tmp_path, text)

    assert diag.summary == "unknown field 'notebok_task' (did you mean 'notebook_task'?)"
    assert diag.line == line_of(text, "notebok_task")
    assert diag.path == "resources.jobs.sales_etl.tasks[0].notebok_task"


def test_bad_enum_inside_a_nested_task(tmp_path: Path) -> None:
    text = ETL_JOB_YML.replace("task_key: per_region_iteration",
                               "task_key: per_region_iteration\n              run_if: SOMETIMES")
    [diag] = schema_diags(tmp_path, text)

    assert diag.summary.startswith("invalid value 'SOMETIMES'; valid values are: ")
    assert "ALL_SUCCESS" in diag.summary
    assert diag.path == "resources.jobs.sales_etl.tasks[3].for_each_task.task.run_if"
    assert diag.line == line_of(text, "SOMETIMES")


def test_required_field(tmp_path: Path) -> None:
    text = ETL_JOB_YML.replace("        - task_key: report\n", "        - description: r\n")
    [diag] = schema_diags(tmp_path, text)

    assert diag.summary == "required field 'task_key' is not set"
    assert diag.path == "resources.jobs.sales_etl.tasks[2]"
    assert diag.line == line_of(text, "description: r")


def test_unknown_top_level_field_and_target_sections(tmp_path: Path) -> None:
    text = ("bundle: {name: x}\nresourcez: {}\ntargets:\n  dev:\n    resources:\n"
            "      jobs:\n        j:\n          tasks:\n            - task_key: a\n"
            "              timeout_seconds: soon\n")
    (tmp_path / "databricks.yml").write_text(text)
    [f] = load_bundle(tmp_path).files
    found = {(d.path, d.line): d.summary for d in schema.check_file(f.config, f.tree, f.path)}

    assert found == {
        ("resourcez", 2): "unknown field 'resourcez' (did you mean 'resources'?)",
        ("targets.dev.resources.jobs.j.tasks[0].timeout_seconds", 10):
            'expected integer, found string "soon"',
    }


def test_unicode_letters_in_references_are_honoured(tmp_path: Path) -> None:
    """The ``\\p{L}`` patterns: ``${var.größe}`` is a reference, ``${var.1x}`` is not."""
    ok = ETL_JOB_YML.replace("max_concurrent_runs: 1", "max_concurrent_runs: ${var.größe}")
    assert schema_diags(tmp_path, ok) == []

    bad = ETL_JOB_YML.replace("max_concurrent_runs: 1", "max_concurrent_runs: ${var.1x}")
    [diag] = schema_diags(tmp_path, bad)
    assert diag.summary.startswith("invalid reference '${var.1x}'")
    assert diag.line == line_of(bad, "${var.1x}")


def test_python_re_cannot_compile_the_schema_patterns() -> None:
    """Why the validator uses ``regex``: this is the pattern behind every ``${var...}``."""
    pattern = r"\$\{(var(\.\p{L}+([-_]*[\p{L}\p{N}]+)*(\[[0-9]+\])*)+)\}"
    with pytest.raises(re.error):
        re.compile(pattern)
    assert schema._compiled(pattern).search("${var.ñandú_2}")


def test_validator_is_compiled_once() -> None:
    assert schema.bundle_validator() is schema.bundle_validator()


def _big_bundle(jobs: int, tasks: int) -> dict:
    def task(t: int) -> dict:
        out = {"task_key": f"t{t}", "job_cluster_key": "c", "max_retries": 1,
               "notebook_task": {"notebook_path": f"../src/n{t}.py",
                                 "base_parameters": {"catalog": "${var.catalog}"}},
               "libraries": [{"whl": "../dist/x.whl"}]}
        if t:
            out["depends_on"] = [{"task_key": f"t{t - 1}"}]
        return out

    cluster = {"job_cluster_key": "c", "new_cluster": {
        "spark_version": "15.4.x-scala2.12", "node_type_id": "i3.xlarge", "num_workers": 2,
        "aws_attributes": {"availability": "SPOT_WITH_FALLBACK"}}}
    return {"resources": {"jobs": {
        f"job{j}": {"name": f"job {j}", "max_concurrent_runs": 1, "job_clusters": [cluster],
                    "tasks": [task(t) for t in range(tasks)],
                    "schedule": {"quartz_cron_expression": "0 0 * * * ?",
                                 "timezone_id": "UTC"}}
        for j in range(jobs)}}}
