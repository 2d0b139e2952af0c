"""In-memory state of the fake GitHub repository, and GitHub's rules for changing it.

The records are mutable on purpose: they are the server's database, changed under the
server's lock, and never handed to tests (tests get NamedTuple snapshots instead).
Rules that GitHub enforces and a bot can trip over live here: shared issue/PR numbers,
body length limits, head/base validation against the real bare repository, duplicate PRs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.servers.github_git import BareRepo

MAX_BODY = 65536
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
PERMISSIONS = ("admin", "maintain", "write", "triage", "read", "none")
_LEGACY = {"maintain": "write", "triage": "read"}  # role_name → legacy `permission`


class ApiError(Exception):
    """An HTTP error response with GitHub's JSON error shape."""

    def __init__(self, status: int, message: str, errors: list[dict[str, Any]] | None = None,
                 doc: str = "https://docs.github.com/rest") -> None:
        super().__init__(message)
        self.status = status
        self.payload: dict[str, Any] = {"message": message, "documentation_url": doc,
                                        "status": str(status)}
        if errors is not None:
            self.payload["errors"] = errors


def validation_failed(resource: str, code: str, *, field_name: str | None = None,
                      message: str | None = None) -> ApiError:
    error: dict[str, Any] = {"resource": resource, "code": code}
    if field_name:
        error["field"] = field_name
    if message:
        error["message"] = message
    return ApiError(422, "Validation Failed", [error])


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    login: str
    id: int
    type: str  # User | Bot | Organization


@dataclass
class Reaction:
    id: int
    content: str
    user: str
    created_at: str


@dataclass
class Comment:
    id: int
    issue: int
    user: str
    bodies: list[str]
    created_at: str
    updated_at: str
    reactions: list[Reaction] = field(default_factory=list)
    deleted: bool = False

    @property
    def body(self) -> str:
        return self.bodies[-1]


@dataclass
class Issue:
    """An issue, or the issue half of a pull request (GitHub shares the number space)."""

    number: int
    title: str
    body: str | None
    user: str
    created_at: str
    updated_at: str
    state: str = "open"
    state_reason: str | None = None
    closed_at: str | None = None
    labels: list[str] = field(default_factory=list)
    comments: list[int] = field(default_factory=list)
    is_pull: bool = False


@dataclass
class ReviewComment:
    id: int
    user: str
    body: str
    path: str
    line: int | None
    side: str
    commit_id: str
    in_reply_to: int | None
    created_at: str
    review_id: int | None = None
    start_line: int | None = None
    diff_hunk: str = ""
    updated_at: str = ""
    bodies: list[str] = field(default_factory=list)  # every body it has had, oldest first
    reactions: list[Reaction] = field(default_factory=list)
    deleted: bool = False


@dataclass
class Review:
    """A pull request review: COMMENTED, APPROVED, CHANGES_REQUESTED or DISMISSED."""

    id: int
    pull: int
    user: str
    body: str
    state: str
    commit_id: str
    submitted_at: str
    bodies: list[str] = field(default_factory=list)


@dataclass
class Pull:
    number: int
    head: str
    base: str
    head_sha: str
    base_sha: str
    draft: bool = False
    maintainer_can_modify: bool = True
    merged: bool = False
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    review_comments: list[ReviewComment] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    head_repo: str = ""  # "owner/name" of a fork the head lives in; empty: this repository


def check_body(body: Any, resource: str) -> str | None:
    if body is not None and not isinstance(body, str):
        raise validation_failed(resource, "invalid", field_name="body")
    if body is not None and len(body) > MAX_BODY:
        raise validation_failed(resource, "unprocessable", field_name="data",
                                message=f"Body is too long (maximum is {MAX_BODY} characters)")
    return body


