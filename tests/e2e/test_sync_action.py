"""The action's scheduled sync and `/dabgen sync`, end to end: the real `dabgen action`
command against the GitHub server, the workspace server and a bare git remote."""

from __future__ import annotations

import shutil
from pathlib import Path

from dabgen_ci.flows.sync.flow import SyncOptions, run_sync
from dabgen_ci.workspace.live import LiveSource
from tests.e2e.conftest import (
    DATABRICKS_TOKEN,
    REPO,
    SECRETS,
    Run,
    World,
    git,
    push_commit,
)

BRANCH = "dabgen/sync"
RESOURCE = "bundle/resources/nightly_sales_etl.job.yml"
CONFIG = "version: 1\nbundle_dir: bundle\njobs: {ids: [1001]}\n"
BOT_AUTHOR = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
SCHEDULE = {"schedule": "17 6 * * 1-5"}
SCHEDULE_ENV = {"INPUT_COMMAND": "sync", "GITHUB_REF_NAME": "main",
                "GITHUB_REF": "refs/heads/main"}


def seed_main(world: World, files: dict[str, bytes | str], message: str = "seed") -> None:
    """A human's commit on main with `files` (paths from the repository root)."""
    scratch = world.root / f"seed-{len(list(world.root.iterdir()))}"
    git(world.root, "clone", "-q", str(world.bare), str(scratch))
    for rel, content in files.items():
        target = scratch / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content)
        else:
            target.write_bytes(content)
    git(scratch, "add", "-A")
    git(scratch, "commit", "-q", "-m", message)
    git(scratch, "push", "-q", "origin", "main")


def seed_bundle(world: World, demo_bundle: dict[str, bytes], config: str = CONFIG) -> None:
    seed_main(world, {".dabgen.yml": config,
                      **{f"bundle/{rel}": data for rel, data in demo_bundle.items()}})


def merged_sync(world: World) -> None:
    """What merging a sync PR leaves on main: the synced bundle and its base record."""
    scratch = world.root / f"merged-{len(list(world.root.iterdir()))}"
    git(world.root, "clone", "-q", str(world.bare), str(scratch))
    source = LiveSource.from_config(host=world.workspace.url, token=DATABRICKS_TOKEN)
    result = run_sync(source, SyncOptions(root=scratch))
    assert result.drifted
    git(scratch, "add", "-A")
    git(scratch, "commit", "-q", "-m", "Merge the sync")
    git(scratch, "push", "-q", "origin", "main")


def scheduled(world: World) -> Run:
    return world.run(0, payload=SCHEDULE, event="schedule", env=SCHEDULE_ENV)


def max_runs(value: int):
    return lambda job: job["settings"].update(max_concurrent_runs=value)


def test_no_drift_no_pr(world: World, demo_bundle: dict[str, bytes]) -> None:
    seed_bundle(world, demo_bundle)
    run = scheduled(world)
    assert run.code == 0, run.stderr
    assert world.branches() == ["main"]
    assert world.github.pulls() == []
    assert "No drift: `bundle/` matches the workspace (1 job(s)); nothing to commit." in run.summary
    assert run.outputs["pr-number"] == ""
    # *Run workflow* (workflow_dispatch) takes the same path
    dispatch = world.run(0, event="workflow_dispatch", env={"INPUT_COMMAND": "sync"},
                         payload={"inputs": {}, "ref": "refs/heads/main",
                                  "repository": {"full_name": REPO, "default_branch": "main"}})
    assert dispatch.code == 0, dispatch.stderr
    assert "No drift" in dispatch.summary and world.github.pulls() == []


