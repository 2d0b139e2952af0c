"""The conversation where reviewers write: a line comment addressing dabgen on a dabgen PR is
answered in its thread; a free-form one runs the real agent (claude-agent-sdk and the bundled
claude CLI against the scripted Messages API) with the file, the lines, the diff hunk and the
thread as quoted context, and the reply carries the commit."""

from __future__ import annotations

from tests.e2e.conftest import BOT, PR_BRANCH, REPO, World
from tests.e2e.review_support import run_in_process
from tests.servers.anthropic_server import AnthropicServer, text, tool_use, turn

RESOURCE = "bundle/resources/nightly_sales_etl.job.yml"
KEY = "sk-ant-test-0123456789abcdef"


def agent_env(world: World, api: AnthropicServer) -> dict[str, str]:
    return {"INPUT_ANTHROPIC-API-KEY": KEY, "ANTHROPIC_BASE_URL": api.url,
            "CLAUDE_CONFIG_DIR": str(world.root / "home" / ".claude"),
            "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost"}


def line_of(world: World, needle: str) -> int:
    lines = world.show(PR_BRANCH, RESOURCE).splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def thread_payload(world: World, number: int, comment_id: int) -> dict:
    repo = world._gh.get_repo(REPO)
    pull = repo.get_pull(number)
    return {"action": "created", "pull_request": pull.raw_data, "repository": repo.raw_data,
            "comment": pull.get_review_comment(comment_id).raw_data}


def test_a_request_on_a_line_is_done_by_the_agent_and_answered_in_the_thread(
        world: World, dabgen_pr: int) -> None:
    before = world.branch_sha(PR_BRANCH)
    line = line_of(world, "max_workers: 8")
    root = world.github.add_review_comment(dabgen_pr, "This cluster is far too big for a "
                                           "nightly job.", "carol", path=RESOURCE, line=line)
    ask = world.github.add_review_comment(dabgen_pr, "@dabgen cap it at 4 workers",
                                          "alice", in_reply_to=root)
    target = world.root / f"run{world._runs + 1}" / "checkout" / RESOURCE
    with AnthropicServer([
        turn(tool_use("Read", {"file_path": str(target)})),
        turn(tool_use("Edit", {"file_path": str(target), "old_string": "max_workers: 8",
                               "new_string": "max_workers: 4"})),
        turn(text("Capped the ETL cluster's autoscale at 4 workers.")),
    ]) as api:
        run = run_in_process(world, "pull_request_review_comment",
                             thread_payload(world, dabgen_pr, ask), agent_env(world, api))

    assert run.code == 0, run.stderr
    after = world.branch_sha(PR_BRANCH)
    assert after != before and "max_workers: 4" in world.show(PR_BRANCH, RESOURCE)
    assert world.bot_comments(dabgen_pr) == []  # nothing in the PR conversation
    [reply] = [c for c in world.github.review_comments(dabgen_pr)
               if c.user == BOT and c.in_reply_to == root]
    assert "Capped the ETL cluster's autoscale at 4 workers." in reply.body
    assert f"/acme/data-jobs/commit/{after})" in reply.body  # the commit link
    [asked] = [c for c in world.github.review_comments(dabgen_pr) if c.id == ask]
    assert asked.reactions == ((BOT, "eyes"),)
    prompt = api.main_requests[0].last_user_text()
    assert "<request>\ncap it at 4 workers\n</request>" in prompt
    # the location, the hunk and the earlier message arrive quoted, as untrusted data
    assert f"> The request was written on {RESOURCE}, line {line}" in prompt
    assert any(ln.startswith("> +") and ln.endswith("max_workers: 8")
               for ln in prompt.splitlines()), prompt
    assert "> @carol: This cluster is far too big" in prompt
    assert "UNTRUSTED DATA" in prompt
    assert KEY not in world.everything_sent(run)


def test_a_structured_command_in_a_thread_works_there_too(world: World,
                                                          dabgen_pr: int) -> None:
    root = world.github.add_review_comment(dabgen_pr, "/dabgen var catalog=main", "alice",
                                           path=RESOURCE, line=line_of(world, "default: main"))

    run = run_in_process(world, "pull_request_review_comment",
                         thread_payload(world, dabgen_pr, root))

    assert run.code == 0, run.stderr
    assert "${var.catalog}" in world.show(PR_BRANCH, RESOURCE)
    [reply] = [c for c in world.github.review_comments(dabgen_pr) if c.in_reply_to == root]
    assert "✅ dabgen finished `/dabgen var catalog=main`" in reply.body
    assert "/acme/data-jobs/commit/" in reply.body


def test_a_thread_request_without_a_key_is_answered_in_the_thread(world: World,
                                                                  dabgen_pr: int) -> None:
    root = world.github.add_review_comment(dabgen_pr, "@dabgen make this serverless",
                                           "alice", path=RESOURCE, line=3)
    run = run_in_process(world, "pull_request_review_comment",
                         thread_payload(world, dabgen_pr, root))
    assert run.code == 0, run.stderr
    [reply] = [c for c in world.github.review_comments(dabgen_pr) if c.in_reply_to == root]
    assert "anthropic-api-key" in reply.body
