"""The action reviews pull requests that touch bundles: `pull_request` events and
`/dabgen review`, against the GitHub server (reviews, inline comments), the workspace server
(the deploy plan over databricks-sdk) and the bare remote; `dabgen action` runs in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import BOT, World
from tests.e2e.review_support import (
    pull_payload,
    push_change,
    run_in_process,
    seed_main_with_bundle,
)
from tests.review.repo import DASHBOARD, NEW_JOB

NEW_FILE = "bundle/resources/adhoc_export.job.yml"
FIXED_JOB = NEW_JOB.replace("          existing_cluster_id: 0923-164208-meows279\n",
                            "          existing_cluster_id: ${var.cluster_id}\n")
CLUSTER_VAR = "variables:\n  cluster_id:\n    default: 0923-164208-meows279\n"


@pytest.fixture
def seeded(world: World, tmp_path: Path) -> World:
    seed_main_with_bundle(world, tmp_path)
    return world


def bot_reviews(world: World, number: int) -> list:
    return [r for r in world.github.reviews(number) if r.user == BOT and r.body]


def bot_line_comments(world: World, number: int) -> list:
    return [c for c in world.github.review_comments(number) if c.user == BOT]


def review_pr(world: World, number: int, action: str = "opened",
              env: dict[str, str] | None = None):
    return run_in_process(world, "pull_request", pull_payload(world, number, action),
                          {"INPUT_COMMAND": "review", **(env or {})})


def test_a_hard_coded_cluster_gets_an_inline_comment_and_a_fix_resolves_it(
        seeded: World) -> None:
    world = seeded
    push_change(world, "adhoc", write={NEW_FILE: NEW_JOB})
    number = world.github.open_pull("adhoc", "Add the adhoc export", "", "alice")

    run = review_pr(world, number)

    assert run.code == 0, run.stderr  # warnings only; fail-on defaults to error
    [review] = bot_reviews(world, number)
    assert review.state == "COMMENTED" and review.commit_id == world.branch_sha("adhoc")
    assert "### ⚠️ dabgen review passes: 0 error(s)" in review.body
    assert "| Lint | 0 |" in review.body
    inline = {(c.path, c.line, c.body.split("**")[1]) for c in bot_line_comments(world, number)}
    assert inline == {(NEW_FILE, 10, "DAB001"), (NEW_FILE, 10, "DAB003")}
    assert ("::warning file=bundle/resources/adhoc_export.job.yml,line=10,title=DAB001::"
            in run.stdout)
    assert "dabgen review passes" in run.summary  # the job summary has the review too
    # the plan ran against the workspace: the new job is created, the others unchanged
    assert "| `adhoc_export` | create |" in review.body

    push_change(world, "adhoc", write={NEW_FILE: FIXED_JOB,
                                       "bundle/resources/vars.yml": CLUSTER_VAR})
    again = review_pr(world, number, "synchronize")

    assert again.code == 0, again.stderr
    [same] = bot_reviews(world, number)  # replaced, not stacked
    assert same.id == review.id and len(same.bodies) == 2
    hard_coded, all_purpose = bot_line_comments(world, number)  # no duplicates
    tip = world.branch_sha("adhoc")
    assert tip is not None
    assert hard_coded.body.split("\n")[1].startswith(
        f"✅ **Resolved** at `{tip[:10]}`: ~~⚠️ **DAB001**")
    assert "**DAB003**" in all_purpose.body and "Resolved" not in all_purpose.body


def test_a_new_finding_after_a_push_supersedes_the_previous_review(seeded: World) -> None:
    world = seeded
    push_change(world, "adhoc", write={NEW_FILE: FIXED_JOB,
                                       "bundle/resources/vars.yml": CLUSTER_VAR})
    number = world.github.open_pull("adhoc", "Add the adhoc export", "", "alice")
    review_pr(world, number)
    push_change(world, "adhoc", write={NEW_FILE: FIXED_JOB.replace(
        "../src/sales/01_ingest_orders.py", "../src/sales/missing.py")})

    run = review_pr(world, number, "synchronize")

    assert run.code == 1, run.stderr  # a missing notebook is an error
    first, second = [r for r in world.github.reviews(number) if r.user == BOT and r.body]
    assert "superseded" in first.body.split("\n")[0] and "_Superseded by" in first.body
    assert "dabgen review fails: 1 error(s)" in second.body
    all_purpose, missing = bot_line_comments(world, number)
    assert "**DAB003**" in all_purpose.body
    # the validator reports the missing notebook, so DAB008 does not repeat it
    assert missing.body.split("\n")[1].startswith("❌ **rules**") and "missing.py" in \
        missing.body


def test_deleting_a_resource_warns_that_the_deploy_deletes_the_job(seeded: World) -> None:
    world = seeded
    push_change(world, "cleanup", delete=(DASHBOARD,))
    number = world.github.open_pull("cleanup", "Drop the dashboard job", "", "alice")

    run = review_pr(world, number)

    assert run.code == 0, run.stderr
    [review] = bot_reviews(world, number)
    assert ("**deploying this deletes job 1002 (Revenue Dashboard Refresh) from the "
            "workspace**") in review.body
    assert "**DAB009**" in review.body  # removed without remove_deleted intent
    assert ("::warning file=bundle/resources/revenue_dashboard_refresh.job.yml,"
            "title=deploy plan::deploying this deletes job 1002") in run.stdout
    assert bot_line_comments(world, number) == []  # a deleted file has no line to comment on


def test_fail_on_warning_input_fails_the_step(seeded: World) -> None:
    world = seeded
    push_change(world, "adhoc", write={NEW_FILE: NEW_JOB})
    number = world.github.open_pull("adhoc", "Add the adhoc export", "", "alice")
    run = review_pr(world, number, env={"INPUT_FAIL-ON": "warning"})
    assert run.code == 1
    assert "(fail-on: warning)" in bot_reviews(world, number)[0].body


def test_a_fork_is_reviewed_offline_and_reported_in_the_summary(seeded: World) -> None:
    world = seeded
    head = push_change(world, "fork-work", write={NEW_FILE: NEW_JOB})
    world.github.set_permission("mallory", "read")
    number = world.github.open_pull("patch-1", "From a fork", "", "mallory",
                                    fork="mallory/data-jobs", head_sha=head)
    world.github.fail("POST", r"/pulls/\d+/reviews$", 403, times=3)  # a fork's read-only token

    run = review_pr(world, number)

    assert run.code == 0, run.stderr
    assert bot_reviews(world, number) == []
    assert "could not post the review" in run.stderr
    assert "pull request from a fork" in run.summary  # the plan was not run
    assert "::warning file=bundle/resources/adhoc_export.job.yml,line=10" in run.stdout
    assert not world.workspace.requests  # nothing read from the workspace for a fork


def test_drafts_wait_until_they_are_ready(seeded: World) -> None:
    world = seeded
    push_change(world, "adhoc", write={NEW_FILE: NEW_JOB})
    number = world.github.open_pull("adhoc", "WIP", "", "alice", draft=True)
    run = review_pr(world, number)
    assert run.code == 0 and "draft pull request" in run.stderr
    assert world.github.reviews(number) == []


def test_slash_review_on_a_pull_request_reviews_it_and_replies(seeded: World) -> None:
    world = seeded
    push_change(world, "cleanup", delete=(DASHBOARD,))
    number = world.github.open_pull("cleanup", "Drop the dashboard job", "", "alice")
    trigger = world.comment("/dabgen review", number=number)

    run = run_in_process(world, "issue_comment", world.payload(trigger, number))

    assert run.code == 0, run.stderr
    [review] = bot_reviews(world, number)
    [reply] = world.bot_comments(number)
    tip = world.branch_sha("cleanup")
    assert tip is not None and f"Reviewed `{tip[:10]}`" in reply.body
    assert "[the review](" in reply.body
    assert "deploying this deletes job 1002" in review.body
    assert ("github-actions[bot]", "eyes") in world.github.reactions(trigger)


def test_slash_review_needs_the_validate_permission(seeded: World) -> None:
    world = seeded
    push_change(world, "cleanup", delete=(DASHBOARD,))
    number = world.github.open_pull("cleanup", "Drop the dashboard job", "", "alice")
    trigger = world.comment("/dabgen review", user="bob", number=number)  # bob: read
    run = run_in_process(world, "issue_comment", world.payload(trigger, number))
    assert run.code == 0
    assert world.github.reviews(number) == []
    assert "only runs this command for people with `write`" in world.bot_comments(number)[0].body


def test_a_broken_config_on_the_base_fails_the_step_with_its_line(seeded: World) -> None:
    world = seeded
    push_change(world, "main", write={".dabgen.yml": "review:\n  fail_on: sometimes\n"})
    push_change(world, "adhoc", write={NEW_FILE: NEW_JOB})
    number = world.github.open_pull("adhoc", "Add the adhoc export", "", "alice")
    run = review_pr(world, number)
    assert run.code == 2
    assert ".dabgen.yml" in run.stderr and "review.fail_on" in run.stderr
    assert world.github.reviews(number) == []
