"""The free-form hook: a `Refiner` plugged into the bot edits, is re-validated, then pushed.

This runs the bot with a scripted refiner (the Claude agent has its own test,
test_agent_on_pr.py), over the same real servers and git remote as the other e2e tests.
"""

from __future__ import annotations

from pathlib import Path

from dabgen_ci.core.redact import Redactor
from dabgen_ci.flows.bot.refining import RefineRequest
from dabgen_ci.flows.bot.run import run_bot
from dabgen_ci.flows.bot.services import BotServices
from dabgen_ci.git import GitRepo
from dabgen_ci.github.client import PyGithubApi, RetrySettings
from dabgen_ci.github.context import context_from
from tests.e2e.conftest import GITHUB_TOKEN, PR_BRANCH, REPO, World, git


class ScriptedRefiner:
    def __init__(self, addition: str) -> None:
        self.addition = addition
        self.requests: list[RefineRequest] = []

    def refine(self, request: RefineRequest) -> str:
        self.requests.append(request)
        path = request.bundle_dir / "databricks.yml"
        path.write_text(path.read_text() + self.addition)
        return "Added a staging target."


def run_in_process(world: World, pr: int, body: str,
                   refiner: ScriptedRefiner) -> tuple[int, Path]:
    trigger = world.comment(body, number=pr)
    checkout = world.root / f"inproc-{trigger}"
    git(world.root, "clone", "-q", str(world.bare), str(checkout))
    env = {"GITHUB_EVENT_NAME": "issue_comment", "GITHUB_REPOSITORY": REPO,
           "GITHUB_API_URL": world.github.url, "GITHUB_WORKSPACE": str(checkout),
           "INPUT_VALIDATION": "offline"}
    ctx = context_from(env, world.payload(trigger, pr))
    redactor = Redactor([GITHUB_TOKEN])
    api = PyGithubApi(world.github.url, GITHUB_TOKEN, REPO, redactor,
                      RetrySettings(backoff=0, secondary_rate_wait=0.05))
    logged: list[str] = []
    services = BotServices(api, GitRepo(checkout, redactor=redactor), _no_workspace, redactor,
                           logged.append, refiner)
    try:
        return run_bot(ctx, services), checkout
    finally:
        api.close()


def _no_workspace():  # a free-form edit never reads the workspace
    raise AssertionError("the workspace must not be read")


def test_a_refiner_edit_is_validated_and_pushed(world: World, dabgen_pr: int) -> None:
    before = world.branch_sha(PR_BRANCH)
    refiner = ScriptedRefiner("  staging:\n    mode: development\n")

    code, _ = run_in_process(world, dabgen_pr, "/dabgen add a staging target\nthanks", refiner)

    assert code == 0
    [request] = refiner.requests
    assert (request.text, request.context_lines, request.requester) == (
        "add a staging target", ("thanks",), "alice")
    assert request.bundle_dir.name == "bundle" and Path(request.bundle_dir).is_dir()
    assert world.branch_sha(f"{PR_BRANCH}~1") == before
    assert "  staging:\n    mode: development" in world.show(PR_BRANCH, "bundle/databricks.yml")
    [reply] = world.bot_comments(dabgen_pr)
    assert "Added a staging target." in reply.body and "validation ✅ passed" in reply.body


def test_an_invalid_refiner_edit_is_not_pushed(world: World, dabgen_pr: int) -> None:
    before = world.branch_sha(PR_BRANCH)
    refiner = ScriptedRefiner("  staging:\n    workspace:\n      root_path: /x/${var.nope}\n")

    code, checkout = run_in_process(world, dabgen_pr, "/dabgen use an undeclared variable",
                                    refiner)

    assert code == 0
    assert world.branch_sha(PR_BRANCH) == before
    assert git(checkout, "status", "--porcelain") == ""  # the edit was rolled back
    [reply] = world.bot_comments(dabgen_pr)
    assert "nothing was pushed" in reply.body and "variable 'nope' is not declared" in reply.body
