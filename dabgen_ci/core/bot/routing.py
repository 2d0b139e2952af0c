"""Which way the action goes for one GitHub event (pure: a trigger record in, a route out).

Like claude-code-action's `detectMode(context)`: the decision needs no I/O, so every
branch is a unit test. What routing cannot know without the API (whether a PR is a dabgen
PR, the commenter's permission) is checked by the flows; routing only says which
permission group a route needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from dabgen_ci.core.bot.grammar import (
    HELP_TEXT,
    Command,
    FreeForm,
    HelpCommand,
    JobCommand,
    Malformed,
    PathCommand,
    RegenerateCommand,
    ReviewCommand,
    SyncCommand,
    TargetAddCommand,
    ValidateCommand,
    VarCommand,
    parse_comment,
)
from dabgen_ci.core.bot.mention import as_command
from dabgen_ci.core.bot.tracking_text import MARKER_PREFIX

COMMENT_EVENTS = ("issue_comment", "pull_request_review_comment")
REVIEWED_PULL_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")
SCHEDULED_EVENTS = ("schedule", "workflow_dispatch")
STRUCTURED_ON_PR = (
    "- `/dabgen regenerate` — rebuild this pull request's bundle from the workspace\n"
    "- `/dabgen validate` — validate the bundle and reply with the result\n"
    "- `/dabgen target add <name>` — add a deployment target\n"
    "- `/dabgen var <name>=<value>` — turn a literal value into a bundle variable\n"
    "- `/dabgen help` — all commands"
)


@dataclass(frozen=True)
class Trigger:
    """The facts routing needs, taken from the event payload and the action inputs."""

    event_name: str
    action: str = ""
    body: str = ""
    author_login: str = ""
    author_type: str = ""
    on_pull_request: bool = False
    command_input: str = ""
    draft: bool = False


@dataclass(frozen=True)
class Ignore:
    """Nothing to do; `reason` goes to the log only."""

    reason: str


@dataclass(frozen=True)
class Reply:
    """Answer with fixed text (help, a malformed command, a command in the wrong place)."""

    text: str
    kind: str


@dataclass(frozen=True)
class Generate:
    """`/dabgen job|path` on an issue: a bundle on a new branch and a pull request."""

    command: JobCommand | PathCommand


PullCommand = RegenerateCommand | ValidateCommand | TargetAddCommand | VarCommand | FreeForm


@dataclass(frozen=True)
class OnPullRequest:
    """A command that works on a dabgen pull request's branch."""

    command: PullCommand


@dataclass(frozen=True)
class Sync:
    """Keep the configured bundles in step with the workspace: `/dabgen sync` on an issue
    or the sync PR, or the action run on `schedule`/`workflow_dispatch` with `command: sync`
    (`scheduled`: no comment to answer, no commenter to check)."""

    scheduled: bool = False


@dataclass(frozen=True)
class ReviewPull:
    """Review a pull request: the `pull_request` event (or `command: review`), or a
    `/dabgen review` comment on one (``from_comment``)."""

    from_comment: bool = False


Route = Ignore | Reply | Generate | OnPullRequest | Sync | ReviewPull


def route(trigger: Trigger) -> Route:
    if trigger.event_name in SCHEDULED_EVENTS and trigger.command_input == "sync":
        return Sync(scheduled=True)
    if trigger.event_name == "pull_request":
        return _route_pull_request(trigger)
    if trigger.event_name not in COMMENT_EVENTS:
        what = f"command {trigger.command_input!r}" if trigger.command_input else "this event"
        return Ignore(f"{what} on {trigger.event_name or 'an unknown event'} is not handled by "
                      "`dabgen action` in this version")
    if trigger.action != "created":
        return Ignore(f"comment {trigger.action or 'event'}: only new comments are commands")
    if is_bot(trigger.author_login, trigger.author_type):
        return Ignore(f"comment by bot {trigger.author_login}")
    if MARKER_PREFIX in trigger.body:
        return Ignore("comment carries dabgen's own marker")
    command = parse_comment(as_command(trigger.body))
    if command is None:
        return Ignore("not a /dabgen command")
    return _route_command(command, trigger.on_pull_request)


def _route_pull_request(trigger: Trigger) -> Route:
    if trigger.command_input not in ("", "review"):
        return Ignore(f"command {trigger.command_input!r} on pull_request is not handled")
    if trigger.action not in REVIEWED_PULL_ACTIONS:
        return Ignore(f"pull request {trigger.action or 'event'}: only "
                      f"{', '.join(REVIEWED_PULL_ACTIONS)} are reviewed")
    if trigger.draft:
        return Ignore("draft pull request: reviewed when it is marked ready for review")
    return ReviewPull()


def _route_command(command: Command, on_pr: bool) -> Route:
    if isinstance(command, HelpCommand):
        return Reply(HELP_TEXT, "help")
    if isinstance(command, Malformed):
        return Reply(f"`/dabgen {command.command}`: {command.reason}.\n\n"
                     "Comment `/dabgen help` for the list of commands.", "malformed")
    if isinstance(command, SyncCommand):
        return Sync()
    if isinstance(command, ReviewCommand):
        return ReviewPull(from_comment=True) if on_pr else Reply(
            "`/dabgen review` reviews a pull request: comment it on one.", "wrong-place")
    if isinstance(command, JobCommand | PathCommand):
        if on_pr:
            return Reply("`/dabgen job` and `/dabgen path` open a new pull request: comment "
                         "them on an issue. On a dabgen pull request use:\n\n" + STRUCTURED_ON_PR,
                         "wrong-place")
        return Generate(command)
    if not on_pr:
        if isinstance(command, FreeForm):
            text = ("Free-form requests refine a dabgen pull request: comment them there. "
                    "To start one, comment `/dabgen job <id>` or `/dabgen path <folder>` here.")
        else:
            text = ("This command works on a dabgen pull request. To start one, comment "
                    "`/dabgen job <id>` or `/dabgen path <folder>` here.")
        return Reply(text, "wrong-place")
    return OnPullRequest(command)


def is_bot(login: str, user_type: str) -> bool:
    """GitHub Apps and the Actions token act as `Bot` users named `<app>[bot]`."""
    return user_type.casefold() == "bot" or login.casefold().endswith("[bot]")


def permission_group(route_: Route) -> str | None:
    """The `.dabgen.yml` permission group a route needs; None for fixed replies."""
    if isinstance(route_, Generate):
        return "generate"
    if isinstance(route_, ReviewPull):
        return "validate"
    if isinstance(route_, Sync):
        return None if route_.scheduled else "sync"
    if isinstance(route_, OnPullRequest):
        command = route_.command
        if isinstance(command, RegenerateCommand):
            return "generate"
        if isinstance(command, ValidateCommand):
            return "validate"
        return "refine"
    return None


def describe(command: Command) -> str:
    """The command as users would type it, rebuilt from parsed (validated) values."""
    if isinstance(command, JobCommand):
        return "/dabgen job " + " ".join(str(i) for i in command.ids)
    if isinstance(command, PathCommand):
        return f"/dabgen path {command.path}"
    if isinstance(command, TargetAddCommand):
        return f"/dabgen target add {command.name}"
    if isinstance(command, VarCommand):
        return f"/dabgen var {command.name}={command.value}"
    if isinstance(command, FreeForm):
        return f"/dabgen {command.text}"
    words = {RegenerateCommand: "regenerate", ValidateCommand: "validate",
             SyncCommand: "sync", ReviewCommand: "review", HelpCommand: "help"}
    return "/dabgen " + words.get(type(command), "help")
