"""Text under `/dabgen job 123` on an issue, applied by the agent to the generated bundle.

"use a smaller cluster for dev and add a prod target" written below the command is a
request for the agent. It runs after the deterministic bundle is built and validated, on
that bundle, before anything is committed; the agent's work is re-validated (and reverted
when it does not validate). Whatever happens the pull request opens with a valid bundle:
without model credentials, without the `refine` permission, or when the agent's change was
reverted, the deterministic bundle is delivered and the reply says which text was not
applied and why. The PR body lists what the agent changed, marked as the model's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dabgen_ci.config import AgentConfig
from dabgen_ci.core.bot.markdown import literal
from dabgen_ci.core.bot.tracking_text import fenced
from dabgen_ci.errors import DabgenError
from dabgen_ci.flows.bot.refining import Refiner, RefineRequest
from dabgen_ci.github.tracking import Tracker

STEP = "apply issue text"
NEEDS_KEY = ("free-form text needs dabgen's Claude agent, which needs model credentials: set "
             "the action's `anthropic-api-key` input")


@dataclass(frozen=True)
class IssueText:
    """The lines under the command, and who may apply them."""

    lines: tuple[str, ...]
    refiner: Refiner | None = None
    unavailable: str = NEEDS_KEY  # why `refiner` is None

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


@dataclass(frozen=True)
class Applied:
    status: Literal["applied", "unchanged", "not_applied"]
    text: str
    summary: str = ""  # the agent's own account
    changed: tuple[str, ...] = ()  # bundle files the agent changed
    reason: str = ""  # why the text was not applied


def apply_issue_text(bundle: Path, issue: IssueText, requester: str, agent: AgentConfig,
                     tracker: Tracker) -> Applied:
    """Run the agent on the generated ``bundle`` for the issue text (in place)."""
    if issue.refiner is None:
        tracker.step(STEP, "skipped", "not applied")
        return Applied("not_applied", issue.text, reason=issue.unavailable)
    tracker.step(STEP, "running")
    before = bundle_files(bundle)
    try:
        summary = issue.refiner.refine(RefineRequest(bundle, issue.text, (), requester, agent))
    except DabgenError as exc:  # reverted by the refine loop, or the agent failed
        tracker.step(STEP, "failed", "reverted")
        return Applied("not_applied", issue.text, reason=str(exc))
    after = bundle_files(bundle)
    changed = tuple(sorted(p for p in before.keys() | after.keys()
                           if before.get(p) != after.get(p)))
    tracker.step(STEP, "done", f"{len(changed)} file(s) changed")
    return Applied("applied" if changed else "unchanged", issue.text, summary, changed)


def bundle_files(root: Path) -> dict[str, bytes]:
    """Every file of the bundle (tools' hidden folders such as `.claude/` left out)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink()
            and not any(part.startswith(".") for part in p.relative_to(root).parts)}


def pr_section(applied: Applied) -> str:
    """The PR body's account of the issue text."""
    if applied.status == "not_applied":
        return ("\n## Issue text not applied\n\n" + fenced(applied.text)
                + f"\n\nWhy: {applied.reason}. The bundle above is the one dabgen generated "
                  "from the workspace.\n")
    files = "\n".join(f"- {literal(f)}" for f in applied.changed) or "- no file changed"
    quoted = "\n".join("> " + line if line else ">" for line in applied.summary.splitlines())
    return ("\n## Changes by dabgen's agent (from the issue text)\n\n" + fenced(applied.text)
            + f"\n\nFiles the agent changed (re-validated before the commit):\n\n{files}\n\n"
              "What the agent says it did (the model's words):\n\n" + quoted + "\n")


def reply_note(applied: Applied) -> str:
    """One paragraph for the tracking comment."""
    if applied.status == "not_applied":
        return (f"**Not applied:** the text under the command ({literal(applied.text, 120)}) "
                f"— {applied.reason}.")
    if applied.status == "unchanged":
        return "The agent read the text under the command and changed nothing."
    return (f"The agent applied the text under the command: {len(applied.changed)} file(s) "
            "changed and re-validated (listed in the pull request).")


def with_files(files: Mapping[str, bytes], bundle: Path, applied: Applied) -> dict[str, bytes]:
    """The files to commit: the agent's version when it changed something."""
    return bundle_files(bundle) if applied.status == "applied" else dict(files)
