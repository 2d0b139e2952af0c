"""How a review reads on GitHub: body, inline comments, annotations (pure)."""

from __future__ import annotations

from typing import Any

from dabgen_ci.core.bundle.roundtrip import ABSENT
from dabgen_ci.core.review.findings import Finding
from dabgen_ci.core.review.plan import DeployPlan, FieldChange, JobChange
from dabgen_ci.core.review.render import (
    FINDING_MARKER,
    annotation,
    comment_body,
    deletion_annotation,
    plain,
    resolved_body,
    review_body,
    verdict,
)
from dabgen_ci.core.review.report import BundleReview, Review

JOB = "bundle/resources/etl.job.yml"
HARD_CODED = Finding("DAB001", "warning", "hard-coded SQL warehouse id `4b9f`", "use a var",
                     JOB, 12, "resources.jobs.etl.tasks[1].sql_task.warehouse_id")
NO_NOTIFY = Finding("DAB004", "warning", "job `etl` sends no notification when a run fails",
                    "add on_failure", JOB, 4, "resources.jobs.etl")
SCHEMA = Finding("schema", "error", "unknown field @team <b>x</b>", "", "bundle/databricks.yml", 3)
PLAN = DeployPlan("prod", (
    JobChange("update", "etl", "Sales ETL", JOB, 1001, (
        FieldChange("tasks[report].sql_task.warehouse_id", "4b9f", "prod|wh"),
        FieldChange("job_clusters[main].new_cluster.num_workers", 2, 4, ui_edit=True),
        FieldChange("timeout_seconds", 0, ABSENT))),
    JobChange("create", "fresh", "Fresh", "bundle/resources/fresh.job.yml"),
    JobChange("delete", "old", "Old @team job", "bundle/resources/old.job.yml", 1002),
))


def review(**changes: Any) -> Review:
    bundle = BundleReview("bundle", (HARD_CODED, NO_NOTIFY, SCHEMA), PLAN, ("schema", "rules"),
                          {"databricks-cli": "databricks CLI not on PATH"})
    fields: dict[str, Any] = {"base": "main", "head": "a" * 40, "bundles": (bundle,),
                              "changed": {JOB: ((10, 14),)}}
    return Review(**{**fields, **changes})


def test_findings_on_added_lines_go_inline_the_rest_to_the_body() -> None:
    inline, body = review().split()
    assert inline == [HARD_CODED]
    assert body == [SCHEMA, NO_NOTIFY]


def test_the_verdict_follows_fail_on() -> None:
    assert verdict(review()).startswith("❌ dabgen review fails: 1 error(s), 2 warning(s)")
    assert verdict(review(fail_on="never")).startswith("⚠️ dabgen review passes")
    assert review(fail_on="warning", bundles=(BundleReview("b", (NO_NOTIFY,), PLAN),)).failed
    assert not review(fail_on="error", bundles=(BundleReview("b", (NO_NOTIFY,), PLAN),)).failed


def test_the_body_has_the_table_the_plan_and_the_bold_deletion() -> None:
    body = review_body(review(), "https://github.com/acme/x/actions/runs/9")
    assert body.startswith("<!-- dabgen:review head=" + "a" * 40 + " -->\n\n### ❌")
    assert "| Validation | 1 | 0 |" in body and "| Lint | 0 | 2 |" in body
    assert "| Databricks CLI | 0 | 0 | skipped: databricks CLI not on PATH |" in body
    assert ("**deploying this deletes job 1002 (Old @\u200bteam job) from the workspace**"
            in body)
    assert "| `tasks[report].sql_task.warehouse_id` | `4b9f` | `prod\\|wh` |" in body
    assert ("| `job_clusters[main].new_cluster.num_workers` ⚠️ UI edit since the last sync "
            "| `2` | `4` |") in body
    assert "| `timeout_seconds` | `0` | _unset_ |" in body
    assert "1 finding(s) are inline comments" in body
    assert "**DAB004** `bundle/resources/etl.job.yml:4`: job `etl` sends no notification" in body


def test_text_from_the_bundle_cannot_mention_or_inject_html() -> None:
    body = review_body(review())
    assert "@team" not in body and "<b>" not in body
    assert plain("Closes #2 @org/team <img src=x>") == (
        "C\u200bloses #\u200b2 @\u200borg/team \\<img src=x\\>")


