"""The rules users rely on: who may run the bot, comment text is data, nothing overwritten."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import BOT, SECRETS, World, push_commit

BRANCH = "dabgen/job-1001"
FAKE_TOKEN = "ghp_" + "Zx81Qw72Er63Ty54Ui45Op36As27Df18Gh90"


def test_unauthorised_commenter_gets_confused_and_nothing_else(world: World) -> None:
    trigger = world.comment("/dabgen job 1001", user="bob")  # read permission

    run = world.run(trigger)

    assert run.code == 0
    assert world.github.reactions(trigger) == [(BOT, "confused")]
    [reply] = world.bot_comments()
    assert "@bob" in reply.body and "`write` permission" in reply.body
    assert world.branches() == ["main"] and world.github.pulls() == []
    assert sum(world.workspace.requests.values()) == 0  # the workspace was never read


def test_permission_comes_from_the_default_branch_config(world: World) -> None:
    push_commit(world, "main", ".dabgen.yml", "permissions:\n  generate: admin\n", "config")

    denied = world.run(world.comment("/dabgen job 1001", user="alice"))  # write < admin
    allowed = world.run(world.comment("/dabgen job 1001", user="carol"))  # admin

    assert denied.code == allowed.code == 0
    assert "`admin` permission" in world.bot_comments()[0].body
    assert world.branches() == [BRANCH, "main"]


def test_a_config_in_the_checkout_cannot_grant_permissions(world: World) -> None:
    def loosen(checkout: Path) -> None:  # what a PR head (or a dirty work tree) might hold
        (checkout / ".dabgen.yml").write_text("permissions:\n  generate: read\n")

    run = world.run(world.comment("/dabgen job 1001", user="bob"), prepare=loosen)

    assert run.code == 0
    assert "`write` permission" in world.bot_comments()[0].body
    assert world.branches() == ["main"]


def test_bots_and_marked_comments_are_ignored(world: World) -> None:
    by_bot = world.comment("/dabgen job 1001", user="renovate[bot]")
    by_app_user = world.comment("/dabgen job 1001", user="deploy-helper", user_type="Bot")
    quoting = world.comment("/dabgen job 1001\n<!-- dabgen:tracking trigger=1 -->")

    runs = [world.run(c) for c in (by_bot, by_app_user, quoting)]

    assert [r.code for r in runs] == [0, 0, 0]
    assert world.bot_comments() == []
    assert all(world.github.reactions(c) == [] for c in (by_bot, by_app_user, quoting))
    assert world.branches() == ["main"]
    writes = [r for r in world.github.requests if r.method != "GET" or "permission" in r.path]
    assert writes == []  # not even the permission lookup


def test_non_commands_and_edited_comments_are_no_ops(world: World) -> None:
    chat = world.run(world.comment("thanks! we should /dabgen job 1001 later"))
    edited_id = world.comment("/dabgen job 1001")
    edited = world.run(edited_id, payload={**world.payload(edited_id), "action": "edited"})

    assert chat.code == edited.code == 0
    assert world.bot_comments() == [] and world.branches() == ["main"]


def test_malformed_command_replies_with_the_reason(world: World) -> None:
    trigger = world.comment("/dabgen job twelve")

    run = world.run(trigger)

    assert run.code == 0
    [reply] = world.bot_comments()
    assert "`twelve` is not a job id" in reply.body and "/dabgen help" in reply.body
    assert world.github.reactions(trigger) == [(BOT, "eyes")]
    assert world.branches() == ["main"]


def test_shell_metacharacters_never_run_and_tokens_are_redacted(world: World,
                                                               tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    bodies = [
        f"/dabgen job {FAKE_TOKEN} $(touch {pwned}) `touch {pwned}`; touch {pwned}",
        f"/dabgen path /Workspace/Users/x/$(touch {pwned})",
        f"/dabgen var catalog=$(touch {pwned})|{FAKE_TOKEN}",  # an issue: wrong place
        f"/dabgen please $(touch {pwned}) {FAKE_TOKEN}",
    ]

    runs = [world.run(world.comment(body)) for body in bodies]

    assert [r.code for r in runs] == [0, 0, 0, 0]
    assert not pwned.exists()
    replies = world.bot_comments()
    assert len(replies) == 4
    assert "`***` is not a job id" in replies[0].body
    assert "characters dabgen does not accept" in replies[1].body
    assert world.branches() == ["main"]
    for run in runs:
        sent = world.everything_sent(run)
        assert FAKE_TOKEN not in sent
        assert not [s for s in SECRETS if s in sent]


def test_human_commits_on_the_branch_are_never_overwritten(world: World, dabgen_pr: int) -> None:
    human = push_commit(world, BRANCH, "bundle/NOTES.md", "my notes\n", "docs: notes")
    world.edit_job(1001, lambda job: job["settings"].update(max_concurrent_runs=5))

    run = world.run(world.comment("/dabgen job 1001"))

    assert run.code == 0, run.stderr
    assert world.branch_sha(BRANCH) == human
    latest = world.bot_comments()[-1].body
    assert "commits that dabgen did not write" in latest and human[:10] in latest
    assert "Push your changes to another branch" in latest
    assert "delete the branch `dabgen/job-1001`" in latest


def test_a_pr_closed_unmerged_is_not_reopened(world: World, dabgen_pr: int) -> None:
    tip = world.branch_sha(BRANCH)
    world.github.close_pr(dabgen_pr)
    world.edit_job(1001, lambda job: job["settings"].update(max_concurrent_runs=5))

    run = world.run(world.comment("/dabgen job 1001"))

    assert run.code == 0, run.stderr
    assert world.branch_sha(BRANCH) == tip
    [again] = world.github.pulls()
    assert again.state == "closed"
    latest = world.bot_comments()[-1].body
    assert f"#{dabgen_pr}" in latest and "closed without merging" in latest
    assert "does not re-open it" in latest


def test_after_a_merge_the_same_command_is_up_to_date(world: World, dabgen_pr: int) -> None:
    world.github.close_pr(dabgen_pr, merged=True)  # fast-forwards main to the bundle

    run = world.run(world.comment("/dabgen job 1001"))

    assert run.code == 0, run.stderr
    assert len(world.github.pulls()) == 1
    latest = world.bot_comments()[-1].body
    assert "Already up to date" in latest and "`main` already has this bundle" in latest


def test_a_broken_config_is_reported_to_permitted_users(world: World) -> None:
    push_commit(world, "main", ".dabgen.yml", "permissions:\n  generate: everyone\n", "oops")

    run = world.run(world.comment("/dabgen job 1001"))

    assert run.code == 0, run.stderr
    [tracking] = world.bot_comments()
    assert "❌ dabgen could not finish" in tracking.body
    assert ".dabgen.yml:2: permissions.generate" in tracking.body
    assert world.branches() == ["main"]


def test_another_jobs_merged_bundle_is_never_dropped(world: World, dabgen_pr: int) -> None:
    world.github.close_pr(dabgen_pr, merged=True)  # main now holds job 1001's bundle

    run = world.run(world.comment("/dabgen job 1004"))

    assert run.code == 0, run.stderr
    assert "dabgen/job-1004" not in world.branches()
    refused = world.bot_comments()[-1].body
    assert "`bundle/resources/nightly_sales_etl.job.yml`: job 1001" in refused
    assert "/dabgen job 1001 1004" in refused

    run = world.run(world.comment("/dabgen job 1001 1004"))

    assert run.code == 0, run.stderr
    files = world.files("dabgen/job-1001-1004")
    assert "bundle/resources/nightly_sales_etl.job.yml" in files
    assert "bundle/resources/churn_model_training.job.yml" in files
