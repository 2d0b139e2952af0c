"""Limits and preconditions: credentials, turns, budget, model, and the ``refine`` command.

(5) Without credentials nothing starts: a fake CLI that would leave a marker is never run and
the scripted API sees no request. (6) ``max_turns``, ``max_budget_usd`` and ``model`` reach
the real CLI and stop it; a stopped agent's edits are reverted.
"""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from dabgen_ci.agent.auth import AgentUnavailable
from dabgen_ci.config import AgentConfig
from dabgen_ci.flows.refine import refine_bundle
from tests.agent.conftest import JOB_FILE, command_group, tree, unchanged
from tests.servers.anthropic_server import text, tool_use, turn


@pytest.fixture
def tripwire_cli(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "cli-was-started"
    script = tmp_path / "fake-claude"
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, marker


def test_no_credentials_is_a_clear_error_and_starts_nothing(bundle, scripted_api, settings,
                                                            tripwire_cli, monkeypatch):
    script, marker = tripwire_cli
    api = scripted_api([turn(text("never served"))])
    env = {"ANTHROPIC_BASE_URL": api.url, "ANTHROPIC_API_KEY": "  ",
           "CLAUDE_CODE_USE_BEDROCK": "0"}
    with unchanged(bundle), pytest.raises(AgentUnavailable) as caught:
        refine_bundle(bundle, "use serverless", config=AgentConfig(), env=env,
                      settings=replace(settings, cli_path=script))
    assert "ANTHROPIC_API_KEY" in str(caught.value) and caught.value.exit_code == 2
    assert "\n" not in str(caught.value)
    assert not marker.exists() and api.requests == []

    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.url)
    args = ["refine", str(bundle), "use serverless", "--json"]
    outcome = CliRunner().invoke(command_group(), args, obj={})
    assert outcome.exit_code == 2
    reply = json.loads(outcome.output)
    assert reply["ok"] is False and "ANTHROPIC_API_KEY" in reply["error"]
    assert api.requests == []


def test_max_turns_and_model_reach_the_cli(bundle, scripted_api, agent_env, settings):
    job = bundle / JOB_FILE
    before = tree(bundle)
    api = scripted_api([
        turn(tool_use("Read", {"file_path": str(job)})),
        turn(tool_use("Edit", {"file_path": str(job), "old_string": "max_concurrent_runs: 1",
                               "new_string": "max_concurrent_runs: 2"})),
        turn(tool_use("Read", {"file_path": str(bundle / "databricks.yml")})),
        turn(text("not reached: the turn limit stops the agent first")),
    ])
    config = AgentConfig(model="claude-sonnet-4-5", max_turns=2, max_budget_usd=0.75,
                         max_rounds=1)
    result = refine_bundle(bundle, "allow two concurrent runs", config=config,
                           env=agent_env(api), settings=replace(settings, use_mcp=False))

    assert api.turns_served == 2  # the CLI stopped after max_turns model calls
    assert result.agent_stop == "error_max_turns" and result.status == "restored"
    assert "stopped before finishing" in result.message
    assert [(c.path, c.kind) for c in result.attempted] == [(JOB_FILE, "modified")]
    assert tree(bundle) == before  # the valid but unfinished edit was reverted
    first = api.main_requests[0]
    assert first.body["model"] == "claude-sonnet-4-5"
    assert "USD budget: $0/$0.75" in json.dumps(first.body)  # max_budget_usd reached the CLI


def test_budget_exhaustion_ends_the_loop(bundle, scripted_api, agent_env, settings):
    read = tool_use("Read", {"file_path": str(bundle / "databricks.yml")})
    api = scripted_api([turn(read, input_tokens=200_000), turn(read), turn(text("late"))])
    config = AgentConfig(model="claude-sonnet-4-5", max_budget_usd=0.05, max_rounds=3)
    result = refine_bundle(bundle, "look around", config=config, env=agent_env(api),
                           settings=replace(settings, use_mcp=False))

    assert result.agent_stop == "error_max_budget_usd" and result.status == "restored"
    assert result.rounds == 1 and api.turns_served == 1  # no second round after the budget
    assert "budget ($0.05) ran out" in result.message
    assert result.usage.cost_usd > 0.05 and result.usage.input_tokens == 200_000


def test_rejected_key_fails_fast_and_reverts(bundle, scripted_api, agent_env, settings):
    api = scripted_api([])
    api.reject_status = 401
    with unchanged(bundle), pytest.raises(AgentUnavailable, match="HTTP 401"):
        refine_bundle(bundle, "use serverless", config=AgentConfig(), env=agent_env(api),
                      settings=replace(settings, use_mcp=False))
    # One attempt, not the CLI's minutes of retries (11 attempts with backoff).
    assert len(api.main_requests) == 1
