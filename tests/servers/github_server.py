"""A stateful GitHub REST server on 127.0.0.1 for end-to-end tests of the PR bot.

Driven through the real PyGithub client and a real bare git repository: branches, PR
files and commits come from git, everything else (issues, comments and their edit
history, reactions, labels, pulls, permissions) lives in memory behind one lock.
Tests can inject faults (5xx, secondary rate limits) and read every request body back,
to prove a token or secret never left the bot.

Retry advice for the bot, learned from PyGithub 2.10 against this server:
`GithubRetry(total=3, backoff_factor=0.5, secondary_rate_wait=5,
allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH"},
raise_on_status=False)` — without `raise_on_status=False` exhausted retries raise
`requests.exceptions.RetryError` instead of `GithubException`; PATCH (comment edits) is
not retried unless listed; a 403 rate limit without `Retry-After` waits
`secondary_rate_wait` (default 60 s).
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.servers import github_pulls as pulls
from tests.servers import github_reviews as reviews
from tests.servers import github_routes as routes
from tests.servers.github_faults import (
    Fault,
    RecordedRequest,
    Response,
    fault_response,
    take_fault,
)
from tests.servers.github_git import BareRepo
from tests.servers.github_render import Site
from tests.servers.github_state import PERMISSIONS, ApiError, Pull, State


class CommentSnapshot(NamedTuple):
    id: int
    user: str
    body: str


class ReviewSnapshot(NamedTuple):
    id: int
    user: str
    body: str
    state: str
    commit_id: str
    bodies: tuple[str, ...]


class ReviewCommentSnapshot(NamedTuple):
    id: int
    user: str
    body: str
    path: str
    line: int | None
    in_reply_to: int | None
    review_id: int | None
    bodies: tuple[str, ...]
    reactions: tuple[tuple[str, str], ...]


class PullSnapshot(NamedTuple):
    number: int
    title: str
    body: str | None
    head: str
    base: str
    state: str
    merged: bool
    draft: bool


class GitHubServer:
    """Fake api.github.com for one repository; use as a context manager.

    `url` is the PyGithub `base_url`. Every token is accepted unless `tokens` is given;
    all API writes are made as `actor` (GITHUB_TOKEN's `github-actions[bot]` by default).
    """

    def __init__(self, bare_repo: Path, owner: str = "acme", repo: str = "data-jobs",
                 default_branch: str = "main", *, private: bool = True,
                 actor: str = "github-actions[bot]", tokens: set[str] | None = None) -> None:
        self._lock = threading.RLock()
        self._state = State(BareRepo(bare_repo), owner)
        self._state.user(actor)
        self._router = routes.build(owner, repo)
        self._tokens = tokens
        self._faults: list[Fault] = []
        self.actor = actor
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # unexpected exceptions inside the fake itself
        self._http = _AppServer(("127.0.0.1", 0), _Handler)
        self._http.daemon_threads = False  # server_close() joins the handler threads
        self._http.app = self
        port = self._http.server_address[1]
        self.url = f"http://127.0.0.1:{port}"
        self.site = Site(self.url, owner, repo, default_branch, private,
                         Path(bare_repo).resolve().as_uri())
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.02,),
                                        name="github-server", daemon=True)

    def __enter__(self) -> GitHubServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=5)

    # --- test setup and inspection ----------------------------------------------------

    def add_user(self, login: str, user_type: str | None = None) -> None:
        """Make a login known; `[bot]` logins default to type Bot, others to User."""
        with self._lock:
            self._state.user(login, user_type)

    def add_issue(self, title: str, body: str | None, user: str) -> int:
        with self._lock:
            return self._state.add_issue(title, body, user).number

    def add_comment(self, number: int, body: str, user: str, user_type: str = "User") -> int:
        with self._lock:
            self._state.user(user, user_type)
            return self._state.add_comment(number, body, user).id

    def set_permission(self, user: str, perm: str) -> None:
        """Role of a user: admin, maintain, write, triage, read or none."""
        if perm not in PERMISSIONS:
            raise ValueError(f"permission must be one of {PERMISSIONS}, not {perm!r}")
        with self._lock:
            self._state.user(user)
            self._state.permissions[user] = perm

    def close_pr(self, number: int, merged: bool = False) -> None:
        with self._lock:
            pulls.close_pull(self._state, number, merged=merged)

    def comment_history(self, comment_id: int) -> list[str]:
        """Every body the comment has had, oldest first (kept after deletion too)."""
        with self._lock:
            return list(self._state.comments[comment_id].bodies)

    def comments(self, number: int) -> list[CommentSnapshot]:
        with self._lock:
            found = [self._state.comments[i] for i in self._state.issue(number).comments]
            return [CommentSnapshot(c.id, c.user, c.body) for c in found]

    def reactions(self, comment_id: int) -> list[tuple[str, str]]:
        """(user, content) pairs on an issue comment."""
        with self._lock:
            return [(r.user, r.content) for r in self._state.comments[comment_id].reactions]

    def labels(self, number: int) -> list[str]:
        with self._lock:
            return list(self._state.issue(number).labels)

    def pulls(self) -> list[PullSnapshot]:
        with self._lock:
            return [self._pull_snapshot(p.number) for p in self._state.pulls.values()]

    def reviews(self, number: int) -> list[ReviewSnapshot]:
        with self._lock:
            return [ReviewSnapshot(r.id, r.user, r.body, r.state, r.commit_id, tuple(r.bodies))
                    for r in self._state.pull(number).reviews]

    def review_comments(self, number: int, *, deleted: bool = False
                        ) -> list[ReviewCommentSnapshot]:
        """Review comments of a PR, oldest first (deleted ones only when asked)."""
        with self._lock:
            return [ReviewCommentSnapshot(c.id, c.user, c.body, c.path, c.line, c.in_reply_to,
                                          c.review_id, tuple(c.bodies),
                                          tuple((r.user, r.content) for r in c.reactions))
                    for c in self._state.pull(number).review_comments
                    if deleted or not c.deleted]

    def add_review_comment(self, number: int, body: str, user: str, *, path: str | None = None,
                           line: int | None = None, in_reply_to: int | None = None) -> int:
        """A person's line comment (path/line) or reply (`in_reply_to`) on a PR's diff."""
        params: dict[str, Any] = {"body": body}
        params.update({"path": path, "line": line} if in_reply_to is None
                      else {"in_reply_to": in_reply_to})
        with self._lock:
            self._state.user(user)
            return reviews.add_comment(self._state, number, params, user).id

    def open_pull(self, head: str, title: str, body: str, user: str, *, base: str = "main",
                  fork: str = "", head_sha: str | None = None, draft: bool = False) -> int:
        """A person's pull request. From a fork (`fork="owner/name"`) the head lives in the
        fork: give its commit (`head_sha`, present in the bare repository under any ref)."""
        with self._lock:
            self._state.user(user)
            if not fork:
                params = {"head": head, "base": base, "title": title, "body": body,
                          "draft": draft}
                return pulls.create_pull(self._state, params, user).number
            base_sha = self._state.git.branch_sha(base)
            assert base_sha is not None and head_sha is not None
            issue = self._state.add_issue(title, body, user, is_pull=True)
            pull = Pull(issue.number, head, base, head_sha, base_sha, draft=draft,
                        head_repo=fork)
            self._state.pulls[issue.number] = pull
            self._state.git.set_ref(f"refs/pull/{issue.number}/head", head_sha)
            return issue.number

    def add_review(self, number: int, user: str, body: str, event: str = "COMMENT") -> int:
        """A person's review (COMMENT, APPROVE or REQUEST_CHANGES) without inline comments."""
        with self._lock:
            self._state.user(user)
            return reviews.create_review(self._state, number, {"body": body, "event": event},
                                         user).id

    def _pull_snapshot(self, number: int) -> PullSnapshot:
        pull, issue = self._state.pulls[number], self._state.issues[number]
        return PullSnapshot(number, issue.title, issue.body, pull.head, pull.base, issue.state,
                            pull.merged, pull.draft)

    def fail(self, method: str, path_regex: str, status: int, times: int = 1,
             secondary_rate_limit: bool = False, retry_after: int | None = 1,
             after_processing: bool = False) -> None:
        """Answer the next `times` matching requests with an error instead of the real reply.

        `method` "*" matches any; `path_regex` is searched in the path without the query.
        A secondary rate limit is a 403 with GitHub's message and, unless `retry_after`
        is None, a `Retry-After` header. `after_processing` applies the request first and
        fails only the answer (a gateway timeout after GitHub did the work), so a retried
        POST can duplicate a comment exactly as it can on github.com.
        """
        with self._lock:
            self._faults.append(Fault(method.upper(), re.compile(path_regex), status, times,
                                      secondary_rate_limit, retry_after, after_processing))

    # --- request handling (called from handler threads) --------------------------------

    def handle(self, method: str, raw_path: str, headers: Any, raw: bytes) -> Response:
        body = _parse_body(raw)
        with self._lock:
            self.requests.append(RecordedRequest(method, raw_path, body))
            parts = urlsplit(raw_path)
            fault = take_fault(self._faults, method, parts.path)
            if fault is not None and not fault.after_processing:
                return fault_response(fault)
            response = self._dispatch(method, parts.path, parts.query, headers, body)
            return response if fault is None else fault_response(fault)

    def _dispatch(self, method: str, path: str, raw_query: str, headers: Any,
                  body: Any) -> Response:
        try:
            self._authenticate(headers.get("Authorization", ""))
            query = dict(parse_qsl(raw_query))
            ctx = routes.Ctx(self._state, self.site, self.actor, query, body)
            reply = self._router.dispatch(method, path, ctx)
            if reply.paged:
                return self._paginate(reply, path, query)
            return Response(reply.status, reply.data, {})
        except ApiError as err:
            return Response(err.status, err.payload, {})
        except Exception as err:  # a bug in the fake: answer, and let the test see it
            self.errors.append(f"{method} {path}: {err!r}")
            return Response(500, {"message": f"fake GitHub bug: {err!r}"}, {})

    def _authenticate(self, header: str) -> None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not token.strip():
            raise ApiError(401, "Requires authentication")
        if self._tokens is not None and token.strip() not in self._tokens:
            raise ApiError(401, "Bad credentials")

    def _paginate(self, reply: routes.Reply, path: str, query: dict[str, str]) -> Response:
        per_page = min(max(int(query.get("per_page", "30")), 1), 100)
        page = max(int(query.get("page", "1")), 1)
        items = reply.data
        last = max((len(items) + per_page - 1) // per_page, 1)
        rels = {"prev": page - 1, "next": page + 1, "last": last, "first": 1}
        links = []
        for rel, target in rels.items():
            wanted = (rel == "prev" and page > 1) or (rel in ("next", "last") and page < last) \
                or (rel == "first" and page > 1)
            if wanted:
                href = f"{self.url}{path}?{urlencode({**query, 'page': str(target)})}"
                links.append(f'<{href}>; rel="{rel}"')
        headers = {"Link": ", ".join(links)} if links else {}
        chunk = items[(page - 1) * per_page: page * per_page]
        return Response(reply.status, chunk, headers)


def _parse_body(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


class _AppServer(ThreadingHTTPServer):
    """The HTTP server, holding the fake its handlers answer for."""

    app: GitHubServer


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.0 framing: one request per connection, so no idle thread outlives a test."""

    timeout = 10

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        assert isinstance(self.server, _AppServer)
        app = self.server.app
        response = app.handle(self.command, self.path, self.headers, raw)
        payload = b"" if response.status == 204 else json.dumps(response.data).encode()
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
        self.send_header("X-RateLimit-Limit", "5000")
        self.send_header("X-RateLimit-Remaining", "4999")
        self.send_header("X-RateLimit-Reset", "4102444800")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging: headers may carry tokens."""
