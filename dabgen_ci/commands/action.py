"""``dabgen action``: the GitHub Action's entrypoint (the Docker image's ENTRYPOINT).

Parses nothing from the command line: GitHub describes the run in the environment
(`GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`, ...) and passes the action's inputs as
`INPUT_<NAME>`. This module builds the real adapters and hands them to the flow.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Mapping
from types import FrameType
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from dabgen_ci.flows.bot.refining import Refiner
    from dabgen_ci.flows.review.flow import RiskSummarizer
    from dabgen_ci.workspace.base import WorkspaceSource


@click.command("action")
def action() -> None:
    """Handle the GitHub event of this workflow run (used by the dabgen GitHub Action)."""
    click.get_current_context().exit(run_action())


def run_action() -> int:
    # Imported here, not at the top: PyGithub and the bot's flows are a second of imports
    # that no other command needs.
    from dabgen_ci.core.redact import Redactor
    from dabgen_ci.flows.bot.run import run_bot
    from dabgen_ci.flows.bot.services import BotServices
    from dabgen_ci.git import GitRepo
    from dabgen_ci.github.client import PyGithubApi, RetrySettings
    from dabgen_ci.github.context import anthropic_env, databricks_env, github_token, load_context
    from dabgen_ci.workspace import workspace_configured

    # databricks-sdk and the `databricks` CLI (validation) both read DATABRICKS_*.
    os.environ.update(databricks_env(os.environ))
    os.environ.update(anthropic_env(os.environ))
    redactor = Redactor.from_env(os.environ)
    ctx = load_context(os.environ)
    token = github_token(os.environ)
    _interrupt_on_sigterm()

    def log(message: str) -> None:
        click.echo(redactor(message), err=True)

    api = PyGithubApi(ctx.api_url, token, ctx.repository, redactor,
                      RetrySettings.from_env(os.environ))
    services = BotServices(api=api, repo=GitRepo(ctx.workspace, redactor=redactor),
                           open_source=_live_source, redactor=redactor, log=log,
                           refiner=_refiner(os.environ), summarizer=_summarizer(os.environ, log),
                           has_workspace=workspace_configured(os.environ), out=click.echo)
    try:
        return run_bot(ctx, services)
    finally:
        api.close()


def _refiner(environ: Mapping[str, str]) -> Refiner | None:
    """The Claude agent when model credentials are configured; else None, and free-form
    requests get a reply naming what to set (structured commands never need it)."""
    from dabgen_ci.agent.auth import AgentUnavailable, check_agent_available
    from dabgen_ci.flows.bot.refiner import BotRefiner

    try:
        check_agent_available(environ)
    except AgentUnavailable:
        return None
    return BotRefiner(env=dict(environ))


def _summarizer(environ: Mapping[str, str],
                log: Callable[[str], None]) -> RiskSummarizer | None:
    """The model's risk summary for reviews (used when `review.agent: true`); None without
    model credentials, so the review skips it silently."""
    from dabgen_ci.agent.auth import AgentUnavailable, check_agent_available
    from dabgen_ci.flows.review.risk import AgentRiskSummarizer

    try:
        check_agent_available(environ)
    except AgentUnavailable:
        return None
    return AgentRiskSummarizer(env=dict(environ), log=log)


def _live_source() -> WorkspaceSource:
    """Only commands that read the workspace pay for the SDK import and auth."""
    from dabgen_ci.workspace.live import LiveSource

    return LiveSource.from_config()


def _interrupt_on_sigterm() -> None:
    """A cancelled workflow sends SIGTERM: unwind, so the tracking comment says so."""
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
