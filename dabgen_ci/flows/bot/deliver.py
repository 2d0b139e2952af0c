"""Delivery for the PR bot: branch state, refusals, commit, push with lease, open/update PR.

Shared by `/dabgen job|path` on an issue and `/dabgen regenerate` on a PR. The rules users
rely on are decided here, in this order: a PR closed unmerged is never re-opened; commits
by anyone but the bot on a dabgen branch are never overwritten; no diff means no commit
and no PR ("already up to date"); the push names the sha the bot saw (`--force-with-lease`);
a branch the bot created is deleted again when the PR cannot be opened, so nothing
half-done stays on the remote.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from dabgen_ci.config import Config
from dabgen_ci.core.bot.markdown import literal
from dabgen_ci.core.bot.tracking_text import Outcome, Section
from dabgen_ci.core.bundle.layout import job_ids_in
from dabgen_ci.core.diagnostics import Diagnostic, of_severity
from dabgen_ci.core.redact import Redactor
from dabgen_ci.errors import DabgenError
from dabgen_ci.git import BOT_EMAIL, GitRepo, noreply_co_author
from dabgen_ci.github.client import GitHubApi, GitHubError, PullInfo
from dabgen_ci.github.context import ActionContext, CommentInfo
from dabgen_ci.github.repo_config import base_ref
from dabgen_ci.workspace.base import WorkspaceSource

MAX_LISTED_COMMITS = 10
SECRETS_SOURCE = "secrets"  # the validator's secret rule (validate.rules_secrets.SOURCE)


@dataclass(frozen=True)
class BotEnv:
    """Everything a bot flow may use; clients are passed in, never global."""

    ctx: ActionContext
    api: GitHubApi
    repo: GitRepo
    config: Config
    bundle_dir: str
    run_cli: bool | None
    open_source: Callable[[], WorkspaceSource]
    redactor: Redactor
    log: Callable[[str], None]

    @property
    def requester(self) -> CommentInfo:
        assert self.ctx.comment is not None, "bot flows run for a comment"
        return self.ctx.comment

    @property
    def co_author(self) -> str:
        return noreply_co_author(self.requester.login, self.requester.user_id)


@dataclass(frozen=True)
class Result:
    """How a bot flow ended; the tracking comment, job summary and outputs show it."""

    status: Outcome
    summary: str = ""
    error: str = ""
    hint: str = ""
    sections: tuple[Section, ...] = ()
    pr: PullInfo | None = None
    branch: str | None = None
    validation: str = "skipped"  # passed | failed | skipped
    exit_code: int = 0

    def outputs(self) -> dict[str, str]:
        """The action's outputs (action.yml) for this result."""
        return {
            "pr-number": str(self.pr.number) if self.pr else "",
            "pr-url": self.pr.url if self.pr else "",
            "branch": self.branch or "",
            "validation": self.validation,
        }


@dataclass(frozen=True)
class BranchState:
    name: str
    remote_sha: str | None
    open_pull: PullInfo | None
    closed_pull: PullInfo | None  # the latest PR, closed without merge, none open
    merged: bool  # the latest PR was merged (and none is open)


def inspect_branch(env: BotEnv, branch: str) -> BranchState:
    remote_sha = env.repo.remote_branch_sha(branch)
    pulls = env.api.pulls_for_branch(branch)
    open_pull = next((p for p in pulls if p.state == "open"), None)
    latest = pulls[0] if pulls else None
    last_closed = latest if open_pull is None else None
    closed = last_closed if last_closed is not None and not last_closed.merged else None
    merged = last_closed is not None and last_closed.merged
    return BranchState(branch, remote_sha, open_pull, closed, merged)


def refusal(env: BotEnv, state: BranchState) -> Result | None:
    """Why the bot must not touch `state.name`, as a finished result; None when it may."""
    if state.closed_pull is not None and state.remote_sha is not None:
        pull = state.closed_pull
        return Result(
            "refused", branch=state.name, pr=pull,
            summary=f"Pull request [#{pull.number}]({pull.url}) for `{state.name}` was closed "
                    "without merging. dabgen does not re-open it and pushed nothing.",
            hint=f"Re-open #{pull.number} and comment again, or delete the branch "
                 f"`{state.name}` to start a new pull request.")
    if state.remote_sha is None:
        return None
    env.repo.fetch_branch(state.name)
    others = env.repo.commits_not_by(BOT_EMAIL, base_ref(env.ctx.default_branch),
                                     f"refs/remotes/origin/{state.name}")
    if not others:
        return None
    listed = "\n".join(f"- `{sha[:10]}` by {literal(who)}"
                       for sha, who in others[:MAX_LISTED_COMMITS])
    return Result(
        "refused", branch=state.name, pr=state.open_pull,
        summary=f"`{state.name}` has commits that dabgen did not write; it never overwrites "
                f"them, so nothing was pushed:\n\n{listed}",
        hint=f"Push your changes to another branch, or delete the branch `{state.name}` "
             "(or drop those commits) and comment again.")


