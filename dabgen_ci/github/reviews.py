"""Pull request reviews, review comments and threads: the calls `dabgen review` and the
thread replies make, mixed into :class:`~dabgen_ci.github.client.PyGithubApi`.

Same guarantees as every other call of the adapter: bodies pass the redactor and the size
cap, failures leave as one redacted `GitHubError`. Lists follow GitHub's pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dabgen_ci.core.bot.routing import is_bot

PAGE_SIZE = 100
MAX_PAGES = 50


@dataclass(frozen=True)
class ReviewInfo:
    id: int
    user: str
    user_type: str
    body: str
    state: str
    commit_id: str
    url: str


@dataclass(frozen=True)
class ReviewCommentInfo:
    id: int
    user: str
    user_type: str
    body: str
    path: str
    line: int | None
    start_line: int | None
    in_reply_to: int | None
    diff_hunk: str
    url: str


@dataclass(frozen=True)
class InlineComment:
    """A comment to place on line `line` (right side) of `path` in a new review."""

    path: str
    line: int
    body: str


class ReviewApi(Protocol):
    def list_reviews(self, number: int) -> list[ReviewInfo]: ...

    def create_review(self, number: int, commit_id: str, body: str,
                      comments: Sequence[InlineComment] = ()) -> ReviewInfo: ...

    def update_review(self, number: int, review_id: int, body: str) -> None: ...

    def review_comments(self, number: int) -> list[ReviewCommentInfo]: ...

    def edit_review_comment(self, comment_id: int, body: str) -> None: ...

    def delete_review_comment(self, comment_id: int) -> None: ...

    def reply_in_thread(self, number: int, comment_id: int, body: str) -> int: ...

    def is_mine(self, login: str, user_type: str) -> bool: ...


class ReviewCalls:
    """The review calls over the adapter's `_json` (mixed into `PyGithubApi`)."""

    _me: str | None
    _json: Callable[..., Any]
    _text: Callable[[str], str]

    def list_reviews(self, number: int) -> list[ReviewInfo]:
        return [_review(r) for r in self._pages(f"/pulls/{int(number)}/reviews")]

    def create_review(self, number: int, commit_id: str, body: str,
                      comments: Sequence[InlineComment] = ()) -> ReviewInfo:
        payload: dict[str, Any] = {"commit_id": commit_id, "body": self._text(body),
                                   "event": "COMMENT"}
        if comments:
            payload["comments"] = [{"path": c.path, "line": c.line, "side": "RIGHT",
                                    "body": self._text(c.body)} for c in comments]
        made = _review(self._json("POST", f"/pulls/{int(number)}/reviews", payload))
        self._me = made.user or self._me
        return made

    def update_review(self, number: int, review_id: int, body: str) -> None:
        self._json("PUT", f"/pulls/{int(number)}/reviews/{int(review_id)}",
                   {"body": self._text(body)})

    def review_comments(self, number: int) -> list[ReviewCommentInfo]:
        return [_comment(c) for c in self._pages(f"/pulls/{int(number)}/comments")]

    def edit_review_comment(self, comment_id: int, body: str) -> None:
        self._json("PATCH", f"/pulls/comments/{int(comment_id)}", {"body": self._text(body)})

    def delete_review_comment(self, comment_id: int) -> None:
        self._json("DELETE", f"/pulls/comments/{int(comment_id)}")

    def reply_in_thread(self, number: int, comment_id: int, body: str) -> int:
        data = self._json("POST", f"/pulls/{int(number)}/comments/{int(comment_id)}/replies",
                          {"body": self._text(body)})
        self._me = str((data.get("user") or {}).get("login") or "") or self._me
        return int(data["id"])

    def is_mine(self, login: str, user_type: str) -> bool:
        """Written by this bot: the login it learnt from its own writes, or any bot."""
        return login == self._me or is_bot(login, user_type)

    def _pages(self, path: str) -> list[Mapping[str, Any]]:
        found: list[Mapping[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            batch = self._json("GET", path, query={"per_page": PAGE_SIZE, "page": page})
            found += [item for item in batch if isinstance(item, Mapping)]
            if len(batch) < PAGE_SIZE:
                break
        return found


def _user(data: Mapping[str, Any]) -> tuple[str, str]:
    user = data.get("user") or {}
    return str(user.get("login") or ""), str(user.get("type") or "")


def _review(data: Mapping[str, Any]) -> ReviewInfo:
    login, kind = _user(data)
    return ReviewInfo(int(data["id"]), login, kind, str(data.get("body") or ""),
                      str(data.get("state") or ""), str(data.get("commit_id") or ""),
                      str(data.get("html_url") or ""))


def _comment(data: Mapping[str, Any]) -> ReviewCommentInfo:
    login, kind = _user(data)
    line, start, parent = data.get("line"), data.get("start_line"), data.get("in_reply_to_id")
    return ReviewCommentInfo(
        int(data["id"]), login, kind, str(data.get("body") or ""), str(data.get("path") or ""),
        line if isinstance(line, int) else None, start if isinstance(start, int) else None,
        parent if isinstance(parent, int) else None, str(data.get("diff_hunk") or ""),
        str(data.get("html_url") or ""))