def test_drift_one_pr_same_pr_then_closed(world: World, demo_bundle: dict[str, bytes]) -> None:
    seed_bundle(world, demo_bundle)
    world.edit_job(1001, max_runs(3))
    run = scheduled(world)
    assert run.code == 0, run.stderr
    [pull] = world.github.pulls()
    assert (pull.head, pull.base, pull.state) == (BRANCH, "main", "open")
    assert pull.title == "dabgen sync: 1 job(s) drifted in bundle/ (bundle)"
    assert pull.body is not None
    assert pull.body.startswith("<!-- dabgen:sync bundle=bundle -->\n## dabgen sync: bundle")
    assert "- `max_concurrent_runs`: `1` → `3`" in pull.body.splitlines()
    info = world.commit_info(BRANCH)
    assert info["author"] == info["committer"] == BOT_AUTHOR
    assert info["message"].startswith("dabgen sync: bundle — 1 job(s) drifted")
    assert "max_concurrent_runs: 3" in world.show(BRANCH, RESOURCE)
    assert "bundle/.dabgen/jobs/1001.json" in world.files(BRANCH)
    assert run.outputs["pr-number"] == str(pull.number) and run.outputs["branch"] == BRANCH
    assert "- `max_concurrent_runs`: `1` → `3`" in run.summary  # the whole report too
    assert not any(secret in world.everything_sent(run) for secret in SECRETS)

    # the same run again: the same PR, no new commit
    sha = world.branch_sha(BRANCH)
    again = scheduled(world)
    assert again.code == 0, again.stderr
    assert world.branch_sha(BRANCH) == sha
    assert [p.number for p in world.github.pulls()] == [pull.number]
    assert "no new commit" in again.summary

    # drift gone: the PR is closed with a comment and its branch deleted
    world.edit_job(1001, max_runs(1))
    gone = scheduled(world)
    assert gone.code == 0, gone.stderr
    [closed] = world.github.pulls()
    assert closed.state == "closed" and not closed.merged
    [comment] = world.bot_comments(pull.number)
    assert "The workspace matches `bundle/` again" in comment.body
    assert world.branches() == ["main"]

    # drift again later: a new PR (the closed one was closed by dabgen, its branch is gone)
    world.edit_job(1001, max_runs(4))
    assert scheduled(world).code == 0
    assert [p.state for p in world.github.pulls()] == ["closed", "open"]


def test_conflict_labels_the_pr(world: World, demo_bundle: dict[str, bytes]) -> None:
    seed_bundle(world, demo_bundle)
    world.edit_job(1001, lambda job: job["settings"].update(timeout_seconds=7000))
    merged_sync(world)  # main now records the base
    resource = world.show("main", RESOURCE)
    seed_main(world, {RESOURCE: resource.replace("max_concurrent_runs: 1",
                                                 "max_concurrent_runs: 5") + "\n"})
    world.edit_job(1001, max_runs(7))
    world.edit_job(1001, lambda job: job["settings"].update(description="Orders, daily"))
    run = scheduled(world)
    assert run.code == 0, run.stderr
    [pull] = world.github.pulls()
    assert world.github.labels(pull.number) == ["dabgen:conflict"]
    assert pull.title.endswith(", 1 conflict(s)")
    assert pull.body is not None
    assert ("- **conflict** `max_concurrent_runs`: repository `5` (kept) · workspace `7`"
            in pull.body.splitlines())
    branch_text = world.show(BRANCH, RESOURCE)
    assert "max_concurrent_runs: 5" in branch_text and "description: Orders, daily" in branch_text
    # the repository accepts the workspace's value: no conflict left, label removed
    seed_main(world, {RESOURCE: world.show("main", RESOURCE).replace(
        "max_concurrent_runs: 5", "max_concurrent_runs: 7") + "\n"})
    assert scheduled(world).code == 0
    assert world.github.labels(pull.number) == []


def test_human_commits_on_the_sync_branch_are_never_overwritten(
        world: World, demo_bundle: dict[str, bytes]) -> None:
    seed_bundle(world, demo_bundle)
    world.edit_job(1001, max_runs(3))
    assert scheduled(world).code == 0
    human = push_commit(world, BRANCH, "bundle/NOTES.md", "reviewed\n", "Add notes")
    world.edit_job(1001, max_runs(4))
    run = scheduled(world)
    assert run.code == 0, run.stderr
    assert world.branch_sha(BRANCH) == human
    assert "has commits that dabgen did not write" in run.summary


def test_comment_sync_is_tracked_and_credited(world: World,
                                             demo_bundle: dict[str, bytes]) -> None:
    seed_bundle(world, demo_bundle)
    world.edit_job(1001, max_runs(3))
    denied = world.run(world.comment("/dabgen sync", user="bob"))
    assert denied.code == 0 and world.github.pulls() == []
    assert "`write` permission" in world.bot_comments()[-1].body
    trigger = world.comment("/dabgen sync")
    run = world.run(trigger)
    assert run.code == 0, run.stderr
    [pull] = world.github.pulls()
    tracking = world.bot_comments()[-1].body
    assert "✅ dabgen finished `/dabgen sync`" in tracking
    assert "- [x] Merge" in tracking and f"#{pull.number}" in tracking
    alice = world.user_id("alice")
    assert (f"Co-authored-by: alice <{alice}+alice@users.noreply.github.com>"
            in world.commit_info(BRANCH)["message"])
    # on the sync PR itself it runs again (nothing new: same PR)
    again = world.run(world.comment("/dabgen sync", number=pull.number), pull.number)
    assert again.code == 0, again.stderr
    assert "no new commit" in world.bot_comments(pull.number)[-1].body