class State:
    """Everything the fake repository knows; callers hold the server lock."""

    def __init__(self, git: BareRepo, owner: str) -> None:
        self.git = git
        self.owner = owner
        self._ids = itertools.count(1001)
        self._numbers = itertools.count(1)
        self.users: dict[str, User] = {}
        self.permissions: dict[str, str] = {}
        self.issues: dict[int, Issue] = {}
        self.pulls: dict[int, Pull] = {}
        self.comments: dict[int, Comment] = {}
        self.labels: dict[str, int] = {}
        self.user(owner, "Organization")

    def next_id(self) -> int:
        return next(self._ids)

    def user(self, login: str, kind: str | None = None) -> User:
        """The user record, created on first mention (`[bot]` logins are Bots)."""
        if login not in self.users:
            default = "Bot" if login.endswith("[bot]") else "User"
            self.users[login] = User(login, self.next_id(), kind or default)
        elif kind:
            self.users[login].type = kind
        return self.users[login]

    def issue(self, number: int) -> Issue:
        if number not in self.issues:
            raise ApiError(404, "Not Found")
        return self.issues[number]

    def pull(self, number: int) -> Pull:
        if number not in self.pulls:
            raise ApiError(404, "Not Found")
        return self.pulls[number]

    def comment(self, comment_id: int) -> Comment:
        found = self.comments.get(comment_id)
        if found is None or found.deleted:
            raise ApiError(404, "Not Found")
        return found

    def add_issue(self, title: str, body: str | None, user: str, *, is_pull: bool = False) -> Issue:
        self.user(user)
        stamp = now()
        number = next(self._numbers)
        self.issues[number] = Issue(number, title, body, user, stamp, stamp, is_pull=is_pull)
        return self.issues[number]

    def add_comment(self, number: int, body: Any, user: str) -> Comment:
        issue = self.issue(number)
        text = check_body(body, "IssueComment")
        if not text:
            raise validation_failed("IssueComment", "missing_field", field_name="body")
        self.user(user)
        stamp = now()
        comment = Comment(self.next_id(), number, user, [text], stamp, stamp)
        self.comments[comment.id] = comment
        issue.comments.append(comment.id)
        return comment

    def edit_comment(self, comment_id: int, body: Any) -> Comment:
        comment = self.comment(comment_id)
        text = check_body(body, "IssueComment")
        if not text:
            raise validation_failed("IssueComment", "missing_field", field_name="body")
        comment.bodies.append(text)
        comment.updated_at = now()
        return comment

    def delete_comment(self, comment_id: int) -> None:
        comment = self.comment(comment_id)
        comment.deleted = True
        self.issues[comment.issue].comments.remove(comment_id)

    def react(self, comment_id: int, content: Any, user: str) -> tuple[Reaction, bool]:
        """Add a reaction; (reaction, created) — GitHub answers 200 for an existing one."""
        comment = self.comment(comment_id)
        if content not in REACTIONS:
            raise validation_failed("Reaction", "invalid", field_name="content")
        for reaction in comment.reactions:
            if reaction.user == user and reaction.content == content:
                return reaction, False
        reaction = Reaction(self.next_id(), content, user, now())
        comment.reactions.append(reaction)
        return reaction, True

    def add_labels(self, number: int, names: list[str]) -> list[str]:
        issue = self.issue(number)
        for name in names:
            self.labels.setdefault(name, self.next_id())
            if name not in issue.labels:
                issue.labels.append(name)
        return issue.labels

    def edit_issue(self, number: int, changes: dict[str, Any]) -> Issue:
        issue = self.issue(number)
        resource = "PullRequest" if issue.is_pull else "Issue"
        if "body" in changes:
            issue.body = check_body(changes["body"], resource)
        if "title" in changes:
            if not changes["title"]:
                raise validation_failed(resource, "missing_field", field_name="title")
            issue.title = str(changes["title"])
        if "labels" in changes:
            issue.labels = []
            self.add_labels(number, list(changes["labels"]))
        if "state" in changes:
            self._set_state(issue, changes["state"], changes.get("state_reason"))
        issue.updated_at = now()
        return issue

    def _set_state(self, issue: Issue, state: Any, reason: Any) -> None:
        if state not in ("open", "closed"):
            raise validation_failed("Issue", "invalid", field_name="state")
        if state == issue.state:
            return
        if state == "open" and issue.is_pull:
            self._check_reopen(self.pulls[issue.number])
        issue.state = state
        issue.closed_at = now() if state == "closed" else None
        issue.state_reason = (reason or "completed") if state == "closed" else "reopened"
        if issue.is_pull:
            issue.state_reason = None

    def _check_reopen(self, pull: Pull) -> None:
        if pull.merged:
            raise validation_failed("PullRequest", "custom", field_name="state",
                                    message="state cannot be changed. The pull request is merged.")
        self.check_no_open_duplicate(pull.head, pull.base)

    def check_no_open_duplicate(self, head: str, base: str) -> None:
        for other in self.pulls.values():
            is_open = self.issues[other.number].state == "open"
            if (other.head, other.base) == (head, base) and is_open:
                raise validation_failed(
                    "PullRequest", "custom",
                    message=f"A pull request already exists for {self.owner}:{head}.")

    def permission(self, login: str, default: str) -> str:
        """The role of a known user; `default` for users who are no collaborator."""
        if login not in self.users:
            raise ApiError(404, "Not Found")
        return self.permissions.get(login, default)

    @staticmethod
    def legacy_permission(role: str) -> str:
        return _LEGACY.get(role, role)
