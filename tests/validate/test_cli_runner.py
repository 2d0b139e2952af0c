"""The Databricks CLI path, against a fake ``databricks`` executable run as a real subprocess.

The real CLI is not installed here. The fake prints what ``databricks bundle validate -o json``
prints (databricks/cli ``cmd/bundle/validate.go``: configuration JSON on stdout, rendered
diagnostics on stderr, exit 1 on errors), taken from the CLI's acceptance outputs.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

from dabgen_ci.validate import validate_bundle
from dabgen_ci.validate.cli_runner import detect, parse_diagnostics, run_cli_validate
from tests.validate.bundles import write_bundle

STDERR = (
    "\x1b[33mWarning\x1b[0m: job_cluster_key big is not defined\n"
    "  at \x1b[32mresources.jobs.sales_etl.tasks[0].job_cluster_key\x1b[0m\n"
    "  in \x1b[36mresources/etl.job.yml:25:28\x1b[0m\n"
    "\n"
    "Error: Missing required cluster or environment settings\n"
    "  at resources.jobs.sales_etl.tasks[4]\n"
    "  in resources/etl.job.yml:61:11\n"
    "\n"
    'Task "score" requires a cluster or an environment to run.\n'
    "Specify one of the following fields: job_cluster_key, environment_key.\n"
    "\n"
    "Recommendation: define a single job in a file with the .job.yml extension.\n"
    "  at resources.jobs.a\n"
    "     resources.jobs.b\n"
    "  in resources/two.job.yml:3:5\n"
    "     resources/two.job.yml:7:5\n"
    "\n"
)

FAKE = """\
#!{python}
import json, os, sys, time
record = os.environ.get("FAKE_RECORD")
if record:
    with open(record, "w") as fh:
        json.dump({{"argv": sys.argv[1:], "cwd": os.getcwd(),
                   "host": os.environ.get("DATABRICKS_HOST")}}, fh)
mode = os.environ.get("FAKE_MODE", "diagnostics")
if mode == "sleep":
    time.sleep(30)
if mode == "auth":
    sys.stderr.write("Error: default auth: cannot configure default credentials\\n")
    sys.exit(1)
if mode == "crash":
    sys.stderr.write("panic: something odd\\n")
    sys.exit(2)
