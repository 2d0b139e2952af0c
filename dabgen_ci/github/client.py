"""A thin GitHub REST adapter for the bot, behind one Protocol.

PyGithub supplies auth, retries and pagination; this module names the dozen calls the bot
makes and nothing else. Two guarantees live here so no flow can forget them: every text
sent to GitHub (comment, PR title and body) passes the `Redactor` and the size cap, and
every failure leaves as `GitHubError` with one redacted line. The bot never calls
`GET /user` (the Actions token may not); it learns its own login from the comments it
creates. Retries: GitHub answers 5xx and secondary rate limits (403 + message or
`Retry-After`) transiently, so GET, POST and PATCH are retried (PATCH is not by default);
a retried POST can duplicate a comment, which is why callers find bot comments by marker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote

import requests
from github import Auth, Github, GithubException, GithubRetry
from urllib3 import Retry

from dabgen_ci.core.bot.routing import is_bot
from dabgen_ci.core.bot.tracking_text import GITHUB_BODY_LIMIT, MARKER_PREFIX, cap, one_line
from dabgen_ci.core.redact import Redactor
from dabgen_ci.errors import DabgenError
from dabgen_ci.github.reviews import ReviewApi, ReviewCalls

if TYPE_CHECKING:
    from github.IssueComment import IssueComment
    from github.NamedUser import NamedUser
    from github.Organization import Organization

_T = TypeVar("_T")
BODY_LIMIT = GITHUB_BODY_LIMIT - 1_000
TITLE_LIMIT = 250
CONTEXT_COMMENT_LIMIT = 4_000  # per earlier comment handed to the agent as context
HTTP_TIMEOUT = 30


class GitHubError(DabgenError):
    """GitHub did not do what the bot asked (after retries); `status` is the HTTP status."""

    exit_code = 1

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PullInfo:
    number: int
    url: str
    state: str
    merged: bool
    head: str
    head_repo: str
    base: str
    title: str
    body: str


class GitHubApi(ReviewApi, Protocol):
    def permission(self, login: str) -> str:
        """The user's role on the repository (`none` for strangers)."""

    def react(self, comment_id: int, content: str, kind: str = "issue") -> None: ...

    def create_comment(self, number: int, body: str) -> int: ...

    def edit_comment(self, comment_id: int, body: str) -> None: ...

    def delete_comment(self, comment_id: int) -> None: ...

    def bot_comments_with(self, number: int, marker: str) -> list[int]:
        """Ids of comments on issue/PR `number` that a bot wrote and that carry `marker`."""

    def dabgen_exchanges(self, number: int, before: int, limit: int = 10) -> list[str]:
        """Earlier `/dabgen` requests and bot replies on `number`, oldest first.

        Only comments older than comment `before`, at most `limit` of them: the agent
        gets them as quoted context, never as instructions.
        """

    def pulls_for_branch(self, branch: str) -> list[PullInfo]:
        """Every PR (any state) whose head is `branch` of this repository, newest first."""

    def get_pull(self, number: int) -> PullInfo: ...

    def create_pull(self, title: str, body: str, head: str, base: str) -> PullInfo: ...

    def edit_pull(self, number: int, title: str, body: str) -> PullInfo: ...

    def close_pull(self, number: int) -> PullInfo: ...

    def set_label(self, number: int, label: str, present: bool) -> None:
        """Add or remove one label of issue/PR `number` (no error when already so)."""


@dataclass(frozen=True)
class RetrySettings:
    """Retry waits. The defaults suit github.com; `DABGEN_GITHUB_RETRY_BACKOFF` and
    `DABGEN_GITHUB_RATE_WAIT` (seconds) override them, which the end-to-end tests use."""

    total: int = 3
    backoff: float = 0.5
    secondary_rate_wait: float = 5.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> RetrySettings:
        return cls(
            backoff=float(environ.get("DABGEN_GITHUB_RETRY_BACKOFF", cls.backoff)),
            secondary_rate_wait=float(environ.get("DABGEN_GITHUB_RATE_WAIT",
                                                  cls.secondary_rate_wait)),
        )

    def retry(self) -> GithubRetry:
        return GithubRetry(
            total=self.total, backoff_factor=self.backoff,
            secondary_rate_wait=self.secondary_rate_wait,
            allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH"},
            raise_on_status=False,
        )


class CommentApi(Protocol):
    """Where a tracking comment or a reply lives: the PR conversation or a review thread."""

    def create_comment(self, number: int, body: str) -> int: ...

    def edit_comment(self, comment_id: int, body: str) -> None: ...

    def delete_comment(self, comment_id: int) -> None: ...

    def bot_comments_with(self, number: int, marker: str) -> list[int]: ...


