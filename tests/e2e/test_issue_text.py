"""Text under `/dabgen job 123` on an issue is applied by the agent to the generated bundle
(the real claude CLI through claude-agent-sdk, against the scripted Messages API) in the same
PR; without a key, or without the `refine` permission, the PR still opens and says why."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import PR_BRANCH, World, push_commit
from tests.e2e.review_support import run_in_process
from tests.servers.anthropic_server import AnthropicServer, Turn, text, tool_use, turn

REQUEST = "/dabgen job 1001\nadd a staging target in development mode, please"
KEY = "sk-ant-test-0123456789abcdef"


def working_directory(body: Any) -> Path:
    """The bundle the agent works in, as the claude CLI tells the model."""
    match = re.search(r"working directory: ([^\s\"\\]+)", json.dumps(body))
    assert match, "the CLI names its working directory in the system prompt"
    return Path(match.group(1))


def read_root(body: Any) -> Turn:
    return turn(tool_use("Read", {"file_path": str(working_directory(body) / "databricks.yml")}))


def add_staging(body: Any) -> Turn:
    return turn(tool_use("Edit", {
        "file_path": str(working_directory(body) / "databricks.yml"),
        "old_string": "targets:\n", "new_string": "targets:\n  staging:\n    mode: development\n"}))


def agent_env(world: World, api: AnthropicServer) -> dict[str, str]:
    return {"INPUT_ANTHROPIC-API-KEY": KEY, "ANTHROPIC_BASE_URL": api.url,
            "CLAUDE_CONFIG_DIR": str(world.root / "home" / ".claude"),
            "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost"}


def test_the_issue_text_reaches_the_agent_and_its_change_is_in_the_pr(world: World) -> None:
    trigger = world.comment(REQUEST)
    with AnthropicServer([read_root, add_staging,
                          turn(text("Added a `staging` target in development mode."))]) as api:
        run = run_in_process(world, "issue_comment", world.payload(trigger),
                             agent_env(world, api))

    assert run.code == 0, run.stderr
    root = world.show(PR_BRANCH, "bundle/databricks.yml")
    assert "  staging:\n    mode: development\n" in root
    [pull] = world.github.pulls()
    assert "## Changes by dabgen's agent (from the issue text)" in (pull.body or "")
    assert "- `databricks.yml`" in (pull.body or "")
    assert "> Added a `staging` target in development mode." in (pull.body or "")
    tracking = world.bot_comments()[-1].body
    assert "The agent applied the text under the command: 1 file(s) changed" in tracking
    assert "- [x] Apply issue text — 1 file(s) changed" in tracking
    prompt = api.main_requests[0].last_user_text()
    assert "<request>\nadd a staging target in development mode, please\n</request>" in prompt
    assert KEY not in world.everything_sent(run)


def test_without_a_key_the_pr_opens_and_the_reply_says_what_was_not_applied(
        world: World) -> None:
    run = run_in_process(world, "issue_comment", world.payload(world.comment(REQUEST)))

    assert run.code == 0, run.stderr
    [pull] = world.github.pulls()  # opened with the deterministic bundle
    assert "staging" not in world.show(PR_BRANCH, "bundle/databricks.yml")
    assert "## Issue text not applied" in (pull.body or "")
    assert "add a staging target in development mode, please" in (pull.body or "")
    tracking = world.bot_comments()[-1].body
    assert "✅ dabgen finished `/dabgen job 1001`" in tracking
    assert "**Not applied:** the text under the command" in tracking
    assert "`anthropic-api-key`" in tracking


def test_the_issue_text_needs_the_refine_permission(world: World) -> None:
    push_commit(world, "main", ".dabgen.yml", "permissions:\n  refine: admin\n", "limit")
    run = run_in_process(world, "issue_comment", world.payload(world.comment(REQUEST)),
                         {"INPUT_ANTHROPIC-API-KEY": KEY, "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"})
    assert run.code == 0, run.stderr
    assert len(world.github.pulls()) == 1
    assert "needs `admin` permission" in world.bot_comments()[-1].body
