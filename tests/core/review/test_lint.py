"""Each lint rule fires on a bundle that breaks it, stays quiet on one that does not, and
both ways of silencing work."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dabgen_ci.core.review.facts import RemovedJob
from dabgen_ci.core.review.findings import Finding
from dabgen_ci.core.review.lint import RULE_IDS, RULES, ignored_lines, lint
from dabgen_ci.core.review.rules import LintOptions
from dabgen_ci.validate.facts import load_facts
from tests.core.review.bundles import GOOD, edited, line_of, write

TODAY = date(2026, 11, 30)
JOB = "resources/etl.job.yml"
ROOT = "databricks.yml"


def run(tmp_path: Path, files: dict[str, str], *, removed: tuple[RemovedJob, ...] = (),
        ignore: tuple[str, ...] = (), remove_deleted: bool = False) -> list[Finding]:
    facts = load_facts(write(tmp_path, files), removed)
    return lint(facts, LintOptions(TODAY, remove_deleted=remove_deleted), ignore)


# rule id → (bundle that breaks it, file, text of the line the finding points at)
BROKEN = {
    "DAB001": (edited(JOB, "${var.warehouse_id}", "4b9f1c2d3e5a6b7c"), JOB, "warehouse_id:"),
    "DAB002": (edited(ROOT, "mode: production", 'mode: "development"'), ROOT,
               'mode: "development"'),
    "DAB003": (edited(JOB, "          job_cluster_key: main\n          notebook_task",
                      "          existing_cluster_id: ${var.warehouse_id}\n"
                      "          notebook_task"), JOB, "existing_cluster_id"),
    "DAB004": (edited(JOB, "      email_notifications:\n        on_failure:\n"
                           "          - team@example.com\n", ""), JOB, "    etl:"),
    "DAB005": (edited(JOB, "timezone_id: UTC\n", "timezone_id: UTC\n        pause_status: "
                                                 "UNPAUSED\n"), JOB, "pause_status"),
    "DAB006": (edited(JOB, "15.4.x-scala2.12", "10.4.x-scala2.12"), JOB, "spark_version"),
    "DAB007": (edited(ROOT, "    run_as:\n      service_principal_name: "
                            "9f0c7a1e-2b3d-4c5e-8f9a-0b1c2d3e4f5a\n", ""), ROOT, "  prod:"),
    "DAB008": (edited(JOB, "../src/ingest.py", "../src/missing.py"), JOB, "notebook_path"),
}


def test_every_rule_has_an_id_a_severity_and_a_one_line_hint() -> None:
    assert tuple(f"DAB{n:03d}" for n in range(1, 10)) == RULE_IDS
    for rule in RULES:
        assert rule.severity in ("error", "warning") and rule.hint and "\n" not in rule.hint


def test_the_good_bundle_is_clean(tmp_path: Path) -> None:
    assert run(tmp_path, GOOD) == []


@pytest.mark.parametrize("rule_id", sorted(BROKEN))
def test_rule_fires_on_the_line_that_breaks_it(tmp_path: Path, rule_id: str) -> None:
    files, file, text = BROKEN[rule_id]
    found = [f for f in run(tmp_path, files) if f.rule == rule_id]
    assert len(found) == 1, found
    assert (found[0].file, found[0].line) == (file, line_of(files, file, text.split("\n")[0]))
    assert found[0].hint and found[0].message


@pytest.mark.parametrize("rule_id", sorted(BROKEN))
def test_review_ignore_silences_a_rule(tmp_path: Path, rule_id: str) -> None:
    files, _, _ = BROKEN[rule_id]
    assert [f for f in run(tmp_path, files, ignore=(rule_id.lower(),)) if f.rule == rule_id] == []


@pytest.mark.parametrize("rule_id", sorted(BROKEN))
def test_an_ignore_comment_on_the_line_silences_only_that_rule(tmp_path: Path,
                                                               rule_id: str) -> None:
    files, file, text = BROKEN[rule_id]
    number = line_of(files, file, text.split("\n")[0])
    lines = files[file].splitlines()
    lines[number - 1] += f"  # dabgen: ignore DAB000, {rule_id}"
    quiet = run(tmp_path, {**files, file: "\n".join(lines) + "\n"})
    assert [f for f in quiet if f.rule == rule_id] == []


def test_an_ignore_comment_alone_on_the_line_above_silences_the_next_line(tmp_path: Path) -> None:
    files, file, text = BROKEN["DAB001"]
    lines = files[file].splitlines()
    number = line_of(files, file, text)
    indent = lines[number - 1][: len(lines[number - 1]) - len(lines[number - 1].lstrip())]
    lines.insert(number - 1, f"{indent}# dabgen: ignore DAB001")
    assert run(tmp_path, {**files, file: "\n".join(lines) + "\n"}) == []


def test_an_ignore_comment_for_another_rule_silences_nothing(tmp_path: Path) -> None:
    files, file, text = BROKEN["DAB001"]
    lines = files[file].splitlines()
    number = line_of(files, file, text)
    lines[number - 1] += "  # dabgen: ignore DAB003"
    found = run(tmp_path, {**files, file: "\n".join(lines) + "\n"})
    assert [f.rule for f in found] == ["DAB001"]


def test_a_missing_prod_target_is_reported_once(tmp_path: Path) -> None:
    files = edited(ROOT, GOOD[ROOT][GOOD[ROOT].index("  prod:"):], "")
    found = run(tmp_path, files)
    assert [f.rule for f in found] == ["DAB002"]
    assert "no `prod` target" in found[0].message


def test_unset_pause_status_is_quiet_in_development_mode_but_not_without_it(tmp_path: Path) -> None:
    assert run(tmp_path, GOOD) == []  # development mode pauses an unset schedule
    files = edited(ROOT, "  dev:\n    mode: development\n", "  dev:\n")
    found = run(tmp_path, files)
    assert [f.rule for f in found] == ["DAB005"]
    assert "unpaused in target `dev`" in found[0].message


def test_a_preset_can_pause_a_schedule_in_dev(tmp_path: Path) -> None:
    files = edited(JOB, "timezone_id: UTC\n", "timezone_id: UTC\n        pause_status: "
                                              "UNPAUSED\n")
    files[ROOT] = files[ROOT].replace(
        "  dev:\n    mode: development\n",
        "  dev:\n    mode: development\n    resources:\n      jobs:\n        etl:\n"
        "          schedule:\n            pause_status: PAUSED\n")
    assert run(tmp_path, files) == []


def test_a_hard_coded_id_in_a_target_override_is_found_where_it_is_written(tmp_path: Path) -> None:
    files = dict(GOOD)
    files[ROOT] = GOOD[ROOT] + (
        "    resources:\n      jobs:\n        etl:\n          job_clusters:\n"
        "            - job_cluster_key: main\n              new_cluster:\n"
        "                policy_id: E0631F5C0D000A5A\n")
    found = run(tmp_path, files)
    assert [(f.rule, f.file, f.line) for f in found] == [
        ("DAB001", ROOT, line_of(files, ROOT, "policy_id"))]
    assert "cluster policy id `E0631F5C0D000A5A`" in found[0].message


def test_a_git_sourced_job_has_no_missing_files(tmp_path: Path) -> None:
    files = edited(JOB, "      name: Sales ETL\n", "      name: Sales ETL\n      git_source:\n"
                   "        git_url: https://github.com/acme/etl\n        git_provider: gitHub\n"
                   "        git_branch: main\n")
    files[JOB] = files[JOB].replace("../src/ingest.py", "notebooks/ingest")
    assert [f.rule for f in run(tmp_path, files)] == []


def test_a_removed_resource_needs_remove_deleted_intent(tmp_path: Path) -> None:
    gone = (RemovedJob("old_job", "resources/old_job.job.yml", 1002, "Old <b>@team</b>"),)
    found = run(tmp_path, GOOD, removed=gone)
    assert [(f.rule, f.file, f.line) for f in found] == [
        ("DAB009", "resources/old_job.job.yml", None)]
    assert "job 1002, `Old <b>@\u200bteam</b>`" in found[0].message  # in a code span, inert
    assert run(tmp_path, GOOD, removed=gone, remove_deleted=True) == []
    assert run(tmp_path, GOOD, removed=gone, ignore=("DAB009",)) == []


def test_each_finding_appears_once_even_when_several_targets_resolve_to_it(
        tmp_path: Path) -> None:
    files, _, _ = BROKEN["DAB006"]
    assert len(run(tmp_path, files)) == 1  # dev and prod both resolve the same cluster


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 1  # dabgen: ignore DAB003", {1: {"DAB003"}}),
    ("# dabgen: ignore dab001 DAB002,DAB003\nb: 2", {1: {"DAB001", "DAB002", "DAB003"},
                                                      2: {"DAB001", "DAB002", "DAB003"}}),
    ("a: 1 # dabgen:ignore DAB004\n# dabgen: ignore DAB005", {1: {"DAB004"}, 2: {"DAB005"},
                                                             3: {"DAB005"}}),
    ("a: 1  # dabgen: ignore", {}),
    ("a: 1  # dabgen: ignore everything", {}),
])
def test_ignore_comments(text: str, expected: dict[int, set[str]]) -> None:
    assert {k: set(v) for k, v in ignored_lines(text).items()} == expected
