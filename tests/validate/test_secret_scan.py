"""The secret rule on a bundle on disk: keys, sources, markers, the allow-list, confinement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dabgen_ci.config import parse_config
from dabgen_ci.core.secrets import SecretAllowlist, fingerprint
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate import secret_scan, validate_bundle
from tests.validate.bundles import ETL_JOB_YML, line_of, write_bundle

DAPI = "dapi" + "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"
GHO = "gho_" + "Kq2Wm8Rt4Yp6Ux0Zs3Vb7Nc1Lh5Jd9Fg2Ae4"
AKIA = "AKIA" + "M2N4B6V8C1X3Z5L7"
ETL = "resources/etl.job.yml"


def secret_findings(root: Path, allow: SecretAllowlist | None = None) -> list:
    report = validate_bundle(root, run_cli=False, secrets=allow)
    return [d for d in report.diagnostics if d.source == "secrets"]


def with_keys(tag_key: str, parameter_key: str) -> str:
    """The ETL job with one more tag and one more notebook parameter, named as given."""
    tag, parameter = "        team: data\n", "              catalog: ${var.catalog}\n"
    text = ETL_JOB_YML.replace(tag, f"{tag}        {tag_key}: x\n")
    return text.replace(parameter, f"{parameter}              {parameter_key}: y\n", 1)


def test_tokens_used_as_keys_are_errors_at_the_key_with_the_key_masked(tmp_path: Path) -> None:
    text = with_keys(DAPI, GHO)
    found = secret_findings(write_bundle(tmp_path, {ETL: text}))

    assert [(d.severity, d.file, d.line) for d in found] == [
        ("error", ETL, line_of(text, DAPI)), ("error", ETL, line_of(text, GHO))]
    assert [d.path for d in found] == [
        "resources.jobs.sales_etl.tags.***",
        "resources.jobs.sales_etl.tasks[0].notebook_task.base_parameters.***"]
    assert "this key looks like a Databricks personal access token" in found[0].summary
    for diag in found:
        assert DAPI not in diag.render() and GHO not in diag.render()


def test_sources_under_src_are_scanned_line_by_line(tmp_path: Path) -> None:
    notebook = {"cells": [{"cell_type": "code", "source": ["import os\n", f"t = '{GHO}'\n"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    ipynb = json.dumps(notebook, indent=1)
    root = write_bundle(tmp_path, {
        "src/ingest.py": f"# Databricks notebook source\nKEY = '{AKIA}'\n",
        "src/report.sql": f"-- Databricks notebook source\nSELECT '{DAPI}';\n",
        "src/deep/explore.ipynb": ipynb,
        "README.md": f"an example token outside src: {DAPI}\n",  # not a source
    })
    found = secret_findings(root)

    assert [(d.file, d.line) for d in found] == [
        ("src/deep/explore.ipynb", line_of(ipynb, "gho_")), ("src/ingest.py", 2),
        ("src/report.sql", 2)]
    assert "an AWS access key id" in found[1].summary
    assert all(d.severity == "error" for d in found)


def test_the_marker_accepts_its_own_line_only(tmp_path: Path) -> None:
    root = write_bundle(tmp_path, {
        "src/ingest.py": f"A = '{AKIA}'  # dabgen: allow-secret (documentation example)\n"
                         f"B = '{AKIA}'\n",
        "src/report.sql": f"SELECT '{DAPI}'; -- dabgen: allow-secret\n",
        ETL: with_keys(DAPI + "  # dabgen: allow-secret", "mode"),
    })
    assert [(d.file, d.line) for d in secret_findings(root)] == [("src/ingest.py", 2)]


def test_the_allowlist_accepts_fingerprints_and_path_globs(tmp_path: Path) -> None:
    root = write_bundle(tmp_path, {
        ETL: with_keys(DAPI, GHO),
        "src/fixtures/keys.py": f"K = '{AKIA}'\n",
        "src/ingest.py": f"K = '{AKIA}'\n",
    })
    assert len(secret_findings(root)) == 4
    allow = SecretAllowlist(fingerprints=frozenset({fingerprint(DAPI), fingerprint(GHO)}),
                            paths=("src/fixtures/*",))
    assert [(d.file, d.line) for d in secret_findings(root, allow)] == [("src/ingest.py", 1)]


def test_a_symlink_leaving_the_bundle_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(f"K = '{AKIA}'\n")
    root = write_bundle(tmp_path / "bundle")
    (root / "src" / "linked.py").symlink_to(outside)
    assert secret_findings(root) == []


def test_a_source_too_large_to_scan_is_reported(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secret_scan, "MAX_SCANNED_BYTES", 16)
    root = write_bundle(tmp_path, {"src/big.py": "x = 1\n" * 10})
    big = [d for d in secret_findings(root) if d.file == "src/big.py"]
    assert [(d.severity, d.summary) for d in big] == [
        ("warning", "not scanned for secrets: larger than 0 MB")]


def test_dabgen_yml_secrets_allow() -> None:
    config = parse_config("secrets:\n  allow:\n    - fingerprint: 0123456789abcdef\n"
                          "      reason: docs example\n    - path: src/fixtures/*\n")
    assert config.secrets == SecretAllowlist(fingerprints=frozenset({"0123456789abcdef"}),
                                             paths=("src/fixtures/*",))
    with pytest.raises(BadInputError, match=r"secrets\.allow\[0\]\.fingerprint: .* does not "
                                            r"match"):
        parse_config("secrets:\n  allow:\n    - fingerprint: " + DAPI + "\n")
    with pytest.raises(BadInputError, match=r"secrets\.allow\[0\]"):
        parse_config("secrets:\n  allow:\n    - reason: neither a fingerprint nor a path\n")


def test_dabgen_validate_applies_a_config_allowlist(tmp_path: Path) -> None:
    from tests.commands.cli_support import run

    root = write_bundle(tmp_path / "bundle", {ETL: with_keys(DAPI, "mode")})
    refused = run(["validate", str(root), "--no-cli"])
    assert refused.exit_code == 1
    assert f"[fingerprint {fingerprint(DAPI)}]" in refused.stdout
    assert DAPI not in refused.stdout + refused.stderr

    config = tmp_path / ".dabgen.yml"
    config.write_text(f"secrets:\n  allow:\n    - fingerprint: {fingerprint(DAPI)}\n")
    assert run(["validate", str(root), "--no-cli", "--config", str(config)]).exit_code == 0
    config.write_text("secrets: {allow: [{fingerprint: nope}]}\n")
    bad = run(["validate", str(root), "--no-cli", "--config", str(config)])
    assert bad.exit_code == 2 and "secrets.allow[0].fingerprint" in bad.stderr
