"""`/dabgen job <id>…` or `/dabgen path <folder>` on an issue → a validated bundle in a PR.

Read top to bottom: inspect the branch (refuse a closed PR or foreign commits) → generate
and validate in a temporary directory (nothing touches the repository before the bundle
is known to be valid) → write it under the bundle directory of the branch → commit as the
bot, crediting the requester → push with lease → open or update the PR. `/dabgen
regenerate` on a PR runs the same function with the PR's branch and origin.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from dabgen_ci.core.bot.grammar import JobCommand, PathCommand, branch_for
from dabgen_ci.core.bot.markdown import neutral
from dabgen_ci.core.bot.markers import PrOrigin, origin_of, pr_marker
from dabgen_ci.core.bot.tracking_text import Section
from dabgen_ci.core.diagnostics import count, has_errors
from dabgen_ci.core.report import MAX_DIAGNOSTICS_SHOWN, bind_commands, pr_body, pr_title
from dabgen_ci.core.results import GenerateResult
from dabgen_ci.flows.bot.deliver import (
    BotEnv,
    BranchState,
    Result,
    checkout,
    inspect_branch,
    open_or_update,
    other_jobs_refusal,
    push_and_open,
    refusal,
    secrets_hint,
    write_and_commit,
)
from dabgen_ci.flows.bot.issue_text import (
    Applied,
    IssueText,
    apply_issue_text,
    pr_section,
    reply_note,
    with_files,
)
from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
from dabgen_ci.flows.generate_path import generate_path
from dabgen_ci.flows.select import JobSelection
from dabgen_ci.github.client import GitHubError, PullInfo
from dabgen_ci.github.tracking import Tracker, TrackingProgress

PR_COMMANDS = ("`/dabgen validate` · `/dabgen target add staging` · "
               "`/dabgen var <name>=<value>` · `/dabgen regenerate`")


def run_generate(env: BotEnv, command: JobCommand | PathCommand, tracker: Tracker,
                 issue_text: IssueText | None = None) -> Result:
    """The issue flow: the branch `branch_for(command)` and a PR that closes the issue;
    ``issue_text``, the lines under the command, is applied by the agent when it can."""
    origin = origin_of(command, env.ctx.number)
    return deliver_bundle(env, origin, branch_for(command), tracker, issue_text)


def deliver_bundle(env: BotEnv, origin: PrOrigin, branch: str, tracker: Tracker,
                   issue_text: IssueText | None = None) -> Result:
    state = inspect_branch(env, branch)
    refused = refusal(env, state) or other_jobs_refusal(env, origin.job_ids, branch)
    if refused is not None:
        return refused
    applied = None
    with tempfile.TemporaryDirectory(prefix="dabgen-") as tmp:
        out = Path(tmp) / "bundle"
        result = _generate(env, origin.command(), out, TrackingProgress(tracker))
        valid = not has_errors(result.diagnostics) and result.rendered is not None
        if valid and issue_text is not None and issue_text.text:
            applied = apply_issue_text(out, issue_text, env.requester.login, env.config.agent,
                                       tracker)
        rendered = result.rendered.files if result.rendered else {}
        files = with_files(rendered, out, applied) if valid and applied else rendered
    sections = diagnostic_sections(result)
    if not valid:
        errors = count(result.diagnostics)
        return Result(
            "failure", branch=branch, sections=sections, validation="failed", pr=state.open_pull,
            error=f"the generated bundle has {errors} validation error(s); nothing was pushed",
            hint=secrets_hint(result.diagnostics) or (
                "The errors are listed below. Fix the job in the workspace (or report a "
                "dabgen bug if the job itself is valid), then comment again."))
    checkout(env, state)
    tracker.step("commit", "running")
    sha = write_and_commit(env, files, _commit_message(result, env))
    title, body = pr_title(result), _body(env, result, origin)
    if applied is not None:
        body += pr_section(applied)
    if sha is None:
        tracker.step("commit", "done", "no changes")
        return _noted(_unchanged(env, state, result, sections, title, body), applied)
    tracker.step("commit", "done", sha[:10])
    tracker.step("open PR", "running")
    pull, created = push_and_open(env, state, sha, title, body)
    tracker.step("open PR", "done", f"#{pull.number} {'opened' if created else 'updated'}")
    verb = "Opened" if created else "Updated"
    return _noted(Result("success", summary=_success_summary(env, result, pull, verb, branch),
                         sections=sections, pr=pull, branch=branch, validation="passed"),
                  applied)


def _noted(result: Result, applied: Applied | None) -> Result:
    """The result with what became of the issue text said at the top of its summary."""
    if applied is None:
        return result
    return replace(result, summary=f"{reply_note(applied)}\n\n{result.summary}".strip())


def _generate(env: BotEnv, command: JobCommand | PathCommand, out: Path,
              progress: TrackingProgress) -> GenerateResult:
    options = GenerateOptions(out=out, bundle_name=env.config.bundle_name, run_cli=env.run_cli,
                              secrets=env.config.secrets)
    source = env.open_source()
    if isinstance(command, PathCommand):
        return generate_path(source, command.path, options, progress)
    return generate_jobs(source, JobSelection(ids=command.ids), options, progress)


def _unchanged(env: BotEnv, state: BranchState, result: GenerateResult,
               sections: tuple[Section, ...], title: str, body: str) -> Result:
    """No diff: link the open PR, open one for an existing branch, or say main has it."""
    branch = state.name
    if state.open_pull is not None:
        pull = state.open_pull
        return Result("up_to_date", pr=pull, branch=branch, validation="passed",
                      sections=sections,
                      summary=f"Nothing changed since the last run: [#{pull.number}]({pull.url}) "
                              f"on `{branch}` already has this bundle.")
    if state.remote_sha is not None and not state.merged:
        try:
            pull, _ = open_or_update(env, state, title, body)
        except GitHubError as exc:
            if exc.status != 422:
                raise
        else:
            return Result("success", pr=pull, branch=branch, validation="passed",
                          sections=sections,
                          summary=_success_summary(env, result, pull, "Opened", branch))
    return Result("up_to_date", branch=None, validation="passed", sections=sections,
                  summary=f"Nothing to do: the default branch `{env.ctx.default_branch}` "
                          f"already has this bundle in `{env.bundle_dir}/`.")


def _commit_message(result: GenerateResult, env: BotEnv) -> str:
    jobs = ", ".join(f"{j.job_id} ({neutral(j.name, 120)})" for j in result.jobs) or "none"
    where = f" in #{env.ctx.number}" if env.ctx.number else ""
    return (f"{pr_title(result)}\n\nGenerated by dabgen from Databricks job(s) {jobs}.\n"
            f"Requested by @{env.requester.login}{where}.")


def _body(env: BotEnv, result: GenerateResult, origin: PrOrigin) -> str:
    body = pr_body(result, bundle_dir=env.bundle_dir, marker=pr_marker(origin))
    if origin.issue is not None:
        body += f"\nCloses #{origin.issue} (requested by @{env.requester.login}).\n"
    body += f"\nRefine this pull request with a comment: {PR_COMMANDS}.\n"
    return body


def _success_summary(env: BotEnv, result: GenerateResult, pull: PullInfo, verb: str,
                     branch: str) -> str:
    ran = ", ".join(result.validators_run) or "no validator"
    roundtrip = ("✅ no differences" if not result.roundtrip
                 else f"⚠️ {len(result.roundtrip)} difference(s), see below")
    binds = bind_commands(result)
    lines = [
        f"{verb} [#{pull.number}]({pull.url}) from branch `{branch}`: bundle "
        f"`{result.bundle_name}` in `{env.bundle_dir}/` with {len(result.jobs)} job(s).",
        "",
        f"Validation: ✅ passed ({ran}) · Round-trip: {roundtrip}",
        "",
        "**Next steps**",
        f"- Review the pull request; refine it there: {PR_COMMANDS}",
        "- Before the first deploy, bind the existing job(s) so no duplicate is created:",
        "", "```sh", f"cd {env.bundle_dir}", *binds, "```",
    ]
    return "\n".join(lines)


def diagnostic_sections(result: GenerateResult) -> tuple[Section, ...]:
    sections = []
    if result.diagnostics:
        lines = [d.render() for d in result.diagnostics[:MAX_DIAGNOSTICS_SHOWN * 10]]
        sections.append(Section(f"Validation diagnostics ({len(result.diagnostics)})",
                                "\n".join(lines), code=True))
    if result.roundtrip:
        lines = [d.render() for d in result.roundtrip]
        sections.append(Section(f"Round-trip differences ({len(result.roundtrip)})",
                                "\n".join(lines), code=True))
    return tuple(sections)
