"""The review workflow and the comment workflow's pre-filter, as README documents them
(their schemas are checked with check-jsonschema in test_packaging)."""

from __future__ import annotations

from pathlib import Path

import yaml

from dabgen_ci.core.bot.routing import REVIEWED_PULL_ACTIONS

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / "examples" / "workflows"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def test_the_review_workflow_runs_on_every_event_the_action_reviews() -> None:
    workflow = load("dabgen-review.yml")
    on = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(on) == {"pull_request"}
    assert tuple(on["pull_request"]["types"]) == REVIEWED_PULL_ACTIONS
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    checkout, action = job["steps"]
    assert checkout["with"]["fetch-depth"] == 0  # merge-base needs history
    assert action["with"]["command"] == "review"
    assert action["with"]["fail-on"] in ("error", "warning", "never")
    text = (WORKFLOWS / "dabgen-review.yml").read_text()
    assert "never `pull_request_target`" in text and "read-only token and no secrets" in text


def test_the_comment_workflow_lets_mentions_through() -> None:
    [job] = load("dabgen.yml")["jobs"].values()
    assert "startsWith(github.event.comment.body, '@dabgen')" in job["if"]
    assert "startsWith(github.event.comment.body, '/dabgen')" in job["if"]


def test_fail_on_is_an_input_of_the_action() -> None:
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    assert inputs["fail-on"]["default"] == ""
    assert "warning" in inputs["fail-on"]["description"]
