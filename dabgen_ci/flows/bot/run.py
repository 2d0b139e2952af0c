"""One GitHub event → at most one reply or one tracking comment (the action's use case).

Security before action, in this order: route the event (bots, the bot's own comments and
non-commands are ignored); read `.dabgen.yml` from the default branch; check the
commenter's repository permission for the command's group (`confused` reaction and a
short reply otherwise); only then 👀 and work. Work runs under a tracking comment that is
finished in a `finally` whatever happens. The exit code is 0 whenever the comment
reported the outcome (including the user's errors); non-zero only when the bot's own
infrastructure failed (GitHub or git unreachable) or on a bug.
"""

from __future__ import annotations

import traceback

from dabgen_ci.config import Config
from dabgen_ci.core.bot.grammar import FreeForm, PathCommand, RegenerateCommand, ValidateCommand
from dabgen_ci.core.bot.routing import (
    STRUCTURED_ON_PR,
    Generate,
    Ignore,
    OnPullRequest,
    Reply,
    ReviewPull,
    Route,
    Sync,
    describe,
    permission_group,
    route,
)
from dabgen_ci.core.bot.tracking_text import (
    EDIT_STEPS,
    GENERATE_STEPS,
    VALIDATE_STEPS,
    TrackingState,
    one_line,
    reply_marker,
    tracking_marker,
)
from dabgen_ci.errors import BadInputError, DabgenError
from dabgen_ci.flows.bot.deliver import BotEnv, Result
from dabgen_ci.flows.bot.failures import INTERNAL_ERROR, failure_for, resolve_bundle_dir, run_cli
from dabgen_ci.flows.bot.issue import run_generate
from dabgen_ci.flows.bot.issue_text import STEP as ISSUE_TEXT_STEP
from dabgen_ci.flows.bot.issue_text import IssueText
from dabgen_ci.flows.bot.pr import run_pr_command
from dabgen_ci.flows.bot.review_pr import review_event, review_on_comment
from dabgen_ci.flows.bot.services import BotServices
from dabgen_ci.flows.bot.sync_entry import SYNC_STEPS, run_scheduled_sync, run_sync_comment
from dabgen_ci.git import GitError
from dabgen_ci.github.client import CommentApi, GitHubError
from dabgen_ci.github.context import ActionContext
from dabgen_ci.github.outputs import write_outputs, write_summary
from dabgen_ci.github.repo_config import read_base_config
from dabgen_ci.github.threads import ThreadComments
from dabgen_ci.github.tracking import Tracker, post_reply

AGENT_NEEDED = (
    "Free-form requests are handled by dabgen's Claude agent, which needs model "
    "credentials: set the action's `anthropic-api-key` input (for example from a "
    "repository secret `ANTHROPIC_API_KEY`). These structured commands work without it:"
    "\n\n" + STRUCTURED_ON_PR
)
PATH_STEPS = ("list notebooks", *GENERATE_STEPS[1:])


def run_bot(ctx: ActionContext, services: BotServices) -> int:
    """Handle the event of `ctx`; returns the process exit code."""
    decision = route(ctx.trigger)
    if isinstance(decision, Ignore):
        services.log(f"nothing to do: {decision.reason}")
        write_outputs(ctx, Result("up_to_date").outputs())
        return 0
    try:
        if isinstance(decision, ReviewPull) and not decision.from_comment:
            return review_event(ctx, services)
        if isinstance(decision, Sync) and decision.scheduled:
            return run_scheduled_sync(ctx, services)
        return _handle(ctx, services, decision)
    except (GitHubError, GitError) as exc:  # before a tracking comment exists: log only
        services.log(f"error: {exc}")
        write_outputs(ctx, Result("failure").outputs())
        return exc.exit_code
    except DabgenError as exc:  # a review without a comment to report in (bad config, …)
        services.log(f"error: {exc}")
        write_outputs(ctx, Result("failure").outputs())
        return exc.exit_code


def _handle(ctx: ActionContext, services: BotServices, decision: Route) -> int:
    comment, number = ctx.comment, ctx.number
    assert comment is not None and number is not None, "routed events carry a comment"
    config, problem, permission = Config(), None, "none"
    group = permission_group(decision)
    if group is not None:
        try:
            config = read_base_config(services.repo, ctx.default_branch, ctx.inputs.config_path)
        except BadInputError as exc:  # a broken .dabgen.yml: gate with defaults, then report
            problem = exc
        permission = services.api.permission(comment.login)
        if not config.allows(group, permission):
            return _deny(ctx, services, group, permission, config)
    _react(ctx, services, "eyes")
    if isinstance(decision, Reply):
        return _reply(ctx, services, decision.text)
    if isinstance(decision, ReviewPull):
        return _review_reply(ctx, services, problem)
    if isinstance(decision, OnPullRequest) and isinstance(decision.command, FreeForm) \
            and services.refiner is None:
        return _reply(ctx, services, AGENT_NEEDED)
    assert isinstance(decision, Generate | OnPullRequest | Sync)
    command = "/dabgen sync" if isinstance(decision, Sync) else describe(decision.command)
    state = TrackingState.start(tracking_marker(comment.id), command,
                                comment.login, ctx.run_url, _steps(decision))
    tracker = Tracker(_comments(ctx, services), number, state, services.log)
    tracker.open()
    text = _issue_text(decision, services, config, permission)
    return _tracked(ctx, services, decision, config, problem, tracker, text)


