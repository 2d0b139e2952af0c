"""Deliver a sync as pull requests: one branch and one PR per configured bundle.

Read top to bottom, per bundle: the branch (``dabgen/sync``, or ``dabgen/sync-<name>`` when
``.dabgen.yml`` lists several bundles) is inspected with the bot's rules (a PR closed
unmerged is not re-opened, commits by anyone else are never overwritten) → the branch is
rebuilt from the default branch and the sync flow writes the working tree → no drift: no
commit, and an open sync PR is closed with a comment (its branch deleted) → drift: commit as
the bot; when the tree equals the open branch's, nothing is pushed (same PR, no new commit);
else push with lease and open or update the one PR, labelled ``dabgen:conflict`` while the
report lists conflicts. The drift report is the PR body; the workflow run's summary gets it
whole.

The workspace is read once for all bundles; with shards it is read from their artifacts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from dabgen_ci.config.bundles import BundleConfig
from dabgen_ci.core.bot.grammar import BRANCH_PREFIX
from dabgen_ci.core.bot.markdown import neutral
from dabgen_ci.core.bot.tracking_text import Outcome, Section
from dabgen_ci.core.diagnostics import of_severity
from dabgen_ci.core.sync.render import RenderOptions, render_report
from dabgen_ci.core.sync.report import BundleReport
from dabgen_ci.core.sync.state import WorkspaceState
from dabgen_ci.flows.bot.deliver import (
    BotEnv,
    BranchState,
    Result,
    inspect_branch,
    open_or_update,
    refusal,
)
from dabgen_ci.flows.sync.fetch import fetch_workspace
from dabgen_ci.flows.sync.flow import SyncOptions, read_repos, selectors, sync_from_state
from dabgen_ci.github.client import PullInfo
from dabgen_ci.github.repo_config import base_ref
from dabgen_ci.progress import NullProgress, Progress
from dabgen_ci.validate.rules_secrets import sensitive_name

SYNC_BRANCH = BRANCH_PREFIX + "sync"
CONFLICT_LABEL = "dabgen:conflict"
SYNC_MARKER_PREFIX = "<!-- dabgen:sync"


@dataclass(frozen=True)
class SyncRun:
    """What differs between the scheduled run and `/dabgen sync` in a comment."""

    co_authors: tuple[str, ...] = ()  # the requester, for a comment
    requested_by: str = ""  # "@alice in #12", for the commit message
    state: WorkspaceState | None = None  # from shard artifacts; None: fetch
    progress: Progress = field(default_factory=NullProgress)


@dataclass(frozen=True)
class BundleDelivery:
    bundle: BundleConfig
    result: Result
    report: BundleReport | None = None


def sync_branch(bundle: BundleConfig, several: bool) -> str:
    return f"{SYNC_BRANCH}-{bundle.name}" if several else SYNC_BRANCH


def sync_marker(bundle: BundleConfig) -> str:
    return f"{SYNC_MARKER_PREFIX} bundle={bundle.name} -->"


def is_sync_branch(branch: str) -> bool:
    return branch == SYNC_BRANCH or branch.startswith(SYNC_BRANCH + "-")


def deliver_sync(env: BotEnv, run: SyncRun) -> list[BundleDelivery]:
    """Sync every configured bundle of the default branch into its pull request."""
    bundles = env.config.managed_bundles()
    several = len(bundles) > 1
    base = base_ref(env.ctx.default_branch)
    env.repo.checkout_new_branch_from(base, sync_branch(bundles[0], several))
    options = SyncOptions(root=env.repo.path, config_path=env.ctx.inputs.config_path,
                          run_cli=env.run_cli)
    repos = read_repos(options.root, bundles)
    state = run.state or fetch_workspace(env.open_source(), selectors(bundles, repos),
                                         progress=run.progress)
    return [_deliver_one(env, run, bundle, sync_branch(bundle, several), state, options)
            for bundle in bundles]


def combined(deliveries: Sequence[BundleDelivery]) -> Result:
    """One result for the tracking comment and the action's outputs."""
    if len(deliveries) == 1:
        return deliveries[0].result
    order: tuple[Outcome, ...] = ("failure", "refused", "success", "up_to_date")
    status = next(s for s in order if any(d.result.status == s for d in deliveries))
    lines = [f"- bundle `{d.bundle.name}`: {d.result.summary or d.result.error}"
             for d in deliveries]
    first = next((d.result for d in deliveries if d.result.pr), deliveries[0].result)
    return Result(status, summary="\n".join(lines), pr=first.pr, branch=first.branch,
                  error="; ".join(d.result.error for d in deliveries if d.result.error),
                  hint=next((d.result.hint for d in deliveries if d.result.hint), ""),
                  sections=tuple(s for d in deliveries for s in d.result.sections),
                  validation=first.validation,
                  exit_code=max(d.result.exit_code for d in deliveries))


def report_options(env: BotEnv, bundle: BundleConfig) -> RenderOptions:
    return RenderOptions(redact=env.redactor, sensitive=sensitive_name, run_url=env.ctx.run_url,
                         marker=sync_marker(bundle))


# -- one bundle ------------------------------------------------------------------------------

