"""A free-form `/dabgen …` on a dabgen PR, end to end: `dabgen action` runs
the real Claude agent (the bundled claude CLI via claude-agent-sdk) against a scripted
Messages API on 127.0.0.1; the edit is re-validated, committed and pushed, and the bot
replies. Earlier exchanges on the PR reach the agent as quoted context only."""

from __future__ import annotations

import json

from tests.e2e.conftest import PR_BRANCH, World
from tests.servers.anthropic_server import AnthropicServer, text, tool_use, turn

REQUEST = "/dabgen add a staging target for the integration tests"


def _agent_env(world: World, api: AnthropicServer) -> dict[str, str]:
    return {"INPUT_ANTHROPIC-API-KEY": "sk-ant-test-0123456789abcdef",
            "ANTHROPIC_BASE_URL": api.url,
            "CLAUDE_CONFIG_DIR": str(world.root / "home" / ".claude"),
            "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost"}


def test_free_form_request_runs_the_agent_and_pushes_a_valid_edit(world: World,
                                                                  dabgen_pr: int) -> None:
    before = world.branch_sha(PR_BRANCH)
    world.comment("/dabgen keep the cluster small, please", number=dabgen_pr)  # history
    trigger = world.comment(REQUEST, number=dabgen_pr)
    # `World.run` clones into run<N>/checkout; the agent works in its bundle directory
    target = world.root / "run1" / "checkout" / "bundle" / "databricks.yml"
    with AnthropicServer([
        turn(tool_use("Read", {"file_path": str(target)})),
        turn(tool_use("Edit", {"file_path": str(target), "old_string": "targets:\n",
                               "new_string": "targets:\n  staging:\n    mode: development\n"})),
        turn(text("Added a `staging` target in development mode.")),
    ]) as api:
        run = world.run(trigger, dabgen_pr, env=_agent_env(world, api))
    assert run.code == 0, run.stderr
    assert world.branch_sha(PR_BRANCH) != before
    assert "  staging:\n    mode: development\n" in world.show(PR_BRANCH, "bundle/databricks.yml")
    reply = world.bot_comments(dabgen_pr)[-1].body
    assert "Added a `staging` target" in reply and "round(s)" in reply
    prompt = api.main_requests[0].last_user_text()
    assert "add a staging target" in prompt
    assert "keep the cluster small" in prompt  # earlier exchange, as quoted context
    assert "sk-ant-test-0123456789abcdef" not in world.everything_sent(run)


def test_free_form_request_without_a_key_names_what_to_configure(world: World,
                                                                 dabgen_pr: int) -> None:
    before = world.branch_sha(PR_BRANCH)
    run = world.run(world.comment(REQUEST, number=dabgen_pr), dabgen_pr)
    assert run.code == 0, run.stderr
    assert world.branch_sha(PR_BRANCH) == before
    reply = world.bot_comments(dabgen_pr)[-1].body
    assert "anthropic-api-key" in reply and "/dabgen target add" in reply
    assert json.dumps(run.outputs)  # outputs written even for a reply-only run