def test_a_skipped_plan_says_why() -> None:
    skipped = BundleReview("bundle", (), DeployPlan("prod", skipped="no Databricks credentials"))
    body = review_body(review(bundles=(skipped,)))
    assert "Skipped: no Databricks credentials." in body
    assert "| Deploy plan `bundle` → `prod` | | | skipped: no Databricks credentials |" in body


def test_the_models_summary_is_marked_as_the_models() -> None:
    body = review_body(review(risk_summary="Deletes a prod job.\n@someone look"))
    assert "🤖 Risk summary (written by a model — the findings above are the record)" in body
    assert "> Deletes a prod job.\n> @\u200bsomeone look" in body


def test_inline_comment_and_its_resolution_carry_the_fingerprint() -> None:
    body = comment_body(HARD_CODED)
    match = FINDING_MARKER.search(body)
    assert match and match.group(1) == HARD_CODED.fingerprint and not match.group(2)
    assert "`# dabgen: ignore DAB001` on this line" in body
    done = resolved_body(body, HARD_CODED.fingerprint, "b" * 40)
    again = FINDING_MARKER.search(done)
    assert again and again.group(1) == HARD_CODED.fingerprint and again.group(2)
    assert "✅ **Resolved** at `bbbbbbbbbb`: ~~❌" not in done and "~~⚠️ **DAB001**" in done


def test_the_fingerprint_ignores_the_line() -> None:
    moved = Finding(**{**vars(HARD_CODED), "line": 40})
    assert moved.fingerprint == HARD_CODED.fingerprint
    assert Finding(**{**vars(HARD_CODED), "rule": "DAB003"}).fingerprint != HARD_CODED.fingerprint


def test_annotations_escape_workflow_command_syntax() -> None:
    tricky = Finding("rules", "error", "50% done\n::error::injected", "", "a,b:c.yml", 7)
    assert annotation(tricky) == (
        "::error file=a%2Cb%3Ac.yml,line=7,title=rules::50%25 done%0A::error::injected")
    assert annotation(HARD_CODED).startswith(
        "::warning file=bundle/resources/etl.job.yml,line=12,title=DAB001::hard-coded")
    assert deletion_annotation(PLAN.jobs[2]) == (
        "::warning file=bundle/resources/old.job.yml,title=deploy plan::deploying this deletes "
        "job 1002 (Old @team job) from the workspace")


def test_findings_without_a_path_on_different_lines_are_told_apart() -> None:
    first = Finding("loader", "error", "cannot merge", "", "bundle/a.yml", 3)
    second = Finding("loader", "error", "cannot merge", "", "bundle/a.yml", 9)
    assert first.fingerprint != second.fingerprint


def test_at_most_fifty_findings_go_inline() -> None:
    from dabgen_ci.core.review.report import MAX_INLINE

    many = tuple(Finding("DAB001", "warning", f"id {n}", "", JOB, n, f"p{n}")
                 for n in range(1, 81))
    inline, body = review(bundles=(BundleReview("bundle", many, PLAN),),
                          changed={JOB: ((1, 100),)}).split()
    assert len(inline) == MAX_INLINE == 50 and len(body) == 30


def test_an_unbound_job_shows_its_bind_command_and_what_binding_would_change() -> None:
    note = ("not bound in the `prod` deployment state: this deploy creates a second job beside "
            "job 1001; bind it first (`databricks bundle deployment bind etl 1001 --target "
            "prod`)")
    plan = DeployPlan("prod", (JobChange("create", "etl", "ETL", JOB, 1001, (
        FieldChange("timeout_seconds", 0, 60),), note),),
        state="none in `/Workspace/Users/ana@acme.com/.bundle/b/prod/state`: never deployed")
    body = review_body(review(bundles=(BundleReview("bundle", (), plan),)))
    assert ("Deployment state: none in `/Workspace/Users/ana@\u200bacme.com/.bundle/b/prod/"
            "state`: never deployed.") in body
    assert ("| `etl` (job 1001) | create | not bound in the `prod` deployment state: this "
            "deploy creates a second job beside job 1001; bind it first (`databricks bundle "
            "deployment bind etl 1001 --target prod`) |") in body
    assert "<summary>etl: once bound to job 1001, 1 field(s) change</summary>" in body