def _deliver_one(env: BotEnv, run: SyncRun, bundle: BundleConfig, branch: str,
                 state: WorkspaceState, options: SyncOptions) -> BundleDelivery:
    env = replace(env, bundle_dir=bundle.dir)
    branch_state = inspect_branch(env, branch)
    refused = refusal(env, branch_state)
    if refused is not None:
        return BundleDelivery(bundle, refused)
    env.repo.checkout_new_branch_from(base_ref(env.ctx.default_branch), branch)
    synced = sync_from_state(state, replace(options, only=(bundle.name,)), run.progress,
                             config=env.config)
    report = synced.report.bundles[0]
    if not report.drifted:
        return BundleDelivery(bundle, _no_drift(env, branch_state, report), report)
    if not synced.valid:
        env.repo.discard_changes([bundle.dir])
        return BundleDelivery(bundle, _invalid(branch, report), report)
    run.progress.start("commit")
    sha = env.repo.commit(env.redactor(_message(bundle, report, run)),
                          co_authors=list(run.co_authors), paths=[bundle.dir])
    run.progress.finish("commit", sha[:10] if sha else "no changes")
    if sha is None:  # the report saw drift but the files are already so: nothing to push
        return BundleDelivery(bundle, _no_drift(env, branch_state, report), report)
    body = render_report(report, report_options(env, bundle))
    title = _title(bundle, report)
    return BundleDelivery(bundle, _publish(env, branch_state, title, body, report, run), report)


def _publish(env: BotEnv, state: BranchState, title: str, body: str, report: BundleReport,
             run: SyncRun) -> Result:
    run.progress.start("open PR")
    unchanged = (state.remote_sha is not None and not state.merged
                 and env.repo.tree_sha("HEAD") == env.repo.tree_sha(
                     f"refs/remotes/origin/{state.name}"))
    if unchanged and state.open_pull is not None:
        pull = state.open_pull
        if pull.body.strip() != body.strip() or pull.title != title:
            pull = env.api.edit_pull(pull.number, title, body)
        _label(env, pull, report)
        run.progress.finish("open PR", f"#{pull.number} unchanged")
        return Result("up_to_date", pr=pull, branch=state.name, validation="passed",
                      summary=f"The drift is unchanged since the last run: "
                              f"[#{pull.number}]({pull.url}) on `{state.name}` already has it; "
                              "no new commit.")
    env.repo.push(state.name, state.remote_sha)
    pull, created = open_or_update(env, state, title, body,
                                   pushed_new_branch=state.remote_sha is None,
                                   new_sha=env.repo.head_sha())
    _label(env, pull, report)
    verb = "Opened" if created else "Updated"
    run.progress.finish("open PR", f"#{pull.number} {verb.lower()}")
    conflicts = f", {report.conflicts} conflict(s)" if report.conflicts else ""
    return Result("success", pr=pull, branch=state.name, validation="passed",
                  summary=f"{verb} [#{pull.number}]({pull.url}) from `{state.name}`: "
                          f"{len(report.jobs)} job(s) drifted in `{report.dir}/`{conflicts}.")


def _no_drift(env: BotEnv, state: BranchState, report: BundleReport) -> Result:
    pull = state.open_pull
    if pull is None:
        return Result("up_to_date", branch=None, validation="passed",
                      summary=f"No drift: `{report.dir}/` matches the workspace "
                              f"({report.unchanged_jobs} job(s)); nothing to commit.")
    text = (f"{SYNC_MARKER_PREFIX} bundle={report.name} -->\nThe workspace matches "
            f"`{report.dir}/` again, so there is nothing left to sync: dabgen closed this "
            f"pull request and deleted `{state.name}`.")
    env.api.create_comment(pull.number, text)
    closed = env.api.close_pull(pull.number)
    env.repo.delete_remote_branch(state.name, expected_sha=state.remote_sha)
    return Result("success", pr=closed, branch=state.name, validation="passed",
                  summary=f"No drift any more: closed [#{pull.number}]({pull.url}) and deleted "
                          f"`{state.name}`.")


def _invalid(branch: str, report: BundleReport) -> Result:
    errors = of_severity(report.diagnostics)
    body = "\n".join(d.render() for d in errors)
    return Result("failure", branch=branch, validation="failed",
                  sections=(Section(f"Validation errors ({len(errors)})", body, code=True),),
                  error=f"the synced bundle in `{report.dir}/` has {len(errors)} validation "
                        "error(s); nothing was pushed",
                  hint="Fix the job in the workspace or the bundle on the default branch; the "
                       "errors are listed below.")


def _label(env: BotEnv, pull: PullInfo, report: BundleReport) -> None:
    env.api.set_label(pull.number, CONFLICT_LABEL, bool(report.conflicts))


def _title(bundle: BundleConfig, report: BundleReport) -> str:
    conflicts = f", {report.conflicts} conflict(s)" if report.conflicts else ""
    return (f"dabgen sync: {len(report.jobs)} job(s) drifted in {bundle.dir}/ "
            f"({bundle.name}){conflicts}")


def _message(bundle: BundleConfig, report: BundleReport, run: SyncRun) -> str:
    lines = [f"dabgen sync: {bundle.name} — {len(report.jobs)} job(s) drifted", ""]
    lines += [f"- job {j.job_id} ({neutral(j.name)}): {', '.join(j.kinds)}"
              for j in report.jobs[:50]]
    if len(report.jobs) > 50:
        lines.append(f"- … and {len(report.jobs) - 50} more")
    lines += ["", f"Requested by {run.requested_by}." if run.requested_by
              else "Scheduled sync."]
    return "\n".join(lines)
