"""Locations are built only when a diagnostic needs a line, and say the same when built."""

from __future__ import annotations

from pathlib import Path

import pytest

from dabgen_ci.validate import validate_bundle, yamlnodes
from dabgen_ci.validate.loader import load_bundle
from dabgen_ci.validate.refs import walk_strings
from tests.validate.bundles import ETL_JOB_YML, line_of, write_bundle


@pytest.fixture
def located_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Files parsed with their locations, in order."""
    calls: list[str] = []
    real = yamlnodes.parse_yaml

    def counting(text: str, file: str, *, locate: bool = True):
        if locate:
            calls.append(file)
        return real(text, file, locate=locate)

    monkeypatch.setattr(yamlnodes, "parse_yaml", counting)
    monkeypatch.setattr("dabgen_ci.validate.loader.parse_yaml", counting)
    return calls


def test_a_valid_bundle_builds_no_location_tree_but_the_root_files(
        tmp_path: Path, located_parses: list[str]) -> None:
    extra = {f"resources/job_{n}.job.yml": ETL_JOB_YML.replace("sales_etl", f"etl_{n}")
             for n in range(20)}
    report = validate_bundle(write_bundle(tmp_path, extra), run_cli=False)
    assert report.ok, [d.render() for d in report.diagnostics]
    assert located_parses == ["databricks.yml"]  # its include lines, nothing else


def test_a_diagnostic_still_gets_its_line(tmp_path: Path, located_parses: list[str]) -> None:
    text = ETL_JOB_YML.replace("max_concurrent_runs: 1", "max_concurrent_runs: lots")
    report = validate_bundle(write_bundle(tmp_path, {"resources/etl.job.yml": text}),
                             run_cli=False)
    [diag] = [d for d in report.diagnostics if "lots" in d.summary]
    assert (diag.file, diag.line) == ("resources/etl.job.yml", line_of(text, "lots"))
    assert "resources/etl.job.yml" in located_parses


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_file_of_agrees_with_the_location_tree(tmp_path: Path, target: str) -> None:
    bundle = load_bundle(write_bundle(tmp_path))
    resolved, tree = bundle.resolved(target)
    file_of = bundle.file_of(target)
    answered = 0
    for path, _ in walk_strings(resolved):
        found = file_of(path)
        if found is not None:
            answered += 1
            assert tree is not None and found == tree.find(path).file, path
    assert answered >= 3  # prod overrides sales_etl: the tree answers for that job
