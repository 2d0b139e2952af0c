"""The two ways the action syncs: on `schedule`/`workflow_dispatch`, and `/dabgen sync`.

The scheduled run has no comment to answer: its report is the workflow run's summary and
the pull requests it opens; a failure turns the run red. With the `shard` input it only
fetches one slice of the workspace into an artifact directory; with `merge-shards` it syncs
from those directories instead of reading the workspace. The comment runs the same
delivery under the tracking comment, for people with the `sync` permission, on an issue or
on a sync pull request.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dabgen_ci.core import paths
from dabgen_ci.core.sync.render import render_report
from dabgen_ci.core.sync.select import parse_shard
from dabgen_ci.errors import DabgenError
from dabgen_ci.flows.bot.deliver import BotEnv, Result
from dabgen_ci.flows.bot.failures import failure_for, run_cli
from dabgen_ci.flows.bot.sync import (
    SyncRun,
    combined,
    deliver_sync,
    is_sync_branch,
    report_options,
)
from dabgen_ci.flows.sync.flow import SyncOptions, fetch_shard
from dabgen_ci.github.context import ActionContext
from dabgen_ci.github.outputs import write_outputs, write_summary
from dabgen_ci.github.repo_config import read_base_config
from dabgen_ci.github.tracking import Tracker
from dabgen_ci.sync_store.shards import default_shard_dir, read_shards, write_shard

if TYPE_CHECKING:
    from dabgen_ci.flows.bot.services import BotServices

SYNC_STEPS = ("fetch jobs", "export notebooks", "merge", "validate", "commit", "open PR")
SUMMARY_LIMIT = 900_000  # GitHub keeps 1 MiB of job summary per step
_TRACKED_STEPS = {"fetch jobs": "fetch jobs", "export sources": "export notebooks",
                  "merge": "merge", "validate": "validate", "commit": "commit",
                  "open PR": "open PR"}


class LogProgress:
    """Progress as log lines (the scheduled run's log)."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log

    def start(self, step: str, total: int | None = None) -> None:
        self._log(f"{step}…" + (f" 0/{total}" if total else ""))

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self, step: str, detail: str = "", *, ok: bool = True) -> None:
        self._log(f"{'✓' if ok else '✗'} {step}" + (f": {detail}" if detail else ""))


class SyncTracking:
    """Progress that ticks the `/dabgen sync` tracking comment's checklist."""

    def __init__(self, tracker: Tracker) -> None:
        self._tracker = tracker

    def start(self, step: str, total: int | None = None) -> None:
        if step in _TRACKED_STEPS:
            self._tracker.step(_TRACKED_STEPS[step], "running", f"0/{total}" if total else "")

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self, step: str, detail: str = "", *, ok: bool = True) -> None:
        if step in _TRACKED_STEPS:
            self._tracker.step(_TRACKED_STEPS[step], "done" if ok else "failed", detail)


def run_scheduled_sync(ctx: ActionContext, services: BotServices) -> int:
    """The action on `schedule`/`workflow_dispatch` with `command: sync`."""
    reports = ""
    try:
        config = read_base_config(services.repo, ctx.default_branch, ctx.inputs.config_path)
        if ctx.inputs.shard:
            return _fetch_shard(ctx, services)
        env = BotEnv(ctx, services.api, services.repo, config, config.bundle_dir,
                     run_cli(ctx, config), services.open_source, services.redactor,
                     services.log)
        state = read_shards(_dirs(ctx)) if ctx.inputs.merge_shards else None
        deliveries = deliver_sync(env, SyncRun(state=state, progress=LogProgress(services.log)))
        result = combined(deliveries)
        reports = "\n\n".join(render_report(d.report, report_options(env, d.bundle),
                                            limit=SUMMARY_LIMIT)
                              for d in deliveries if d.report is not None and d.report.jobs)
    except DabgenError as exc:
        result = failure_for(exc)
        result = Result("failure", error=result.error, hint=result.hint,
                        exit_code=exc.exit_code or 1)
    heading = _heading(result)
    write_summary(ctx, "\n\n".join(p for p in (heading, reports) if p), services.redactor,
                  limit=SUMMARY_LIMIT)
    write_outputs(ctx, result.outputs())
    services.log(f"dabgen sync: {result.status}" + (f": {result.error}" if result.error else ""))
    return 0 if result.status in ("success", "up_to_date", "refused") else result.exit_code or 1


def run_sync_comment(env: BotEnv, tracker: Tracker) -> Result:
    """`/dabgen sync` on an issue or on a sync pull request."""
    if env.ctx.on_pull_request:
        assert env.ctx.number is not None
        pull = env.api.get_pull(env.ctx.number)
        if not is_sync_branch(pull.head) or pull.head_repo != env.ctx.repository:
            return Result("refused", summary="`/dabgen sync` works on an issue or on the sync "
                          "pull request (branch `dabgen/sync…`); this pull request is neither.",
                          hint="Comment it on an issue.")
    where = f" in #{env.ctx.number}" if env.ctx.number else ""
    run = SyncRun(co_authors=(env.co_author,), requested_by=f"@{env.requester.login}{where}",
                  progress=SyncTracking(tracker))
    return combined(deliver_sync(env, run))


def _fetch_shard(ctx: ActionContext, services: BotServices) -> int:
    shard = parse_shard(ctx.inputs.shard)
    options = SyncOptions(root=ctx.workspace, config_path=ctx.inputs.config_path)
    state = fetch_shard(services.open_source(), options, shard, LogProgress(services.log))
    out = _inside_workspace(ctx, ctx.inputs.shard_out or str(default_shard_dir(shard)),
                            "shard-out")
    write_shard(state, out)
    services.log(f"shard {shard[0]}/{shard[1]}: {len(state.jobs)} job(s), "
                 f"{len(state.exported)} source(s) → {out}")
    write_summary(ctx, f"dabgen sync: shard {shard[0]}/{shard[1]} fetched {len(state.jobs)} "
                  f"of {len(state.owner)} managed job(s).", services.redactor)
    write_outputs(ctx, {"pr-number": "", "pr-url": "", "branch": "", "validation": "skipped"})
    return 0


def _dirs(ctx: ActionContext) -> list[Path]:
    """The `merge-shards` input: folders of the workspace, separated by spaces."""
    return [_inside_workspace(ctx, part, "merge-shards")
            for part in shlex.split(ctx.inputs.merge_shards)]


def _inside_workspace(ctx: ActionContext, rel: str, what: str) -> Path:
    return paths.confine(ctx.workspace, rel, what=what, where="the workspace")


def _heading(result: Result) -> str:
    lines = [f"### dabgen sync: {result.status.replace('_', ' ')}", ""]
    if result.summary:
        lines.append(result.summary)
    if result.error:
        lines.append(f"Error: {result.error}")
    if result.hint:
        lines.append(result.hint)
    return "\n".join(lines)
