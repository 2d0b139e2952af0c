"""Commands on a dabgen pull request: regenerate, validate, target add, var, free-form.

Each runs deterministically on the PR's branch. Edits (`target add`, `var`, a free-form
request handled by a :class:`Refiner`) share one pipeline: snapshot the bundle → edit →
validate → commit and push with lease, or restore the snapshot and push nothing when the
result does not validate. Edits build on top of human commits (that is how reviewers and
the bot collaborate); `regenerate` replaces the bundle and so refuses, like the issue flow.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dabgen_ci.core.bot.grammar import (
    BRANCH_PREFIX,
    FreeForm,
    RegenerateCommand,
    TargetAddCommand,
    ValidateCommand,
    VarCommand,
)
from dabgen_ci.core.bot.markdown import neutral
from dabgen_ci.core.bot.markers import PR_MARKER_PREFIX, origin_from_branch, parse_pr_marker
from dabgen_ci.core.bot.routing import PullCommand
from dabgen_ci.core.bot.tracking_text import Section, code_span
from dabgen_ci.core.bundle.edits import ROOT_FILE, add_target, set_variable
from dabgen_ci.core.diagnostics import Severity, count
from dabgen_ci.core.paths import confine, write_file, write_target
from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.bot.deliver import BotEnv, Result, commit, secrets_hint
from dabgen_ci.flows.bot.issue import deliver_bundle
from dabgen_ci.flows.bot.refining import Refiner, RefineRequest
from dabgen_ci.flows.bot.thread_context import thread_context
from dabgen_ci.github.client import PullInfo
from dabgen_ci.github.tracking import Tracker
from dabgen_ci.validate import ValidationReport, validate_bundle

YAML_SUFFIXES = (".yml", ".yaml")


def is_dabgen_pull(pull: PullInfo, repository: str) -> bool:
    """Opened by dabgen: a `dabgen/` branch of this repository and the PR marker."""
    return (pull.head.startswith(BRANCH_PREFIX) and pull.head_repo == repository
            and PR_MARKER_PREFIX in pull.body)


def run_pr_command(env: BotEnv, command: PullCommand, tracker: Tracker,
                   refiner: Refiner | None = None) -> Result:
    assert env.ctx.number is not None, "a PR command has a PR number"
    pull = env.api.get_pull(env.ctx.number)
    if not is_dabgen_pull(pull, env.ctx.repository):
        return Result("refused", summary="This pull request was not opened by dabgen, so "
                      "dabgen will not change it.",
                      hint="Comment `/dabgen job <id>` on an issue to get a dabgen pull request.")
    if pull.state != "open":
        return Result("refused", pr=pull, branch=pull.head,
                      summary=f"#{pull.number} is closed; dabgen changes open pull requests only.",
                      hint="Re-open it and comment again.")
    if isinstance(command, RegenerateCommand):
        return _regenerate(env, pull, tracker)
    if isinstance(command, ValidateCommand):
        return _validate(env, pull, tracker)
    return _edit(env, pull, tracker, _edit_function(env, command, refiner))


def _regenerate(env: BotEnv, pull: PullInfo, tracker: Tracker) -> Result:
    origin = parse_pr_marker(pull.body) or origin_from_branch(pull.head)
    if origin is None:
        return Result("failure", pr=pull, branch=pull.head,
                      error="cannot tell which jobs this pull request was generated from",
                      hint="Comment `/dabgen job <id>` on the issue instead.")
    return deliver_bundle(env, origin, pull.head, tracker)


def _validate(env: BotEnv, pull: PullInfo, tracker: Tracker) -> Result:
    env.repo.checkout_remote_branch(pull.head)
    tracker.step("validate", "running")
    report = validate_bundle(_bundle_root(env), run_cli=env.run_cli,
                             secrets=env.config.secrets)
    errors = _count(report, "error")
    tracker.step("validate", "done" if report.ok else "failed", f"{errors} error(s)")
    verdict = "✅ passed" if report.ok else f"❌ {errors} error(s)"
    return Result("success", pr=pull, branch=pull.head, sections=_report_sections(report),
                  validation="passed" if report.ok else "failed",
                  summary=f"Validation of `{env.bundle_dir}/` on `{pull.head}`: {verdict} "
                          f"({', '.join(report.validators_run)}), "
                          f"{_count(report, 'warning')} warning(s).")


Edit = Callable[[Path], tuple[str, str]]  # bundle root → (what changed, commit message)


def _edit(env: BotEnv, pull: PullInfo, tracker: Tracker, edit: Edit) -> Result:
    sha = env.repo.checkout_remote_branch(pull.head)
    root = _bundle_root(env)
    before = _snapshot(root)
    tracker.step("edit bundle", "running")
    done, message = edit(root)
    if not env.repo.has_changes([env.bundle_dir]):
        tracker.step("edit bundle", "done", "nothing to change")
        return Result("up_to_date", pr=pull, branch=pull.head,
                      summary=f"Already up to date: {done}")
    tracker.step("edit bundle", "done")
    tracker.step("validate", "running")
    report = validate_bundle(root, run_cli=env.run_cli, secrets=env.config.secrets)
    sections = _report_sections(report)
    if not report.ok:
        env.repo.replace_tree(env.bundle_dir, before)
        tracker.step("validate", "failed", f"{_count(report, 'error')} error(s)")
        return Result("failure", pr=pull, branch=pull.head, validation="failed",
                      sections=sections,
                      error=f"after the edit the bundle has {_count(report, 'error')} "
                            "validation error(s); nothing was pushed",
                      hint=secrets_hint(report.diagnostics)
                      or "See the diagnostics below; adjust the request and comment again.")
    tracker.step("validate", "done", "passed")
    tracker.step("commit", "running")
    new_sha = commit(env, message)
    if new_sha is None:  # only whitespace-equivalent changes; nothing to push
        return Result("up_to_date", pr=pull, branch=pull.head, validation="passed",
                      summary=f"Already up to date: {done}")
    env.repo.push(pull.head, sha)
    tracker.step("commit", "done", f"{new_sha[:10]} pushed")
    return Result("success", pr=pull, branch=pull.head, validation="passed", sections=sections,
                  summary=f"{done}\n\nCommitted [`{new_sha[:10]}`]({_commit_url(env, new_sha)}) "
                          f"to `{pull.head}` "
                          f"([#{pull.number}]({pull.url})); validation ✅ passed.")


def _edit_function(env: BotEnv, command: PullCommand, refiner: Refiner | None) -> Edit:
    if isinstance(command, TargetAddCommand):
        return lambda root: _target_add(root, command.name)
    if isinstance(command, VarCommand):
        return lambda root: _var(root, command.name, command.value)
    if isinstance(command, FreeForm) and refiner is not None:
        def refine(root: Path) -> tuple[str, str]:
            assert env.ctx.number is not None and env.ctx.comment is not None
            comment = env.ctx.comment
            history = (thread_context(env.api, env.ctx.number, comment) if comment.thread
                       else env.api.dabgen_exchanges(env.ctx.number, comment.id))
            request = RefineRequest(root, command.text, command.extra_lines,
                                    env.requester.login, env.config.agent, tuple(history))
            return refiner.refine(request), f"dabgen: {neutral(command.text, 60)}"

        return refine
    raise BadInputError(f"{type(command).__name__} is not an edit")


def _commit_url(env: BotEnv, sha: str) -> str:
    return f"{env.ctx.server_url}/{env.ctx.repository}/commit/{sha}"


def _target_add(root: Path, name: str) -> tuple[str, str]:
    path = write_target(root, ROOT_FILE, where="the bundle directory")
    write_file(path, add_target(_read(path), name).encode("utf-8"))
    return (f"Added target {code_span(name)} to `{ROOT_FILE}` (modelled on `prod`).",
            f"dabgen: add target {name}")


def _var(root: Path, name: str, value: str) -> tuple[str, str]:
    files = {p.relative_to(root).as_posix(): _read(p) for p in _yaml_files(root)}
    edit = set_variable(files, name, value)
    for rel, text in edit.files.items():
        write_file(write_target(root, rel, where="the bundle directory"), text.encode("utf-8"))
    where = ", ".join(code_span(f"{f}: {p}") for f, p in edit.replaced[:10]) or "nowhere"
    more = f" and {len(edit.replaced) - 10} more" if len(edit.replaced) > 10 else ""
    done = (f"Variable {code_span(name)} ({edit.declared}, default {code_span(value)}); "
            f"{len(edit.replaced)} occurrence(s) replaced: {where}{more}.")
    return done, f"dabgen: variable {name} for {neutral(repr(value), 120)}"


def _bundle_root(env: BotEnv) -> Path:
    root = confine(env.repo.path, env.bundle_dir, what="bundle directory",
                   where="the repository")
    if not (root / ROOT_FILE).is_file():
        raise BadInputError(f"this branch has no {env.bundle_dir}/{ROOT_FILE}")
    return root


def _yaml_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in YAML_SUFFIXES
                  and not p.is_symlink()  # a link is never edited through
                  and not any(part.startswith(".") or part == "src"
                              for part in p.relative_to(root).parts[:-1]))


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _count(report: ValidationReport, severity: Severity) -> int:
    return count(report.diagnostics, severity)


def _report_sections(report: ValidationReport) -> tuple[Section, ...]:
    if not report.diagnostics:
        return ()
    lines = [d.render() for d in report.diagnostics]
    skipped = [f"skipped {k}: {v}" for k, v in report.validators_skipped.items()]
    return (Section(f"Validation diagnostics ({len(report.diagnostics)})",
                    "\n".join([*lines, *skipped]), code=True),)