def other_jobs_refusal(env: BotEnv, job_ids: tuple[int, ...], branch: str) -> Result | None:
    """Refuse when the default branch's bundle holds resources this request would delete.

    The bot makes the bundle directory hold exactly the generated files, so generating
    job B into a directory where job A's bundle was merged would drop A in the PR. Resource
    files name their job in a header (``# dabgen: job <id>``); a file for a job outside
    this request, or one dabgen did not write, is kept by refusing, with the command that
    generates everything together.
    """
    base = base_ref(env.ctx.default_branch)
    resources = posixpath.normpath(posixpath.join(env.bundle_dir, "resources"))
    others: list[tuple[str, list[int]]] = []
    for name in env.repo.list_at(base, resources):
        ids = job_ids_in(env.repo.read_at(base, f"{resources}/{name}") or "")
        if not ids or not set(ids) <= set(job_ids):
            others.append((name, ids))
    if not others:
        return None
    listed = "\n".join(f"- `{env.bundle_dir}/resources/{name}`: "
                       + (", ".join(f"job {i}" for i in ids) if ids else "not written by dabgen")
                       for name, ids in others[:MAX_LISTED_COMMITS])
    every = sorted({*job_ids, *(i for _, ids in others for i in ids)})
    together = (f"comment `/dabgen job {' '.join(map(str, every))}` to generate them into one "
                "bundle, or " if all(ids for _, ids in others) else "")
    return Result(
        "refused", branch=branch,
        summary=f"`{env.bundle_dir}/` on `{env.ctx.default_branch}` already holds resources "
                f"this request did not ask for; dabgen does not delete them, so nothing was "
                f"pushed:\n\n{listed}",
        hint=f"To keep them, {together}set a separate `bundle_dir` in `.dabgen.yml`.")


def secrets_hint(diagnostics: Sequence[Diagnostic]) -> str:
    """What to do when the secret check stopped delivery (empty when it did not)."""
    found = [d for d in of_severity(diagnostics) if d.source == SECRETS_SOURCE]
    if not found:
        return ""
    return (f"dabgen found {len(found)} value(s) that look like credentials (listed below by "
            "file and line, masked) and pushed nothing. Move each to a secret scope "
            "(`{{secrets/<scope>/<key>}}` in job settings, `dbutils.secrets.get` in code) and "
            "rotate it, then comment again. If a finding is not a secret, put "
            "`dabgen: allow-secret` in a comment on its line, or add its fingerprint to "
            "`secrets.allow` in `.dabgen.yml` on the default branch.")


def checkout(env: BotEnv, state: BranchState) -> None:
    """Work on top of the existing branch, or start it from the default branch."""
    if state.remote_sha is not None and not state.merged:
        env.repo.checkout_remote_branch(state.name)
    else:
        env.repo.checkout_new_branch_from(base_ref(env.ctx.default_branch), state.name)


def write_and_commit(env: BotEnv, files: Mapping[str, bytes], message: str) -> str | None:
    """Make the bundle directory hold exactly `files`; commit it (None: nothing changed)."""
    env.repo.replace_tree(env.bundle_dir, files)
    return commit(env, message)


def commit(env: BotEnv, message: str) -> str | None:
    return env.repo.commit(env.redactor(message), co_authors=[env.co_author],
                           paths=[env.bundle_dir])


def push_and_open(env: BotEnv, state: BranchState, new_sha: str, title: str,
                  body: str) -> tuple[PullInfo, bool]:
    """Push, then open the PR (or update the open one); (pull, created)."""
    env.repo.push(state.name, state.remote_sha)
    return open_or_update(env, state, title, body, pushed_new_branch=state.remote_sha is None,
                          new_sha=new_sha)


def open_or_update(env: BotEnv, state: BranchState, title: str, body: str, *,
                   pushed_new_branch: bool = False,
                   new_sha: str | None = None) -> tuple[PullInfo, bool]:
    if state.open_pull is not None:
        return env.api.edit_pull(state.open_pull.number, title, body), False
    try:
        return env.api.create_pull(title, body, state.name, env.ctx.default_branch), True
    except GitHubError as exc:
        again = _open_pull_after_retry(env, state.name, exc)
        if again is not None:
            return env.api.edit_pull(again.number, title, body), False
        if pushed_new_branch:
            _delete_branch(env, state.name, new_sha)
        raise


def _open_pull_after_retry(env: BotEnv, branch: str, exc: GitHubError) -> PullInfo | None:
    """A retried POST answers 422 "already exists" when the first attempt did the work."""
    if exc.status != 422:
        return None
    return next((p for p in env.api.pulls_for_branch(branch) if p.state == "open"), None)


def _delete_branch(env: BotEnv, branch: str, sha: str | None) -> None:
    try:
        env.repo.delete_remote_branch(branch, expected_sha=sha)
        env.log(f"deleted {branch} again: the pull request could not be opened")
    except DabgenError as exc:  # cleanup must not hide the error that caused it
        env.log(f"warning: could not delete {branch} after the failure: {exc}")
