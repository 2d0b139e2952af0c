"""Routing of reviews: `pull_request` events, `command: review`, `/dabgen review` (pure)."""

from __future__ import annotations

import pytest

from dabgen_ci.core.bot.routing import (
    Ignore,
    Reply,
    ReviewPull,
    Trigger,
    permission_group,
    route,
)
from dabgen_ci.github.context import context_from

ENV = {"GITHUB_REPOSITORY": "acme/data-jobs", "GITHUB_EVENT_NAME": "pull_request"}


@pytest.mark.parametrize("action", ["opened", "synchronize", "reopened", "ready_for_review"])
def test_pull_request_events_are_reviewed(action: str) -> None:
    assert route(Trigger("pull_request", action)) == ReviewPull()
    assert route(Trigger("pull_request", action, command_input="review")) == ReviewPull()


@pytest.mark.parametrize(("trigger", "reason"), [
    (Trigger("pull_request", "closed"), "only opened, synchronize"),
    (Trigger("pull_request", "labeled"), "only opened"),
    (Trigger("pull_request", "opened", draft=True), "draft pull request"),
    (Trigger("pull_request", "opened", command_input="sync"), "command 'sync' on pull_request"),
    (Trigger("push", command_input="review"), "command 'review' on push"),
])
def test_pull_request_events_not_reviewed(trigger: Trigger, reason: str) -> None:
    decision = route(trigger)
    assert isinstance(decision, Ignore) and reason in decision.reason


def test_review_comment_on_a_pull_request_and_elsewhere() -> None:
    for event in ("issue_comment", "pull_request_review_comment"):
        on_pr = Trigger(event, "created", "/dabgen review", "alice", "User", True)
        assert route(on_pr) == ReviewPull(from_comment=True)
    on_issue = route(Trigger("issue_comment", "created", "/dabgen review", "alice", "User"))
    assert isinstance(on_issue, Reply) and on_issue.kind == "wrong-place"
    assert permission_group(ReviewPull(from_comment=True)) == "validate"


def test_context_from_a_pull_request_event() -> None:
    payload = {"action": "synchronize", "repository": {"full_name": "acme/data-jobs"},
               "pull_request": {"number": 7, "draft": False,
                                "head": {"sha": "a" * 40, "ref": "feature",
                                         "repo": {"full_name": "fork/data-jobs"}},
                                "base": {"ref": "main", "sha": "b" * 40}}}
    ctx = context_from({**ENV, "INPUT_FAIL-ON": "warning"}, payload)
    assert (ctx.number, ctx.on_pull_request, ctx.comment) == (7, True, None)
    assert ctx.pull is not None
    assert (ctx.pull.head_sha, ctx.pull.head_repo, ctx.pull.base_ref) == (
        "a" * 40, "fork/data-jobs", "main")
    assert ctx.inputs.fail_on == "warning"
    assert route(ctx.trigger) == ReviewPull()


def test_context_of_a_reply_in_a_thread() -> None:
    payload = {"action": "created", "repository": {"full_name": "acme/data-jobs"},
               "pull_request": {"number": 7, "head": {}, "base": {}},
               "comment": {"id": 55, "in_reply_to_id": 50, "body": "/dabgen var x=1",
                           "path": "bundle/databricks.yml", "line": 9, "start_line": 7,
                           "diff_hunk": "@@ -1 +1 @@", "user": {"login": "alice", "id": 3}}}
    ctx = context_from({**ENV, "GITHUB_EVENT_NAME": "pull_request_review_comment"}, payload)
    assert ctx.comment is not None and ctx.comment.thread is not None
    thread = ctx.comment.thread
    assert (thread.path, thread.line, thread.start_line, thread.root_id) == (
        "bundle/databricks.yml", 9, 7, 50)


def test_a_bad_fail_on_input_is_bad_input() -> None:
    from dabgen_ci.errors import BadInputError

    with pytest.raises(BadInputError, match="fail-on"):
        context_from({**ENV, "INPUT_FAIL-ON": "sometimes"}, {"repository": {}})


@pytest.mark.parametrize(("body", "expected"), [
    ("@dabgen use a smaller cluster here", "/dabgen use a smaller cluster here"),
    ("  @DABGEN, var catalog=main", "  /dabgen var catalog=main"),
    ("@dabgen[bot]: validate", "/dabgen validate"),
    ("@dabgen", "/dabgen"),
    ("@dabgen-fan thanks", "@dabgen-fan thanks"),
    ("thanks @dabgen", "thanks @dabgen"),
])
def test_an_opening_mention_addresses_dabgen(body: str, expected: str) -> None:
    from dabgen_ci.core.bot.mention import as_command

    assert as_command(body) == expected


def test_a_mention_in_a_thread_is_a_request() -> None:
    from dabgen_ci.core.bot.grammar import FreeForm, VarCommand
    from dabgen_ci.core.bot.routing import OnPullRequest

    trigger = Trigger("pull_request_review_comment", "created", "@dabgen var catalog=main",
                      "alice", "User", True)
    assert route(trigger) == OnPullRequest(VarCommand("catalog", "main"))
    chat = Trigger("pull_request_review_comment", "created", "@dabgen make this serverless",
                   "alice", "User", True)
    assert route(chat) == OnPullRequest(FreeForm("make this serverless", ()))
    aside = route(Trigger("issue_comment", "created", "I asked @dabgen already", "alice", "User"))
    assert isinstance(aside, Ignore)


def test_text_under_a_job_command_travels_with_it_but_is_not_its_identity() -> None:
    from dabgen_ci.core.bot.grammar import JobCommand, PathCommand, branch_for, parse_comment

    command = parse_comment("/dabgen job 7\n\nuse a smaller cluster for dev\nand a prod target\n")
    assert isinstance(command, JobCommand)
    assert command.extra_lines == ("use a smaller cluster for dev", "and a prod target")
    assert command == JobCommand((7,)) and branch_for(command) == "dabgen/job-7"
    path = parse_comment("/dabgen path /Shared/etl\nserverless please")
    assert isinstance(path, PathCommand) and path.extra_lines == ("serverless please",)
