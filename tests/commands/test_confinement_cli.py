"""Confinement through the CLI: ``generate`` never copies what a snapshot link points at
(offline or served by the workspace server), ``validate`` never reads or echoes an include
or a link that leaves the bundle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands.cli_support import live_env, run, run_json
from tests.servers.workspace_server import WorkspaceServer

SECRET = "dapi0123456789abcdef0123456789abcdef"
NOTEBOOK = "workspace/Workspace/Users/data-eng@acme.com/sales/02_clean_orders.py"


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "token.py"
    path.parent.mkdir()
    path.write_text(f"# Databricks notebook source\ntoken = '{SECRET}'\n")
    return path


def no_secret_below(path: Path) -> bool:
    return not any(SECRET.encode() in p.read_bytes() for p in path.rglob("*") if p.is_file())


def test_generate_refuses_a_snapshot_notebook_linked_outside(demo_snapshot: Path,
                                                             token_file: Path,
                                                             tmp_path: Path) -> None:
    (demo_snapshot / NOTEBOOK).unlink()
    (demo_snapshot / NOTEBOOK).symlink_to(token_file)
    out = tmp_path / "b"
    done = run(["generate", "job", "1001", "--out", str(out), "--no-cli",
                "--workspace-snapshot", str(demo_snapshot)])
    assert done.exit_code == 2
    assert "02_clean_orders.py is a symbolic link that leads outside" in done.stderr
    assert str(token_file) not in done.stderr + done.stdout
    assert not out.exists()


def test_generate_from_a_served_snapshot_with_a_link_out(demo_snapshot: Path,
                                                         token_file: Path,
                                                         tmp_path: Path) -> None:
    (demo_snapshot / NOTEBOOK).unlink()
    (demo_snapshot / NOTEBOOK).symlink_to(token_file)
    out = tmp_path / "b"
    with WorkspaceServer(demo_snapshot) as server:
        done = run(["generate", "job", "1001", "--out", str(out), "--no-cli"],
                   live_env(server))
    assert done.exit_code == 3  # the workspace refused to serve it: a workspace error
    assert SECRET not in done.output and not out.exists()


def test_generate_refuses_a_linked_job_file(demo_snapshot: Path, token_file: Path,
                                            tmp_path: Path) -> None:
    (demo_snapshot / "jobs" / "7.json").symlink_to(token_file)
    done = run(["generate", "job", "7", "--out", str(tmp_path / "b"),
                "--workspace-snapshot", str(demo_snapshot)])
    assert done.exit_code == 2 and "jobs/7.json is a symbolic link" in done.stderr


def test_a_link_inside_the_snapshot_that_stays_inside_is_fine(demo_snapshot: Path,
                                                              tmp_path: Path) -> None:
    notebook = demo_snapshot / NOTEBOOK
    copy = demo_snapshot / "shared_copy.py"
    copy.write_bytes(notebook.read_bytes())
    notebook.unlink()
    notebook.symlink_to(copy)
    done = run(["generate", "job", "1001", "--out", str(tmp_path / "b"), "--no-cli",
                "--workspace-snapshot", str(demo_snapshot)])
    assert done.exit_code == 0, done.output


@pytest.fixture
def bundle(demo_snapshot: Path, tmp_path: Path) -> Path:
    out = tmp_path / "bundle"
    assert run(["generate", "job", "1001", "--out", str(out), "--no-cli",
                "--workspace-snapshot", str(demo_snapshot)]).exit_code == 0
    return out


def test_validate_never_follows_an_include_out_of_the_bundle(bundle: Path,
                                                             tmp_path: Path) -> None:
    leak = tmp_path / "x"
    leak.mkdir()
    (leak / "leaky-file-name.yml").write_text(
        f"variables:\n  stolen: {{default: {SECRET}}}\nresources: [1]\n")
    root_file = bundle / "databricks.yml"
    root_file.write_text(root_file.read_text().replace("include:\n",
                                                       "include:\n  - ../x/*.yml\n"))
    code, report = run_json(["validate", str(bundle), "--no-cli"])
    text = json.dumps(report)
    assert code == 1
    assert SECRET not in text and "leaky-file-name" not in text and "stolen" not in text
    assert any("reaches outside the bundle root" in d["summary"]
               for d in report["diagnostics"])


def test_validate_never_reads_a_resource_linked_outside(bundle: Path, tmp_path: Path) -> None:
    leak = tmp_path / "elsewhere.yml"
    leak.write_text(f"resources:\n  jobs:\n    stolen_{SECRET[:8]}:\n      name: {SECRET}\n")
    (bundle / "resources" / "zz_linked.yml").symlink_to(leak)
    code, report = run_json(["validate", str(bundle), "--no-cli"])
    text = json.dumps(report)
    assert code == 1 and SECRET not in text and "elsewhere" not in text
    assert any("1 symbolic link(s) leading outside" in d["summary"]
               for d in report["diagnostics"])


def test_validate_reports_a_notebook_linked_outside_without_reading_it(
        bundle: Path, token_file: Path) -> None:
    notebook = bundle / "src" / "sales" / "02_clean_orders.py"
    notebook.unlink()
    notebook.symlink_to(token_file)
    code, report = run_json(["validate", str(bundle), "--no-cli"])
    summaries = [d["summary"] for d in report["diagnostics"]]
    assert code == 1
    assert any("src/sales/02_clean_orders.py is a symbolic link that leads outside" in s
               for s in summaries)
    assert any("notebook ../src/sales/02_clean_orders.py not found" in s for s in summaries)
    assert SECRET not in json.dumps(report) and str(token_file) not in json.dumps(report)


def test_validate_refuses_a_databricks_yml_linked_outside(bundle: Path,
                                                          tmp_path: Path) -> None:
    real = tmp_path / "real.yml"
    real.write_text(f"bundle: {{name: {SECRET}}}\n")
    (bundle / "databricks.yml").unlink()
    (bundle / "databricks.yml").symlink_to(real)
    code, report = run_json(["validate", str(bundle), "--no-cli"])
    assert code == 1 and SECRET not in json.dumps(report)
    assert any("databricks.yml is a symbolic link that leads outside" in d["summary"]
               for d in report["diagnostics"])
