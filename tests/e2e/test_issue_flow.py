"""`/dabgen job|path` on an issue, end to end: branch, commit, PR, tracking comment, outputs."""

from __future__ import annotations

from tests.e2e.conftest import BOT, SECRETS, World

BRANCH = "dabgen/job-1001"
RESOURCE = "bundle/resources/nightly_sales_etl.job.yml"
BOT_AUTHOR = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
BROKEN_JOB = {
    "job_id": 2001, "creator_user_name": "data-eng@acme.com", "created_time": 1718000000000,
    "settings": {
        "name": "Broken dependencies",
        "tasks": [{
            "task_key": "load", "depends_on": [{"task_key": "extract"}],
            "notebook_task": {"notebook_path":
                              "/Workspace/Users/data-eng@acme.com/sales/01_ingest_orders",
                              "source": "WORKSPACE"},
            "environment_key": "default"}],
        "environments": [{"environment_key": "default", "spec": {"client": "1"}}],
    },
}


def test_happy_path_opens_a_validated_pr(world: World) -> None:
    """Also the action entry point's process contract: the child process the Docker image
    runs, its exit status, `$GITHUB_OUTPUT`, the step summary, and no token on its streams."""
    trigger = world.comment("/dabgen job 1001")
    run = world.run(trigger, process=True)
    assert run.code == 0, run.stderr

    # git: a branch from main holding the bundle, committed by the bot for alice
    assert set(world.branches()) == {"main", BRANCH}
    files = world.files(BRANCH)
    assert "README.md" in files
    assert {"bundle/databricks.yml", "bundle/resources/nightly_sales_etl.job.yml",
            "bundle/src/sales/01_ingest_orders.py"} <= set(files)
    info = world.commit_info(BRANCH)
    assert info["author"] == info["committer"] == BOT_AUTHOR
    alice = world.user_id("alice")
    assert f"Co-authored-by: alice <{alice}+alice@users.noreply.github.com>" in info["message"]

    # GitHub: 👀 on the trigger, one PR, one tracking comment edited as steps finished
    assert world.github.reactions(trigger) == [(BOT, "eyes")]
    [pull] = world.github.pulls()
    assert pull.body is not None
    assert (pull.head, pull.base, pull.state) == (BRANCH, "main", "open")
    assert pull.title == "dabgen: bundle for job 1001 (Nightly Sales ETL)"
    assert pull.body.startswith("<!-- dabgen:pr job=1001 issue=1 -->")
    assert "Closes #1" in pull.body and "deployment bind nightly_sales_etl 1001" in pull.body
    [tracking] = world.bot_comments()
    history = world.github.comment_history(tracking.id)
    assert "⏳" in history[0] and "- [ ] Fetch job" in history[0]
    assert len(history) >= 5  # edited as steps finished, not only at the end
    final = history[-1]
    assert final.startswith("<!-- dabgen:tracking trigger=")
    assert "✅ dabgen finished `/dabgen job 1001`" in final
    assert "- [x] Open PR — #2 opened" in final and "- [ ]" not in final
    assert f"[#2]({world.github.url}/acme/data-jobs/pull/2)" in final
    assert f"{world.github.url}/acme/data-jobs/actions/runs/" in final

    # outputs and the job summary
    assert run.outputs == {"pr-number": "2", "pr-url": f"{world.github.url}/acme/data-jobs/pull/2",
                           "branch": BRANCH, "validation": "passed"}
    assert "dabgen finished" in run.summary
    sent = world.everything_sent(run)
    assert not [s for s in SECRETS if s in sent]
    assert world.github.requests[run.first_request:]
    assert not [r for r in world.github.requests if r.path == "/user"]


def test_second_identical_run_changes_nothing(world: World) -> None:
    assert world.run(world.comment("/dabgen job 1001")).code == 0
    tip = world.branch_sha(BRANCH)

    run = world.run(world.comment("/dabgen job 1001"))

    assert run.code == 0, run.stderr
    assert world.branch_sha(BRANCH) == tip
    assert len(world.github.pulls()) == 1
    latest = world.bot_comments()[-1].body
    assert "Already up to date" in latest and "/acme/data-jobs/pull/2" in latest
    assert run.outputs["pr-number"] == "2"


def test_changed_job_updates_the_same_branch_and_pr(world: World, dabgen_pr: int) -> None:
    first = world.branch_sha(BRANCH)  # the bot's earlier commit
    world.edit_job(1001, lambda job: job["settings"].update(max_concurrent_runs=3))

    run = world.run(world.comment("/dabgen job 1001"))

    assert run.code == 0, run.stderr
    tip = world.branch_sha(BRANCH)
    assert tip != first
    assert world.branch_sha(f"{BRANCH}~1") == first
    assert "max_concurrent_runs: 3" in world.show(BRANCH, RESOURCE)
    [pull] = world.github.pulls()
    assert pull.body is not None
    assert (pull.number, pull.state) == (dabgen_pr, "open")
    edits = [r for r in world.github.requests[run.first_request:]
             if r.method == "PATCH" and r.path.endswith(f"/pulls/{pull.number}")]
    assert len(edits) == 1 and "<!-- dabgen:pr job=1001 issue=1 -->" in edits[0].body["body"]
    assert f"Updated [#{dabgen_pr}]" in world.bot_comments()[-1].body


def test_unknown_job_finishes_with_a_hint_and_pushes_nothing(world: World) -> None:
    run = world.run(world.comment("/dabgen job 999"))

    assert run.code == 0, run.stderr
    assert world.branches() == ["main"]
    assert world.github.pulls() == []
    [tracking] = world.bot_comments()
    assert "❌ dabgen could not finish" in tracking.body
    assert "999" in tracking.body and "**What to do:**" in tracking.body
    assert run.outputs["validation"] == "skipped"


def test_validation_errors_push_nothing(world: World) -> None:
    world.add_job(BROKEN_JOB)

    run = world.run(world.comment("/dabgen job 2001"))

    assert run.code == 0, run.stderr
    assert world.branches() == ["main"]
    assert world.github.pulls() == []
    [tracking] = world.bot_comments()
    assert "validation error(s); nothing was pushed" in tracking.body
    assert "<details><summary>Validation diagnostics (1)</summary>" in tracking.body
    assert "depends_on names task 'extract'" in tracking.body
    assert "- [ ] ❌ Validate" in tracking.body and "~~Commit~~" in tracking.body
    assert run.outputs["validation"] == "failed"


def test_path_command_opens_a_pr_on_a_path_branch(world: World) -> None:
    run = world.run(world.comment("/dabgen path /Workspace/Users/data-eng@acme.com/common"))

    assert run.code == 0, run.stderr
    [branch] = [b for b in world.branches() if b != "main"]
    assert branch.startswith("dabgen/path-users-data-eng-acme-com-common-")
    [pull] = world.github.pulls()
    assert pull.body is not None
    assert pull.head == branch
    assert "<!-- dabgen:pr path=/Workspace/Users/data-eng@acme.com/common issue=1 -->" in pull.body
    assert "- [x] List notebooks" in world.bot_comments()[-1].body
    # a job built from a folder does not exist yet: there is nothing to bind
    assert "deployment bind" not in world.bot_comments()[-1].body + pull.body


def test_help_replies_with_the_command_list(world: World) -> None:
    trigger = world.comment("/dabgen help", user="bob")  # read access is enough for help

    run = world.run(trigger)

    assert run.code == 0
    [reply] = world.bot_comments()
    assert "/dabgen job <id>" in reply.body and "/dabgen var <name>=<value>" in reply.body
    assert world.branches() == ["main"]
