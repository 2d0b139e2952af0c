"""Routing a GitHub event (pure), and the context it is parsed from."""

from __future__ import annotations

from pathlib import Path

import pytest

from dabgen_ci.core.bot.grammar import (
    FreeForm,
    JobCommand,
    PathCommand,
    RegenerateCommand,
    TargetAddCommand,
    ValidateCommand,
    VarCommand,
)
from dabgen_ci.core.bot.routing import (
    Generate,
    Ignore,
    OnPullRequest,
    PullCommand,
    Reply,
    Trigger,
    describe,
    is_bot,
    permission_group,
    route,
)
from dabgen_ci.errors import BadInputError
from dabgen_ci.github.context import context_from, databricks_env, input_value


def comment(body: str, *, on_pr: bool = False, login: str = "alice", user_type: str = "User",
            action: str = "created", event: str = "issue_comment") -> Trigger:
    return Trigger(event, action, body, login, user_type, on_pr)


@pytest.mark.parametrize(
    ("trigger", "reason"),
    [
        (Trigger("schedule"), "on schedule is not handled"),
        (Trigger("workflow_dispatch", command_input="review"), "command 'review'"),
        (comment("/dabgen job 1", action="edited"), "only new comments"),
        (comment("/dabgen job 1", action="deleted"), "only new comments"),
        (comment("/dabgen job 1", login="renovate[bot]"), "bot renovate[bot]"),
        (comment("/dabgen job 1", login="helper", user_type="Bot"), "bot helper"),
        (comment("/dabgen job 1\n<!-- dabgen:tracking trigger=9 -->"), "own marker"),
        (comment("please run /dabgen job 1"), "not a /dabgen command"),
        (comment(""), "not a /dabgen command"),
    ],
)
def test_ignored_events(trigger: Trigger, reason: str) -> None:
    decision = route(trigger)
    assert isinstance(decision, Ignore)
    assert reason in decision.reason


def test_generate_on_an_issue_only() -> None:
    assert route(comment("/dabgen job 3 1")) == Generate(JobCommand((3, 1)))
    assert route(comment("/dabgen path /Shared/etl")) == Generate(PathCommand("/Shared/etl"))
    on_pr = route(comment("/dabgen job 3", on_pr=True))
    assert isinstance(on_pr, Reply) and on_pr.kind == "wrong-place"
    assert "/dabgen regenerate" in on_pr.text


@pytest.mark.parametrize(
    ("body", "command"),
    [
        ("/dabgen regenerate", RegenerateCommand()),
        ("/dabgen validate", ValidateCommand()),
        ("/dabgen target add staging", TargetAddCommand("staging")),
        ("/dabgen var catalog=main", VarCommand("catalog", "main")),
        ("/dabgen use serverless\nplease", FreeForm("use serverless", ("please",))),
    ],
)
def test_pull_request_commands(body: str, command: PullCommand) -> None:
    assert route(comment(body, on_pr=True)) == OnPullRequest(command)
    on_issue = route(comment(body))
    assert isinstance(on_issue, Reply) and on_issue.kind == "wrong-place"


def test_review_comments_are_on_a_pull_request() -> None:
    trigger = comment("/dabgen validate", event="pull_request_review_comment", on_pr=True)
    assert route(trigger) == OnPullRequest(ValidateCommand())


@pytest.mark.parametrize(
    ("body", "kind", "text"),
    [
        ("/dabgen help", "help", "/dabgen job <id>"),
        ("/dabgen", "help", "/dabgen job <id>"),
        ("/dabgen job x1", "malformed", "`x1` is not a job id"),
        ("/dabgen path relative/dir", "malformed", "not an absolute workspace path"),
    ],
)
def test_fixed_replies(body: str, kind: str, text: str) -> None:
    for on_pr in (False, True):
        decision = route(comment(body, on_pr=on_pr))
        assert isinstance(decision, Reply)
        assert (decision.kind, text in decision.text) == (kind, True)


def test_permission_groups() -> None:
    assert permission_group(Generate(JobCommand((1,)))) == "generate"
    assert permission_group(OnPullRequest(RegenerateCommand())) == "generate"
    assert permission_group(OnPullRequest(ValidateCommand())) == "validate"
    assert permission_group(OnPullRequest(TargetAddCommand("a"))) == "refine"
    assert permission_group(OnPullRequest(VarCommand("a", "b"))) == "refine"
    assert permission_group(OnPullRequest(FreeForm("x", ()))) == "refine"
    assert permission_group(Reply("help", "help")) is None
    assert permission_group(Ignore("x")) is None


