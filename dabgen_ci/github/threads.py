"""A review thread as the place the bot answers: replies instead of PR conversation comments.

A comment on a line of the diff is answered on that line (``in_reply_to`` the thread's
first comment), so the tracking comment and one-off replies go there. This view gives
:class:`~dabgen_ci.github.tracking.Tracker` and ``post_reply`` the four comment calls they
use, pointed at one thread; a retried POST is repaired the same way, by marker.
"""

from __future__ import annotations

from dabgen_ci.github.reviews import ReviewApi


class ThreadComments:
    """:class:`~dabgen_ci.github.client.CommentApi` for the thread rooted at ``root_id``."""

    def __init__(self, api: ReviewApi, number: int, root_id: int) -> None:
        self._api, self._number, self._root = api, number, root_id

    def create_comment(self, number: int, body: str) -> int:
        return self._api.reply_in_thread(self._number, self._root, body)

    def edit_comment(self, comment_id: int, body: str) -> None:
        self._api.edit_review_comment(comment_id, body)

    def delete_comment(self, comment_id: int) -> None:
        self._api.delete_review_comment(comment_id)

    def bot_comments_with(self, number: int, marker: str) -> list[int]:
        return [c.id for c in self._api.review_comments(self._number)
                if c.in_reply_to == self._root and marker in c.body
                and self._api.is_mine(c.user, c.user_type)]

    def thread(self, before: int) -> list[str]:
        """The thread's messages older than comment ``before``, oldest first, as
        ``@login: text`` (quoted to the agent as untrusted context, never obeyed)."""
        return [f"@{c.user}: {c.body}" for c in self._api.review_comments(self._number)
                if (c.id == self._root or c.in_reply_to == self._root) and c.id < before]