class PyGithubApi(ReviewCalls):
    """:class:`GitHubApi` over PyGithub for one repository (reviews: :class:`ReviewCalls`)."""

    def __init__(self, api_url: str, token: str, repository: str, redactor: Redactor,
                 retry: RetrySettings | None = None) -> None:
        self._gh = Github(auth=Auth.Token(token), base_url=api_url, timeout=HTTP_TIMEOUT,
                          retry=(retry or RetrySettings()).retry(),
                          seconds_between_requests=0, seconds_between_writes=0, lazy=True)
        self._repo = self._gh.get_repo(repository)
        self._owner = repository.split("/")[0]
        self._redact = redactor.with_secrets([token])
        self._me: str | None = None

    def close(self) -> None:
        self._gh.close()

    # -- calls --------------------------------------------------------------------------

    def permission(self, login: str) -> str:
        try:
            data = self._json("GET", f"/collaborators/{quote(login, safe='')}/permission")
        except GitHubError as exc:
            if exc.status == 404:  # not a collaborator, or not a user GitHub knows
                return "none"
            raise
        role = str(data.get("role_name") or "")
        legacy = str(data.get("permission") or "none")
        return role if role in ("admin", "maintain", "write", "triage", "read") else legacy

    def react(self, comment_id: int, content: str, kind: str = "issue") -> None:
        where = "pulls" if kind == "review" else "issues"
        self._json("POST", f"/{where}/comments/{comment_id}/reactions", {"content": content})

    def create_comment(self, number: int, body: str) -> int:
        data = self._json("POST", f"/issues/{number}/comments", {"body": self._text(body)})
        self._me = str((data.get("user") or {}).get("login") or "") or self._me
        return int(data["id"])

    def edit_comment(self, comment_id: int, body: str) -> None:
        self._json("PATCH", f"/issues/comments/{comment_id}", {"body": self._text(body)})

    def delete_comment(self, comment_id: int) -> None:
        self._json("DELETE", f"/issues/comments/{comment_id}")

    def bot_comments_with(self, number: int, marker: str) -> list[int]:
        def collect() -> list[int]:
            found = []
            for comment in self._repo.get_issue(number).get_comments():
                user = _author(comment)
                mine = user is not None and (user.login == self._me
                                             or is_bot(user.login, user.type or ""))
                if mine and marker in (comment.body or ""):
                    found.append(comment.id)
            return found

        return self._call(f"list comments of #{number}", collect)

    def dabgen_exchanges(self, number: int, before: int, limit: int = 10) -> list[str]:
        def collect() -> list[str]:
            found = []
            for comment in self._repo.get_issue(number).get_comments():
                body, user = comment.body or "", _author(comment)
                if comment.id >= before:
                    break
                login = user.login if user is not None else "ghost"
                mine = user is not None and (login == self._me or is_bot(login, user.type or ""))
                if (mine and MARKER_PREFIX in body) or body.lstrip().startswith("/dabgen"):
                    found.append(f"@{login}: {body[:CONTEXT_COMMENT_LIMIT]}")
            return found[-limit:]

        return self._call(f"list comments of #{number}", collect)

    def pulls_for_branch(self, branch: str) -> list[PullInfo]:
        # One page is plenty: GitHub allows one open PR per head, and closed ones are few.
        query = {"state": "all", "head": f"{self._owner}:{branch}", "per_page": 100}
        found = [_pull(p) for p in self._json("GET", "/pulls", query=query)]
        return sorted((p for p in found if p.head == branch), key=lambda p: -p.number)

    def get_pull(self, number: int) -> PullInfo:
        return _pull(self._json("GET", f"/pulls/{number}"))

    def create_pull(self, title: str, body: str, head: str, base: str) -> PullInfo:
        payload = {"title": self._title(title), "body": self._text(body), "head": head,
                   "base": base, "maintainer_can_modify": True}
        return _pull(self._json("POST", "/pulls", payload))

    def edit_pull(self, number: int, title: str, body: str) -> PullInfo:
        payload = {"title": self._title(title), "body": self._text(body)}
        return _pull(self._json("PATCH", f"/pulls/{number}", payload))

    def close_pull(self, number: int) -> PullInfo:
        return _pull(self._json("PATCH", f"/pulls/{number}", {"state": "closed"}))

    def set_label(self, number: int, label: str, present: bool) -> None:
        if present:
            self._json("POST", f"/issues/{number}/labels", {"labels": [label]})
            return
        try:
            self._json("DELETE", f"/issues/{number}/labels/{quote(label, safe='')}")
        except GitHubError as exc:
            if exc.status != 404:  # the label was not there
                raise

    # -- internals ----------------------------------------------------------------------

    def _text(self, body: str) -> str:
        return cap(self._redact(body), BODY_LIMIT)

    def _title(self, title: str) -> str:
        return one_line(self._redact(title), TITLE_LIMIT)

    def _json(self, verb: str, path: str, payload: dict[str, Any] | None = None, *,
              query: dict[str, Any] | None = None) -> Any:
        url = f"{self._repo.url}{path}"

        def send() -> Any:
            _, data = self._gh.requester.requestJsonAndCheck(verb, url, parameters=query,
                                                             input=payload)
            return data if data is not None else {}

        return self._call(f"{verb} {path}", send)

    def _call(self, what: str, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except GithubException as exc:
            message = exc.message or (exc.data.get("message") if isinstance(exc.data, dict)
                                      else "") or "no message"
            raise GitHubError(self._redact(f"GitHub API {what} failed: HTTP {exc.status} "
                                           f"{one_line(str(message), 300)}"), exc.status) from None
        except requests.RequestException as exc:
            reason = one_line(str(exc), 300)
            raise GitHubError(self._redact(f"GitHub API {what} failed after retries: {reason}"),
                              None) from None


def _author(comment: IssueComment) -> NamedUser | Organization | None:
    """PyGithub types a comment's user as always set; GitHub's schema has it nullable."""
    return comment.user


def _pull(data: Mapping[str, Any]) -> PullInfo:
    head = data.get("head") or {}
    base = data.get("base") or {}
    return PullInfo(
        number=int(data["number"]),
        url=str(data.get("html_url") or ""),
        state=str(data.get("state") or ""),
        merged=bool(data.get("merged") or data.get("merged_at")),
        head=str(head.get("ref") or ""),
        head_repo=str((head.get("repo") or {}).get("full_name") or ""),
        base=str(base.get("ref") or ""),
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),
    )
