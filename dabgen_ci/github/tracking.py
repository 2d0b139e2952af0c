"""The tracking comment's lifecycle: created early, edited as steps end, finished last.

Its body always comes from :func:`dabgen_ci.core.bot.tracking_text.render` of a state object.
The comment is found again through its hidden marker, which also repairs what a retried
POST can do (two identical comments: the extra one is deleted) and lets a re-run of the
same workflow reuse the comment of the first attempt. Intermediate edits are best effort
(a failed edit is logged, the work goes on); the final edit is not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from dabgen_ci.core.bot.tracking_text import Outcome, Section, StepStatus, TrackingState, render
from dabgen_ci.github.client import CommentApi, GitHubError

# Spine progress step names → checklist items.
_PROGRESS_STEPS = {
    "fetch jobs": "fetch job",
    "list notebooks": "list notebooks",
    "export sources": "export notebooks",
    "validate": "validate",
    "round-trip": "round-trip",
}


class Tracker:
    def __init__(self, api: CommentApi, number: int, state: TrackingState,
                 log: Callable[[str], None]) -> None:
        self._api = api
        self._number = number
        self._log = log
        self._lock = threading.Lock()
        self.state = state
        self.comment_id: int | None = None
        self._shown = ""

    def open(self) -> None:
        """Post (or, on a re-run, take over) the tracking comment."""
        body = render(self.state)
        existing = self._api.bot_comments_with(self._number, self.state.marker)
        if existing:
            self.comment_id = existing[0]
            self._api.edit_comment(self.comment_id, body)
        else:
            self.comment_id = self._api.create_comment(self._number, body)
            _delete_duplicates(self._api, self._number, self.state.marker, self.comment_id,
                               self._log)
        self._shown = body

    def step(self, name: str, status: StepStatus, detail: str = "") -> None:
        """Record a step change; only ended steps cost an edit (starts ride along)."""
        with self._lock:
            self.state = self.state.with_step(name, status, detail)
            if status != "running":
                self._show(final=False)

    def finish(self, outcome: Outcome, *, summary: str = "", error: str = "", hint: str = "",
               sections: tuple[Section, ...] = ()) -> str:
        """Write the final state; raises `GitHubError` when GitHub refuses it."""
        with self._lock:
            self.state = self.state.finished(outcome, summary=summary, error=error, hint=hint,
                                             sections=sections)
            self._show(final=True)
            return render(self.state)

    def _show(self, *, final: bool) -> None:
        body = render(self.state)
        if self.comment_id is None or body == self._shown:
            return
        try:
            self._api.edit_comment(self.comment_id, body)
            self._shown = body
        except GitHubError as exc:
            if final:
                raise
            self._log(f"warning: could not update the tracking comment: {exc}")


class TrackingProgress:
    """:class:`~dabgen_ci.progress.Progress` that ticks the tracking comment's checklist."""

    def __init__(self, tracker: Tracker) -> None:
        self._tracker = tracker

    def start(self, step: str, total: int | None = None) -> None:
        name = _PROGRESS_STEPS.get(step)
        if name == "validate":  # rendering and writing (the conversion) are done by now
            self._tracker.step("convert", "done")
        if name:
            self._tracker.step(name, "running", f"0/{total}" if total else "")

    def advance(self, n: int = 1) -> None:
        """Per-item progress is not worth a comment edit each."""

    def finish(self, step: str, detail: str = "", *, ok: bool = True) -> None:
        name = _PROGRESS_STEPS.get(step)
        if name:
            self._tracker.step(name, "done" if ok else "failed", detail)
        if name == "export notebooks":
            self._tracker.step("convert", "running")


def post_reply(api: CommentApi, number: int, marker: str, body: str,
               log: Callable[[str], None]) -> int:
    """Post a one-off reply carrying `marker` exactly once (a retried POST may duplicate it)."""
    existing = api.bot_comments_with(number, marker)
    if existing:
        api.edit_comment(existing[0], body)
        return existing[0]
    comment_id = api.create_comment(number, body)
    _delete_duplicates(api, number, marker, comment_id, log)
    return comment_id


def _delete_duplicates(api: CommentApi, number: int, marker: str, keep: int,
                       log: Callable[[str], None]) -> None:
    try:
        for other in api.bot_comments_with(number, marker):
            if other != keep:
                api.delete_comment(other)
    except GitHubError as exc:
        log(f"warning: could not check for duplicate comments: {exc}")
