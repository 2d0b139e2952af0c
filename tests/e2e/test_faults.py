"""GitHub and Databricks failing: retried when transient, reported clearly, nothing half-done."""

from __future__ import annotations

from tests.e2e.conftest import BOT, SECRETS, World

BRANCH = "dabgen/job-1001"


def test_one_502_and_one_secondary_rate_limit_are_retried(world: World) -> None:
    world.github.fail("GET", r"/collaborators/alice/permission$", 403, secondary_rate_limit=True,
                      retry_after=None)
    world.github.fail("POST", r"/issues/\d+/comments$", 502)
    world.github.fail("PATCH", r"/issues/comments/\d+$", 502)
    world.github.fail("POST", r"/pulls$", 502)

    run = world.run(world.comment("/dabgen job 1001"))

    assert run.code == 0, run.stderr
    assert [p.head for p in world.github.pulls()] == [BRANCH]
    [tracking] = world.bot_comments()
    assert "✅ dabgen finished" in tracking.body
    sent = [(r.method, r.path.split("?")[0]) for r in world.github.requests[run.first_request:]]
    assert sent.count(("POST", "/repos/acme/data-jobs/pulls")) == 2
    assert sent.count(("GET", "/repos/acme/data-jobs/collaborators/alice/permission")) == 2


def test_a_duplicated_comment_from_a_retried_post_is_removed(world: World) -> None:
    # GitHub created the comment but the answer was lost: the retry creates a second one.
    world.github.fail("POST", r"/issues/\d+/comments$", 502, after_processing=True)

    run = world.run(world.comment("/dabgen job 1001"))

    assert run.code == 0, run.stderr
    [tracking] = world.bot_comments()
    assert "✅ dabgen finished" in tracking.body
    deleted = [r for r in world.github.requests[run.first_request:] if r.method == "DELETE"]
    assert len(deleted) == 1 and f"/issues/comments/{tracking.id}" not in deleted[0].path


def test_github_down_fails_the_run_clearly(world: World) -> None:
    trigger = world.comment("/dabgen job 1001")
    payload = world.payload(trigger)
    world.github.fail("*", r".", 502, times=1000)

    run = world.run(trigger, payload=payload)

    assert run.code == 1
    assert "GitHub API GET /collaborators/alice/permission failed: HTTP 502" in run.stderr
    assert world.branches() == ["main"]
    assert not [s for s in SECRETS if s in run.stderr + run.stdout]


def test_pr_creation_failing_removes_the_new_branch(world: World) -> None:
    world.github.fail("POST", r"/pulls$", 502, times=100)

    run = world.run(world.comment("/dabgen job 1001"))

    assert run.code == 1
    assert world.branches() == ["main"]  # pushed, then deleted again
    assert world.github.pulls() == []
    [tracking] = world.bot_comments()
    assert "❌ dabgen could not finish" in tracking.body
    assert "POST /pulls failed: HTTP 502" in tracking.body
    assert "- [x] Commit" in tracking.body and "- [ ] ❌ Open PR" in tracking.body


def test_databricks_auth_error_is_reported_without_the_token(world: World) -> None:
    run = world.run(world.comment("/dabgen job 1001"),
                    env={"INPUT_DATABRICKS-TOKEN": "dapi" + "0" * 32})

    assert run.code == 0, run.stderr
    [tracking] = world.bot_comments()
    assert "❌ dabgen could not finish" in tracking.body
    assert "databricks-host" in tracking.body  # the hint names the inputs to check
    assert "dapi" + "0" * 32 not in world.everything_sent(run)
    assert world.branches() == ["main"]


def test_databricks_5xx_is_reported_and_nothing_is_pushed(world: World) -> None:
    world.workspace.fail("/api/2.0/workspace/export", 500, times=None)

    run = world.run(world.comment("/dabgen job 1001"))

    assert run.code == 0, run.stderr
    [tracking] = world.bot_comments()
    assert "❌ dabgen could not finish" in tracking.body and "**What to do:**" in tracking.body
    assert world.branches() == ["main"] and world.github.pulls() == []
    assert world.github.reactions(world.github.comments(world.issue)[0].id) == [(BOT, "eyes")]


def test_a_pr_created_by_a_lost_answer_is_found_not_duplicated(world: World) -> None:
    # GitHub opened the PR but the answer was lost; the retried POST answers 422.
    world.github.fail("POST", r"/pulls$", 502, after_processing=True)

    run = world.run(world.comment("/dabgen job 1001"))

    assert run.code == 0, run.stderr
    [pull] = world.github.pulls()
    assert pull.state == "open" and run.outputs["pr-number"] == str(pull.number)
    assert "✅ dabgen finished" in world.bot_comments()[0].body
