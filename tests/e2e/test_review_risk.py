"""`review.agent: true`: the model adds a short risk summary to the review body, marked as
the model's (the real claude CLI against the scripted Messages API); without a key the
review is the same minus that section."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import BOT, World, push_commit
from tests.e2e.review_support import (
    pull_payload,
    push_change,
    run_in_process,
    seed_main_with_bundle,
)
from tests.review.repo import DASHBOARD
from tests.servers.anthropic_server import AnthropicServer, text, turn

KEY = "sk-ant-test-0123456789abcdef"
SUMMARY = "- Deploying this deletes the revenue dashboard job (1002)."


def review_with_agent(world: World, tmp_path: Path) -> int:
    seed_main_with_bundle(world, tmp_path)
    push_commit(world, "main", ".dabgen.yml", "review:\n  agent: true\n", "ask the model")
    push_change(world, "cleanup", delete=(DASHBOARD,))
    return world.github.open_pull("cleanup", "Drop the dashboard job", "", "alice")


def test_the_models_risk_summary_is_added_and_marked(world: World, tmp_path: Path) -> None:
    number = review_with_agent(world, tmp_path)
    with AnthropicServer([turn(text(SUMMARY))]) as api:
        run = run_in_process(world, "pull_request", pull_payload(world, number), {
            "INPUT_COMMAND": "review", "INPUT_ANTHROPIC-API-KEY": KEY,
            "ANTHROPIC_BASE_URL": api.url,
            "CLAUDE_CONFIG_DIR": str(world.root / "home" / ".claude"),
            "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost"})

    assert run.code == 0, run.stderr
    [review] = [r for r in world.github.reviews(number) if r.user == BOT and r.body]
    assert "#### 🤖 Risk summary (written by a model — the findings above are the record)" \
        in review.body
    assert f"> {SUMMARY}" in review.body
    prompt = api.main_requests[0].last_user_text()
    assert "UNTRUSTED DATA" in prompt and "-# dabgen: job 1002" in prompt  # the diff, quoted
    assert "deploying this deletes job 1002" in prompt  # the plan, quoted
    tools = api.main_requests[0].tool_names()
    assert "Edit" not in tools and "Write" not in tools
    assert KEY not in world.everything_sent(run)


def test_without_a_key_the_summary_is_skipped_silently(world: World, tmp_path: Path) -> None:
    number = review_with_agent(world, tmp_path)
    run = run_in_process(world, "pull_request", pull_payload(world, number),
                         {"INPUT_COMMAND": "review"})
    assert run.code == 0, run.stderr
    [review] = [r for r in world.github.reviews(number) if r.user == BOT and r.body]
    assert "Risk summary" not in review.body and "deploying this deletes job 1002" in review.body
    assert "risk summary" not in run.stderr.lower()