def test_malformed_config_reply_names_the_line(world: World,
                                              demo_bundle: dict[str, bytes]) -> None:
    seed_bundle(world, demo_bundle, config="version: 1\nbundle_dir: bundle\n"
                                           "jobs: {ids: [1001, abc]}\n")
    run = world.run(world.comment("/dabgen sync"))
    assert run.code == 0, run.stderr
    final = world.bot_comments()[-1].body
    assert "❌ dabgen could not finish `/dabgen sync`" in final
    # The error line is rendered inert (core/bot/markdown): brackets escaped, never a link.
    assert r".dabgen.yml:3: jobs.ids\[1\]: 'abc' is not of type 'integer'" in final
    scheduled_run = scheduled(world)
    assert scheduled_run.code == 2
    assert ".dabgen.yml:3: jobs.ids[1]" in scheduled_run.summary


def test_several_bundles_get_a_branch_and_pr_each(world: World) -> None:
    seed_main(world, {".dabgen.yml": (
        "version: 1\nbundles:\n"
        "  - {dir: bundles/sales, name: sales, jobs: {ids: [1001]}}\n"
        "  - {dir: bundles/ml, name: ml, jobs: {names: ['Churn*']}}\n")})
    run = scheduled(world)
    assert run.code == 0, run.stderr
    assert world.branches() == ["dabgen/sync-ml", "dabgen/sync-sales", "main"]
    heads = sorted(p.head for p in world.github.pulls())
    assert heads == ["dabgen/sync-ml", "dabgen/sync-sales"]
    assert "bundles/ml/resources/churn_model_training.job.yml" in world.files("dabgen/sync-ml")
    assert not any(f.startswith("bundles/sales") for f in world.files("dabgen/sync-ml"))


def test_sharded_workflow_steps(world: World, demo_bundle: dict[str, bytes],
                                tmp_path: Path) -> None:
    seed_bundle(world, demo_bundle, config="version: 1\nbundle_dir: bundle\n"
                                           "jobs: {ids: [1001], names: ['*']}\n")
    world.edit_job(1001, max_runs(3))
    artifacts = tmp_path / "artifacts"
    for index in (1, 2, 3):
        checkouts: list[Path] = []
        run = world.run(0, payload=SCHEDULE, event="schedule", prepare=checkouts.append,
                        env={**SCHEDULE_ENV, "INPUT_SHARD": f"{index}/3",
                             "INPUT_SHARD-OUT": "shard-out"})
        assert run.code == 0, run.stderr
        shutil.copytree(checkouts[0] / "shard-out", artifacts / f"dabgen-shard-{index}")
    assert world.github.pulls() == []  # shards only fetch
    merged = world.run(0, payload=SCHEDULE, event="schedule",
                       env={**SCHEDULE_ENV, "INPUT_MERGE-SHARDS": "artifacts"},
                       prepare=lambda checkout: shutil.copytree(artifacts, checkout / "artifacts"))
    assert merged.code == 0, merged.stderr
    [pull] = world.github.pulls()
    assert pull.body is not None
    assert "| `Churn Model Training` (`1004`) | added |" in pull.body
    assert "- `max_concurrent_runs`: `1` → `3`" in pull.body.splitlines()


def test_a_sync_that_does_not_validate_pushes_nothing(world: World,
                                                      demo_bundle: dict[str, bytes]) -> None:
    seed_bundle(world, demo_bundle)

    def broken(job: dict) -> None:
        job["settings"]["tasks"][1]["depends_on"] = [{"task_key": "ghost"}]

    world.edit_job(1001, broken)
    run = scheduled(world)
    assert run.code == 1, run.stderr  # the scheduled run turns red
    assert world.branches() == ["main"] and world.github.pulls() == []
    assert "validation error(s); nothing was pushed" in run.summary
    # a comment is answered with the errors instead (the comment is the report: exit 0)
    comment = world.run(world.comment("/dabgen sync"))
    assert comment.code == 0, comment.stderr
    assert "nothing was pushed" in world.bot_comments()[-1].body
    assert "ghost" in world.bot_comments()[-1].body
