"""Lint findings the validators already reported at the same place are not repeated."""

from __future__ import annotations

from dabgen_ci.core.review.findings import Finding
from dabgen_ci.flows.review.bundle import not_repeated

F = "resources/etl.job.yml"


def test_a_lint_finding_at_a_validator_path_or_a_cli_line_is_dropped() -> None:
    missing = Finding("DAB008", "error", "notebook is not in the bundle", "", F, 12,
                      "resources.jobs.etl.tasks[0].notebook_task.notebook_path")
    hard_coded = Finding("DAB001", "warning", "hard-coded id", "", F, 20,
                         "resources.jobs.etl.tasks[1].existing_cluster_id")
    all_purpose = Finding("DAB003", "warning", "all-purpose", "", F, 20,
                          "resources.jobs.etl.tasks[1].existing_cluster_id")
    no_notify = Finding("DAB004", "warning", "no notification", "", F, 3, "resources.jobs.etl")
    checked = [
        Finding("rules", "error", "notebook not found", "", F, 12,
                "resources.jobs.etl.tasks[0].notebook_task.notebook_path"),
        Finding("databricks-cli", "warning", "cluster ... all-purpose", "", F, 20, None),
        Finding("schema", "warning", "unknown field", "", F, 3, None),  # same line, not CLI
    ]
    assert not_repeated([missing, hard_coded, all_purpose, no_notify], checked) == [no_notify]
