"""Refine a bundle from a free-form request: agent edits → offline validator → feedback, bounded.

Read top to bottom: check inputs and credentials (no process, no network before this
passes) → snapshot the bundle → converse (each round: the agent works, the validator
judges; findings go back into the same conversation) → keep the changes only if the bundle
validates and the agent finished, otherwise restore the snapshot byte for byte. Any
exception also restores, so a failed request never leaves a half-edited branch.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dabgen_ci.agent.auth import check_agent_available
from dabgen_ci.agent.files import (
    FileChange,
    Snapshot,
    changes_since,
    restore,
    take_snapshot,
    unified_diff,
)
from dabgen_ci.agent.prompt import build_continue_prompt, build_fix_prompt, build_request_prompt
from dabgen_ci.agent.settings import AgentSettings, DenialLog
from dabgen_ci.agent.usage import AgentUsage
from dabgen_ci.config import AgentConfig
from dabgen_ci.core.diagnostics import Diagnostic, count
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate import ValidationReport, validate_bundle


@dataclass(frozen=True)
class RefineResult:
    """What a caller reports. ``ok``: the bundle validates and holds the agent's changes."""

    status: str  # "applied" | "no_changes" | "restored"
    message: str  # dabgen's one-line verdict
    summary: str  # the agent's own account of what it did
    changes: tuple[FileChange, ...] = ()
    attempted: tuple[FileChange, ...] = ()  # what a restored run had changed
    diff: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()
    rounds: int = 0
    usage: AgentUsage = field(default_factory=AgentUsage)
    denied: tuple[str, ...] = ()
    agent_stop: str = "success"

    @property
    def ok(self) -> bool:
        return self.status != "restored"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "status": self.status, "message": self.message,
            "summary": self.summary, "changes": [c.to_dict() for c in self.changes],
            "attempted": [c.to_dict() for c in self.attempted], "diff": self.diff,
            "diagnostics": [d.to_dict() for d in self.diagnostics], "rounds": self.rounds,
            "usage": self.usage.to_dict(), "denied": list(self.denied),
            "agent_stop": self.agent_stop,
        }


@dataclass(frozen=True)
class AgentRefiner:
    """The refine flow with its configuration held once; callers pass only what varies per
    request (``context``: earlier exchanges, quoted to the agent as untrusted data)."""

    config: AgentConfig = field(default_factory=AgentConfig)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    settings: AgentSettings | None = None

    def refine(self, bundle_dir: Path, request: str, context: Sequence[str] = ()) -> RefineResult:
        return refine_bundle(bundle_dir, request, context_comments=context, config=self.config,
                             env=self.env, settings=self.settings)


@dataclass(frozen=True)
class _Conversation:
    summary: str
    stop: str  # the last round's result subtype
    stop_detail: str
    finished: bool  # the last round ended without an error
    report: ValidationReport
    rounds: int
    usage: AgentUsage
    denied: tuple[str, ...]


def refine_bundle(bundle_dir: Path, request: str, *, context_comments: Sequence[str] = (),
                  config: AgentConfig, env: Mapping[str, str],
                  settings: AgentSettings | None = None) -> RefineResult:
    """Run the agent on ``bundle_dir`` for ``request``, at most ``config.max_rounds`` rounds.

    Raises :class:`~dabgen_ci.agent.auth.AgentUnavailable` (no credentials) before starting
    anything, :class:`BadInputError` for a missing bundle or an empty request.
    """
    bundle_dir = Path(bundle_dir)
    if not (bundle_dir / "databricks.yml").is_file():
        raise BadInputError(f"{bundle_dir}: no databricks.yml, not a bundle directory")
    if not request.strip():
        raise BadInputError("the request is empty: say what to change in the bundle")
    if config.max_rounds < 1:
        raise BadInputError("agent.max_rounds must be at least 1")
    check_agent_available(env)
    snapshot = take_snapshot(bundle_dir)
    try:
        talk = asyncio.run(_converse(bundle_dir, request, tuple(context_comments), config, env,
                                     settings or AgentSettings()))
    except BaseException:
        restore(snapshot)
        raise
    return _finish(snapshot, talk, config)


async def _converse(bundle_dir: Path, request: str, context: tuple[str, ...],
                    config: AgentConfig, env: Mapping[str, str],
                    settings: AgentSettings) -> _Conversation:
    from dabgen_ci.agent.options import build_options  # the SDK: only once a key exists
    from dabgen_ci.agent.runner import AgentSession

    denials = DenialLog()
    options = build_options(bundle_dir, config, env, settings, denials)
    prompt = build_request_prompt(request, context)
    async with AgentSession(options, settings.timeout_seconds) as session:
        for round_no in range(1, config.max_rounds + 1):
            reply = await session.ask(prompt)
            report = validate(bundle_dir)
            finished = report.ok and not reply.is_error
            if finished or reply.budget_exhausted or round_no == config.max_rounds:
                break
            prompt = (build_fix_prompt(report.diagnostics, round_no + 1, config.max_rounds)
                      if not report.ok else
                      build_continue_prompt(reply.subtype, round_no + 1, config.max_rounds))
    return _Conversation(reply.text, reply.subtype, "; ".join(reply.errors), not reply.is_error,
                         report, round_no, session.usage.record(), tuple(denials.entries))


def validate(bundle_dir: Path) -> ValidationReport:
    """The offline validator; a bundle the agent broke beyond loading is an error, not a crash."""
    try:
        return validate_bundle(bundle_dir, run_cli=False)
    except BadInputError as exc:
        problem = Diagnostic("error", str(exc), file="databricks.yml", source="dabgen")
        return ValidationReport((problem,), ("schema",))


def _finish(snapshot: Snapshot, talk: _Conversation, config: AgentConfig) -> RefineResult:
    changes = changes_since(snapshot)

    def result(status: str, message: str, *, changes: tuple[FileChange, ...] = (),
               attempted: tuple[FileChange, ...] = (), diff: str = "") -> RefineResult:
        return RefineResult(status, message, talk.summary, changes=changes, attempted=attempted,
                            diff=diff, diagnostics=talk.report.diagnostics, rounds=talk.rounds,
                            usage=talk.usage, denied=talk.denied, agent_stop=talk.stop)

    if talk.report.ok and talk.finished:
        if not changes:
            return result("no_changes", "the agent made no changes; the bundle validates")
        return result("applied", f"{len(changes)} file(s) changed; the bundle validates "
                      f"(round {talk.rounds} of at most {config.max_rounds})",
                      changes=changes, diff=unified_diff(snapshot, changes))
    restore(snapshot)
    return result("restored", _failure(talk, config), attempted=changes)


def _failure(talk: _Conversation, config: AgentConfig) -> str:
    if talk.stop == "error_max_budget_usd":
        why = f"the agent's budget (${config.max_budget_usd:g}) ran out"
    elif not talk.report.ok:
        errors = count(talk.report.diagnostics)
        why = (f"the bundle still had {errors} validation error(s) after {talk.rounds} "
               f"round(s)")
    else:
        why = f"the agent stopped before finishing ({talk.stop_detail or talk.stop})"
    return f"{why}; every change was reverted and the bundle is unchanged"