sys.stdout.write(json.dumps({{"bundle": {{"name": "sales_etl", "target": "dev"}}}}, indent=2))
sys.stderr.write({stderr!r})
sys.exit(1)
"""


def fake_cli(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "databricks"
    exe.write_text(FAKE.format(python=sys.executable, stderr=STDERR))
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"PATH": str(fake_cli(tmp_path)), "HOME": str(tmp_path / "home"),
            "DATABRICKS_HOST": "https://example.cloud.databricks.com",
            "DATABRICKS_TOKEN": "not-a-real-token", "FAKE_RECORD": str(tmp_path / "rec.json"),
            **extra}


def test_validate_bundle_runs_the_cli_and_merges_its_diagnostics(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "bundle")
    env = cli_env(tmp_path)
    report = validate_bundle(root, env=env)

    assert report.validators_run == ("schema", "rules", "databricks-cli")
    assert report.validators_skipped == {}
    cli = [d for d in report.diagnostics if d.source == "databricks-cli"]
    assert [(d.severity, d.file, d.line, d.path) for d in cli] == [
        ("warning", "resources/etl.job.yml", 25,
         "resources.jobs.sales_etl.tasks[0].job_cluster_key"),
        ("error", "resources/etl.job.yml", 61, "resources.jobs.sales_etl.tasks[4]"),
        ("info", "resources/two.job.yml", 3, "resources.jobs.a"),
    ]
    assert cli[1].detail.startswith('Task "score" requires a cluster')
    assert not report.ok
    record = json.loads((tmp_path / "rec.json").read_text())
    assert record == {"argv": ["bundle", "validate", "-o", "json", "--target", "dev"],
                      "cwd": str(root), "host": "https://example.cloud.databricks.com"}


def test_explicit_target_is_passed_to_the_cli(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "bundle")
    validate_bundle(root, target="prod", run_cli=True, env=cli_env(tmp_path))
    assert json.loads((tmp_path / "rec.json").read_text())["argv"][-2:] == ["--target", "prod"]


def test_cli_failure_without_diagnostics_is_one_error(tmp_path: Path) -> None:
    env = cli_env(tmp_path, FAKE_MODE="crash")
    [diag] = run_cli_validate(tmp_path, str(Path(env["PATH"]) / "databricks"), env=env)
    assert diag.summary == "databricks bundle validate failed (exit 2): panic: something odd"
    assert (diag.severity, diag.source) == ("error", "databricks-cli")


def test_cli_auth_error_is_reported_as_its_diagnostic(tmp_path: Path) -> None:
    env = cli_env(tmp_path, FAKE_MODE="auth")
    [diag] = run_cli_validate(tmp_path, str(Path(env["PATH"]) / "databricks"), env=env)
    assert diag.summary == "default auth: cannot configure default credentials"


def test_cli_timeout_is_an_error(tmp_path: Path) -> None:
    env = cli_env(tmp_path, FAKE_MODE="sleep")
    [diag] = run_cli_validate(tmp_path, str(Path(env["PATH"]) / "databricks"), env=env,
                              timeout=0.5)
    assert diag.summary == "databricks bundle validate timed out after 0.5s"


def test_parse_keeps_only_diagnostic_blocks() -> None:
    diags = parse_diagnostics("Downloading something...\n" + STDERR)
    assert [d.summary for d in diags] == [
        "job_cluster_key big is not defined",
        "Missing required cluster or environment settings",
        "define a single job in a file with the .job.yml extension.",
    ]
    assert diags[0].detail == ""


def test_detection_needs_the_executable_and_credentials(tmp_path: Path) -> None:
    assert detect({"PATH": str(tmp_path)}).reason == "databricks CLI not on PATH"
    bin_dir = fake_cli(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    no_creds = detect({"PATH": str(bin_dir), "HOME": str(home)})
    assert no_creds.executable and not no_creds.ok
    assert no_creds.reason is not None
    assert no_creds.reason.startswith("no Databricks credentials")
    oauth = {"DATABRICKS_HOST": "h", "DATABRICKS_CLIENT_ID": "i", "DATABRICKS_CLIENT_SECRET": "s"}
    assert detect({"PATH": str(bin_dir), **oauth}).ok
    assert detect({"PATH": str(bin_dir), "DATABRICKS_CONFIG_PROFILE": "dev"}).ok
    (home / ".databrickscfg").write_text("[DEFAULT]\nhost = h\n")
    assert detect({"PATH": str(bin_dir), "HOME": str(home)}).ok


def test_auto_mode_skips_without_cli_and_required_mode_errors(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "bundle")
    empty = {"PATH": str(tmp_path / "nothing"), "HOME": str(tmp_path)}

    auto = validate_bundle(root, env=empty)
    assert auto.ok
    assert auto.validators_skipped == {"databricks-cli": "databricks CLI not on PATH"}

    required = validate_bundle(root, run_cli=True, env=empty)
    [diag] = required.diagnostics
    assert (diag.severity, diag.source) == ("error", "databricks-cli")
    assert "required" in diag.summary

    never = validate_bundle(root, run_cli=False, env=cli_env(tmp_path))
    assert never.validators_skipped == {"databricks-cli": "disabled"}
    assert not (tmp_path / "rec.json").exists()


def test_environment_defaults_to_the_process_environment(tmp_path: Path, monkeypatch) -> None:
    root = write_bundle(tmp_path / "bundle")
    for key, value in cli_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    report = validate_bundle(root)
    assert "databricks-cli" in report.validators_run
    assert json.loads((tmp_path / "rec.json").read_text())["cwd"] == str(root)
