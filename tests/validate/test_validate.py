from __future__ import annotations

import json
from pathlib import Path

import pytest

from dabgen_ci.errors import BadInputError
from dabgen_ci.validate import ValidationReport, validate_bundle
from tests.validate.bundles import DATABRICKS_YML, ETL_JOB_YML, write_bundle

NO_CLI = {"PATH": "", "HOME": "/nonexistent"}


@pytest.mark.parametrize("target", [None, "dev", "prod"])
def test_realistic_bundle_passes_without_findings(tmp_path: Path, target: str | None) -> None:
    report = validate_bundle(write_bundle(tmp_path), target=target, env=NO_CLI)

    assert report.ok
    assert report.diagnostics == ()
    assert report.target == (target or "dev")
    assert report.validators_run == ("schema", "rules")
    assert report.validators_skipped == {"databricks-cli": "databricks CLI not on PATH"}


def test_findings_of_all_validators_are_sorted_by_file_and_line(tmp_path: Path) -> None:
    etl = (ETL_JOB_YML.replace("max_concurrent_runs: 1", "max_concurrent_runs: one")
           .replace("../src/report.sql", "../src/missing.sql"))
    root = write_bundle(tmp_path, {
        "resources/etl.job.yml": etl,
        "databricks.yml": DATABRICKS_YML.replace("  name: sales_etl\n",
                                                 "  name: sales_etl\n  nmae: typo\n"),
        "resources/broken.yml": "resources: [\n",
    })
    report = validate_bundle(root, env=NO_CLI)

    assert not report.ok
    where = [(d.file, d.line, d.source) for d in report.diagnostics]
    assert where == sorted(where, key=lambda w: (w[0], w[1]))
    assert {d.source for d in report.diagnostics} == {"schema", "rules", "loader"}
    assert [d.file for d in report.diagnostics] == [
        "databricks.yml", "resources/broken.yml", "resources/etl.job.yml",
        "resources/etl.job.yml"]


def test_report_serialises_to_json(tmp_path: Path) -> None:
    root = write_bundle(tmp_path, {"src/report.sql": None})
    report = validate_bundle(root, run_cli=False)
    data = json.loads(json.dumps(report.to_dict()))

    assert data["ok"] is False
    assert data["target"] == "dev"
    assert data["validators_skipped"] == {"databricks-cli": "disabled"}
    [diag] = data["diagnostics"]
    assert diag["summary"] == "file ../src/report.sql not found"
    assert diag["file"] == "resources/etl.job.yml"
    assert isinstance(report, ValidationReport)


def test_unknown_target_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="staging: no such target"):
        validate_bundle(write_bundle(tmp_path), target="staging", run_cli=False)


def test_no_bundle_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError):
        validate_bundle(tmp_path, run_cli=False)


def test_no_default_target_is_a_diagnostic_and_rules_are_skipped(tmp_path: Path) -> None:
    text = DATABRICKS_YML.replace("    default: true\n", "")
    report = validate_bundle(write_bundle(tmp_path, {"databricks.yml": text}), run_cli=False)

    [diag] = report.diagnostics
    assert diag.summary == "no target is marked default: true; pass a target explicitly"
    assert (diag.file, diag.path) == ("databricks.yml", "targets")
    assert "rules" in report.validators_skipped
    assert report.validators_run == ("schema",)