def _tracked(ctx: ActionContext, services: BotServices,
             decision: Generate | OnPullRequest | Sync,
             config: Config, problem: DabgenError | None, tracker: Tracker,
             issue_text: IssueText | None = None) -> int:
    result = Result("failure", error="the run was interrupted", hint="Comment again.",
                    exit_code=1)
    try:
        if problem is not None:
            raise problem
        env = BotEnv(ctx, services.api, services.repo, config, resolve_bundle_dir(ctx, config),
                     run_cli(ctx, config), services.open_source, services.redactor, services.log)
        if isinstance(decision, Generate):
            result = run_generate(env, decision.command, tracker, issue_text)
        elif isinstance(decision, Sync):
            result = run_sync_comment(env, tracker)
        else:
            result = run_pr_command(env, decision.command, tracker, services.refiner)
    except DabgenError as exc:
        result = failure_for(exc)
    except Exception as exc:  # the tracking comment must end, whatever went wrong
        services.log(services.redactor("".join(traceback.format_exception(exc))))
        result = Result("failure", error=f"internal error ({type(exc).__name__})",
                        hint="This is a dabgen bug; the workflow run's log has the details.",
                        exit_code=INTERNAL_ERROR)
    finally:
        code = _finish(ctx, services, tracker, result)
    return code


def _finish(ctx: ActionContext, services: BotServices, tracker: Tracker, result: Result) -> int:
    code = result.exit_code
    body = ""
    try:
        body = tracker.finish(result.status, summary=result.summary, error=result.error,
                              hint=result.hint, sections=result.sections)
    except GitHubError as exc:
        services.log(f"error: could not finish the tracking comment: {exc}")
        code = code or exc.exit_code
    write_summary(ctx, body or f"dabgen: {result.status} {result.error}", services.redactor)
    write_outputs(ctx, result.outputs())
    detail = f": {result.error}" if result.error else ""
    services.log(f"dabgen {tracker.state.command}: {result.status}{detail}")
    return code


def _steps(decision: Generate | OnPullRequest | Sync) -> tuple[str, ...]:
    if isinstance(decision, Sync):
        return SYNC_STEPS
    if isinstance(decision, Generate):
        steps = PATH_STEPS if isinstance(decision.command, PathCommand) else GENERATE_STEPS
        if not decision.command.extra_lines:
            return steps
        at = steps.index("commit")
        return (*steps[:at], ISSUE_TEXT_STEP, *steps[at:])
    if isinstance(decision.command, RegenerateCommand):
        return GENERATE_STEPS
    if isinstance(decision.command, ValidateCommand):
        return VALIDATE_STEPS
    return EDIT_STEPS


def _deny(ctx: ActionContext, services: BotServices, group: str, permission: str,
          config: Config) -> int:
    comment = ctx.comment
    assert comment is not None and ctx.number is not None
    needed = config.permissions.get(group, "write")
    services.log(f"refused: @{comment.login} has {permission} permission, {group} needs {needed}")
    _react(ctx, services, "confused")
    text = (f"@{comment.login} dabgen only runs this command for people with `{needed}` "
            f"permission (or higher) on this repository. Ask a maintainer to run it.")
    post_reply(_comments(ctx, services), ctx.number, reply_marker(comment.id),
               reply_marker(comment.id) + "\n" + text, services.log)
    write_outputs(ctx, Result("refused").outputs())
    return 0


def _reply(ctx: ActionContext, services: BotServices, text: str,
           result: Result | None = None) -> int:
    comment = ctx.comment
    assert comment is not None and ctx.number is not None
    marker = reply_marker(comment.id)
    post_reply(_comments(ctx, services), ctx.number, marker, f"{marker}\n{text}", services.log)
    write_summary(ctx, text, services.redactor)
    write_outputs(ctx, (result or Result("success")).outputs())
    return 0


def _issue_text(decision: Route, services: BotServices, config: Config,
                permission: str) -> IssueText | None:
    """The lines under `/dabgen job|path`, with the agent when the requester may use it."""
    if not isinstance(decision, Generate) or not decision.command.extra_lines:
        return None
    lines = decision.command.extra_lines
    if not config.allows("refine", permission):
        needed = config.permissions.get("refine", "write")
        return IssueText(lines, None, f"applying free-form text needs `{needed}` permission "
                                      "(the `refine` group of `.dabgen.yml`)")
    return IssueText(lines, services.refiner)


def _review_reply(ctx: ActionContext, services: BotServices,
                  problem: DabgenError | None) -> int:
    """`/dabgen review`: the review on the PR, and a short reply where it was asked for."""
    try:
        if problem is not None:
            raise problem
        text, result = review_on_comment(ctx, services)
    except DabgenError as exc:
        result = failure_for(exc)
        text = (f"dabgen could not review this pull request: {one_line(result.error)}\n\n"
                f"**What to do:** {result.hint}")
    _reply(ctx, services, text, result)
    return result.exit_code


def _comments(ctx: ActionContext, services: BotServices) -> CommentApi:
    """Replies go where the comment was written: its review thread, or the conversation."""
    comment = ctx.comment
    if comment is not None and comment.thread is not None and ctx.number is not None:
        return ThreadComments(services.api, ctx.number, comment.thread.root_id)
    return services.api


def _react(ctx: ActionContext, services: BotServices, content: str) -> None:
    """Reactions are a courtesy: a failure is logged, never fatal."""
    comment = ctx.comment
    assert comment is not None
    try:
        services.api.react(comment.id, content, comment.kind)
    except GitHubError as exc:
        services.log(f"warning: could not add the {content} reaction: {exc}")
