"""The bot's tracking comment, rendered by one pure function from a state object.

The action edits one comment per request as steps finish (claude-code-action's pattern):
the state is replaced, never patched as text, so every edit is a full re-render and the
final body cannot disagree with what happened. Bot-owned text is found again through a
hidden marker (`<!-- dabgen:... -->`), never by re-reading its own Markdown. GitHub
refuses bodies over 65,536 characters, so `render` caps its output well below that: long
output goes in `<details>` sections, which are shortened first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from dabgen_ci.core.bot.markdown import code_span, inert, one_line

__all__ = ["code_span", "fenced", "one_line", "render"]  # code_span, one_line: re-exported

MARKER_PREFIX = "<!-- dabgen:"
GITHUB_BODY_LIMIT = 65_536
DEFAULT_LIMIT = 60_000  # margin under GitHub's limit for counting differences
TRUNCATED = "… (truncated; the full output is in the workflow run's log)"

StepStatus = Literal["pending", "running", "done", "failed", "skipped"]
Outcome = Literal["running", "success", "up_to_date", "refused", "failure"]

GENERATE_STEPS = ("fetch job", "export notebooks", "convert", "validate", "round-trip",
                  "commit", "open PR")
EDIT_STEPS = ("edit bundle", "validate", "commit")
VALIDATE_STEPS = ("validate",)

_HEADINGS = {
    "running": "⏳ dabgen is working on {cmd}",
    "success": "✅ dabgen finished {cmd}",
    "up_to_date": "✅ Already up to date: {cmd}",
    "refused": "⚠️ dabgen did not change anything for {cmd}",
    "failure": "❌ dabgen could not finish {cmd}",
}


@dataclass(frozen=True)
class Step:
    name: str
    status: StepStatus = "pending"
    detail: str = ""


@dataclass(frozen=True)
class Section:
    """Long output shown collapsed; `code` puts `body` in a fenced block."""

    title: str
    body: str
    code: bool = False


@dataclass(frozen=True)
class TrackingState:
    marker: str
    command: str
    requester: str
    run_url: str | None
    steps: tuple[Step, ...]
    outcome: Outcome = "running"
    summary: str = ""
    error: str = ""
    hint: str = ""
    sections: tuple[Section, ...] = ()

    @classmethod
    def start(cls, marker: str, command: str, requester: str, run_url: str | None,
              step_names: tuple[str, ...]) -> TrackingState:
        return cls(marker, command, requester, run_url, tuple(Step(n) for n in step_names))

    def with_step(self, name: str, status: StepStatus, detail: str = "") -> TrackingState:
        """The state with step `name` changed (appended when the checklist lacks it)."""
        if all(step.name != name for step in self.steps):
            return replace(self, steps=(*self.steps, Step(name, status, detail)))
        steps = tuple(Step(name, status, detail or s.detail) if s.name == name else s
                      for s in self.steps)
        return replace(self, steps=steps)

    def finished(self, outcome: Outcome, *, summary: str = "", error: str = "",
                 hint: str = "", sections: tuple[Section, ...] = ()) -> TrackingState:
        """The final state: a running step failed (on failure) or stopped; pending ones skipped."""
        def close(step: Step) -> Step:
            if step.status == "running":
                return replace(step, status="failed" if outcome == "failure" else "skipped")
            if step.status == "pending":
                return replace(step, status="skipped")
            return step

        return replace(self, outcome=outcome, steps=tuple(close(s) for s in self.steps),
                       summary=summary, error=error, hint=hint, sections=sections)


def tracking_marker(trigger_comment_id: int) -> str:
    """Identifies the tracking comment answering one triggering comment."""
    return f"{MARKER_PREFIX}tracking trigger={trigger_comment_id} -->"


def reply_marker(trigger_comment_id: int) -> str:
    """Identifies a one-off reply (help, refusal) to one triggering comment."""
    return f"{MARKER_PREFIX}reply trigger={trigger_comment_id} -->"


def render(state: TrackingState, limit: int = DEFAULT_LIMIT) -> str:
    """The comment body for `state`, never longer than `limit` characters."""
    head = "\n".join(_head_lines(state))
    budget = limit - len(head) - 2
    if budget < 200:
        return cap(head, limit)
    sections = _render_sections(state.sections, budget)
    return cap("\n\n".join(part for part in (head, sections) if part) + "\n", limit)


def _head_lines(state: TrackingState) -> list[str]:
    lines = [state.marker, "### " + _HEADINGS[state.outcome].format(cmd=code_span(state.command))]
    meta = f"Requested by @{state.requester}" if state.requester else ""
    if state.run_url:
        meta += (" · " if meta else "") + f"[workflow run]({state.run_url})"
    if meta:
        lines += ["", meta]
    if state.steps:
        lines += ["", *(_step_line(step) for step in state.steps)]
    if state.error:
        lines += ["", f"**Error:** {inert(state.error)}"]  # it may quote job or git text
    if state.hint:
        lines += ["", f"**What to do:** {state.hint}"]
    if state.summary:
        lines += ["", state.summary.rstrip()]
    return lines


def _step_line(step: Step) -> str:
    label = step.name[:1].upper() + step.name[1:]
    detail = f" — {one_line(step.detail)}" if step.detail else ""
    if step.status == "done":
        return f"- [x] {label}{detail}"
    if step.status == "running":
        return f"- [ ] ⏳ {label}…{detail}"
    if step.status == "failed":
        return f"- [ ] ❌ {label}{detail}"
    if step.status == "skipped":
        return f"- [ ] ~~{label}~~ (skipped){detail}"
    return f"- [ ] {label}"


def _render_sections(sections: tuple[Section, ...], budget: int) -> str:
    """Each section in `<details>`, bodies shortened so the whole fits in `budget`."""
    if not sections:
        return ""
    overhead = sum(len(_details(s.title, "", s.code)) + 2 for s in sections)
    room = max(budget - overhead, 0)
    rendered = []
    for index, section in enumerate(sections):
        share = room // (len(sections) - index)
        body = section.body if len(section.body) <= share else _shorten(section.body, share)
        room -= len(body)
        rendered.append(_details(section.title, body, section.code))
    return "\n\n".join(rendered)


def _details(title: str, body: str, code: bool) -> str:
    inner = fenced(body) if code else body.rstrip()
    return f"<details><summary>{_escape_html(title)}</summary>\n\n{inner}\n\n</details>"


def _shorten(text: str, size: int) -> str:
    keep = max(size - len(TRUNCATED) - 1, 0)
    cut = text[:keep]
    newline = cut.rfind("\n")
    if newline > keep // 2:
        cut = cut[:newline]
    return cut + "\n" + TRUNCATED


def cap(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """`text` cut to at most `limit` characters, saying so, preferably at a line end."""
    if len(text) <= limit:
        return text
    return _shorten(text, limit)


def fenced(text: str, info: str = "text") -> str:
    """`text` in a fenced code block that no backtick run inside it can close."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
