"""DAB005 agrees with the Databricks CLI: a deploy fills in only an *unset* `pause_status`
(PAUSED in development mode, or whatever `presets.trigger_pause_status` says), so the rule
is quiet on dabgen's own bundles and fires where UNPAUSED survives into a dev deploy."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from dabgen_ci.core.review.findings import Finding
from dabgen_ci.core.review.lint import lint
from dabgen_ci.core.review.rules import LintOptions
from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
from dabgen_ci.flows.select import JobSelection
from dabgen_ci.validate.facts import load_facts
from dabgen_ci.workspace.snapshot import SnapshotSource
from tests.core.review.bundles import GOOD, edited, line_of, write

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "dabgen_ci" / "data" / "demo_workspace"
JOB, CONFIG = "resources/etl.job.yml", "databricks.yml"
DEV = "  dev:\n    mode: development\n"
UTC = "        timezone_id: UTC\n"


def dab005(root: Path) -> list[Finding]:
    found = lint(load_facts(root), LintOptions(date(2026, 11, 30)), ())
    return [f for f in found if f.rule == "DAB005"]


def in_dev(files: dict[str, str], override: str) -> dict[str, str]:
    """``files`` with a ``targets.dev`` override of job ``etl`` (YAML under the job key)."""
    text = files[CONFIG].replace(DEV, DEV + "    resources:\n      jobs:\n        etl:\n"
                                 + override)
    return {**files, CONFIG: text}


def test_quiet_on_a_freshly_generated_bundle_of_scheduled_and_continuous_jobs(
        tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(DEMO, snapshot)
    job = json.loads((snapshot / "jobs" / "1003.json").read_text())
    job["settings"]["continuous"] = {"pause_status": "UNPAUSED"}  # a streaming job
    (snapshot / "jobs" / "1003.json").write_text(json.dumps(job))
    out = tmp_path / "bundle"
    result = generate_jobs(SnapshotSource(snapshot), JobSelection(ids=(1001, 1002, 1003, 1004)),
                           GenerateOptions(out=out, run_cli=False))
    assert result.ok, result.diagnostics
    texts = "".join(p.read_text() for p in (out / "resources").glob("*.yml"))
    assert "pause_status: UNPAUSED" not in texts and "continuous: {}" in texts
    assert "pause_status: PAUSED" in texts  # job 1004's trigger is paused and stays so
    assert dab005(out) == []


@pytest.mark.parametrize(("section", "body"), [
    ("schedule", "quartz_cron_expression: 0 0 2 * * ?"),
    ("trigger", "periodic: {interval: 1, unit: HOURS}"),
    ("continuous", "task_retry_mode: NEVER"),
])
def test_fires_on_an_explicit_unpaused_in_the_resource(tmp_path: Path, section: str,
                                                       body: str) -> None:
    files = edited(JOB, "      schedule:\n        quartz_cron_expression: 0 0 2 * * ?\n" + UTC,
                   f"      {section}:\n        {body}\n        pause_status: UNPAUSED\n")
    [finding] = dab005(write(tmp_path, files))
    assert (finding.file, finding.line) == (JOB, line_of(files, JOB, "pause_status: UNPAUSED"))
    assert finding.path == f"resources.jobs.etl.{section}.pause_status"
    assert finding.message == (f"the {section} of job `etl` is unpaused in target `dev` "
                               "(`pause_status: UNPAUSED` is written, and a deploy keeps it)")


def test_fires_on_an_explicit_unpaused_in_the_dev_override(tmp_path: Path) -> None:
    files = in_dev(GOOD, "          schedule:\n            pause_status: UNPAUSED\n")
    [finding] = dab005(write(tmp_path, files))
    assert (finding.file, finding.line) == (CONFIG, line_of(files, CONFIG, "UNPAUSED"))


def test_a_paused_dev_override_of_an_unpaused_resource_is_quiet(tmp_path: Path) -> None:
    files = edited(JOB, UTC, UTC + "        pause_status: UNPAUSED\n")
    files = in_dev(files, "          schedule:\n            pause_status: PAUSED\n")
    assert dab005(write(tmp_path, files)) == []


def test_a_dev_target_without_development_mode_pauses_nothing(tmp_path: Path) -> None:
    files = edited(CONFIG, DEV, "  dev:\n")
    [unset] = dab005(write(tmp_path / "unset", files))
    assert unset.message.endswith("(the target is not in development mode and no preset "
                                  "pauses it)")
    assert unset.path == "resources.jobs.etl.schedule"
    files = edited(JOB, UTC, UTC + "        pause_status: UNPAUSED\n")
    files[CONFIG] = files[CONFIG].replace(DEV, "  dev:\n")
    [explicit] = dab005(write(tmp_path / "explicit", files))
    assert explicit.path == "resources.jobs.etl.schedule.pause_status"
    files = edited(CONFIG, DEV, "  dev:\n    presets:\n      trigger_pause_status: PAUSED\n")
    assert dab005(write(tmp_path / "preset", files)) == []


def test_an_unpaused_preset_in_development_mode_fires(tmp_path: Path) -> None:
    files = edited(CONFIG, DEV, DEV + "    presets:\n      trigger_pause_status: UNPAUSED\n")
    [finding] = dab005(write(tmp_path, files))
    assert finding.message.endswith("(`presets.trigger_pause_status: UNPAUSED`)")


def test_any_development_mode_target_counts_and_prod_does_not(tmp_path: Path) -> None:
    files = edited(JOB, UTC, UTC + "        pause_status: UNPAUSED\n")
    files[CONFIG] = files[CONFIG].replace(
        DEV, DEV + "    presets:\n      trigger_pause_status: PAUSED\n").replace(
        "  prod:\n", "  staging:\n    mode: development\n  prod:\n")
    found = dab005(write(tmp_path, files))
    assert [f.message.split("target ")[1].split(" ")[0] for f in found] == ["`dev`",
                                                                          "`staging`"]
