"""What the agent is told about a request written on a line of the diff (quoted, untrusted).

A reviewer who writes "use a smaller cluster here" on line 12 means line 12: the agent gets
the file, the line range, the diff hunk GitHub showed the reviewer and the earlier messages
of that thread. All of it is text people wrote or controlled, so the prompt quotes it as
untrusted data (:func:`dabgen_ci.agent.prompt.build_request_prompt`); only the comment's
own request is an instruction.
"""

from __future__ import annotations

from dabgen_ci.github.context import CommentInfo
from dabgen_ci.github.reviews import ReviewApi
from dabgen_ci.github.threads import ThreadComments

MAX_HUNK_CHARS = 3_000


def thread_context(api: ReviewApi, number: int, comment: CommentInfo) -> tuple[str, ...]:
    """The location of ``comment`` in the diff, then its thread's earlier messages."""
    thread = comment.thread
    if thread is None:
        return ()
    lines = (f"lines {thread.start_line}–{thread.line}" if thread.start_line
             and thread.line and thread.start_line != thread.line else f"line {thread.line}")
    hunk = thread.diff_hunk[-MAX_HUNK_CHARS:]
    where = (f"The request was written on {thread.path}, {lines} (right side of the pull "
             f"request's diff). The diff hunk shown to the reviewer:\n{hunk}")
    earlier = ThreadComments(api, number, thread.root_id).thread(before=comment.id)
    return (where, *earlier)