def test_is_bot() -> None:
    assert is_bot("dependabot[bot]", "User")
    assert is_bot("someone", "Bot")
    assert not is_bot("bot-fan", "User")


def test_describe_rebuilds_the_command_from_parsed_values() -> None:
    assert describe(JobCommand((5, 2))) == "/dabgen job 5 2"
    assert describe(VarCommand("x", "1")) == "/dabgen var x=1"
    assert describe(RegenerateCommand()) == "/dabgen regenerate"


# -- the context ------------------------------------------------------------------------

ENV = {
    "GITHUB_EVENT_NAME": "issue_comment", "GITHUB_REPOSITORY": "acme/jobs",
    "GITHUB_API_URL": "https://api.example/", "GITHUB_SERVER_URL": "https://gh.example",
    "GITHUB_RUN_ID": "77", "GITHUB_WORKSPACE": "/work/checkout", "GITHUB_OUTPUT": "/o",
    "INPUT_BUNDLE-DIR": "bundles/etl", "INPUT_VALIDATION": "offline",
}


def payload(on_pr: bool = False) -> dict:
    issue: dict = {"number": 12, "title": "t"}
    if on_pr:
        issue["pull_request"] = {"url": "u"}
    return {
        "action": "created", "issue": issue,
        "comment": {"id": 5, "body": "/dabgen job 1",
                    "user": {"login": "alice", "id": 3, "type": "User"}},
        "repository": {"full_name": "acme/jobs", "default_branch": "trunk"},
    }


def test_context_from_an_issue_comment() -> None:
    ctx = context_from(ENV, payload())
    assert (ctx.repository, ctx.default_branch, ctx.number) == ("acme/jobs", "trunk", 12)
    assert ctx.api_url == "https://api.example"
    assert ctx.run_url == "https://gh.example/acme/jobs/actions/runs/77"
    assert ctx.workspace == Path("/work/checkout") and ctx.summary_file is None
    assert ctx.inputs.bundle_dir == "bundles/etl" and ctx.inputs.validation == "offline"
    assert ctx.inputs.config_path == ".dabgen.yml"
    assert ctx.comment is not None and (ctx.comment.login, ctx.comment.user_id) == ("alice", 3)
    assert ctx.trigger == Trigger("issue_comment", "created", "/dabgen job 1", "alice", "User",
                                  False, "")
    assert context_from(ENV, payload(on_pr=True)).on_pull_request


def test_context_from_a_review_comment() -> None:
    data = {"action": "created", "pull_request": {"number": 4},
            "comment": {"id": 9, "body": "/dabgen validate", "user": {"login": "bob", "id": 2}}}
    ctx = context_from({**ENV, "GITHUB_EVENT_NAME": "pull_request_review_comment"}, data)
    assert (ctx.number, ctx.on_pull_request) == (4, True)
    assert ctx.comment is not None and ctx.comment.kind == "review"


def test_context_without_a_comment() -> None:
    ctx = context_from({**ENV, "GITHUB_EVENT_NAME": "schedule"}, {"repository": {}})
    assert ctx.comment is None and ctx.number is None
    assert isinstance(route(ctx.trigger), Ignore)


def test_context_errors() -> None:
    with pytest.raises(BadInputError, match="owner/name"):
        context_from({**ENV, "GITHUB_REPOSITORY": "nope"}, {})
    with pytest.raises(BadInputError, match="validation"):
        context_from({**ENV, "INPUT_VALIDATION": "sometimes"}, payload())


def test_inputs_and_databricks_env() -> None:
    env = {"INPUT_DATABRICKS-HOST": " https://h ", "INPUT_DATABRICKS_TOKEN": "dapi-x",
           "INPUT_DATABRICKS-AUTH-TYPE": "github-oidc", "DATABRICKS_TOKEN": "explicit",
           "INPUT_DATABRICKS-CLIENT-ID": ""}
    assert input_value(env, "databricks-host") == "https://h"
    assert databricks_env(env) == {"DATABRICKS_HOST": "https://h",
                                   "DATABRICKS_AUTH_TYPE": "github-oidc"}


def test_sync_routes() -> None:
    from dabgen_ci.core.bot.routing import Sync

    for event in ("schedule", "workflow_dispatch"):
        decision = route(Trigger(event, command_input="sync"))
        assert decision == Sync(scheduled=True)
        assert permission_group(decision) is None  # no commenter: the workflow decides
    for on_pr in (False, True):
        decision = route(comment("/dabgen sync", on_pr=on_pr))
        assert decision == Sync()
        assert permission_group(decision) == "sync"
    assert isinstance(route(Trigger("schedule")), Ignore)  # no `command: sync` input
