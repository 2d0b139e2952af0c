"""Route table of the fake GitHub: (method, path pattern) → handler over the state.

Handlers are small and synchronous; the server calls them under its lock, so each
request sees and leaves a consistent state. A handler returns a Reply; lists marked
`paged` are sliced by the server, which adds GitHub's `Link` header.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import unquote

from tests.servers import github_pulls as pulls
from tests.servers import github_render as render
from tests.servers.github_render import Site
from tests.servers.github_state import ApiError, State


@dataclass(frozen=True)
class Ctx:
    """What a handler may use: the state, where it lives, and who is calling."""

    state: State
    site: Site
    actor: str
    query: dict[str, str]
    body: Any


class Reply(NamedTuple):
    status: int
    data: Any
    paged: bool = False


Handler = Callable[[Ctx, tuple[str, ...]], Reply]


@dataclass
class Router:
    routes: list[tuple[str, re.Pattern[str], Handler]] = field(default_factory=list)

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(pattern + r"/?\Z"), handler))

    def dispatch(self, method: str, path: str, ctx: Ctx) -> Reply:
        for verb, pattern, handler in self.routes:
            match = pattern.match(path)
            if match and verb == method:
                return handler(ctx, tuple(unquote(g) for g in match.groups()))
        raise ApiError(404, "Not Found")


def _int(value: str) -> int:
    return int(value)


def _obj(ctx: Ctx) -> dict[str, Any]:
    if not isinstance(ctx.body, dict):
        raise ApiError(400, "Problems parsing JSON")
    return ctx.body


# --- users and repository -------------------------------------------------------------

def get_me(ctx: Ctx, _: tuple[str, ...]) -> Reply:
    me = ctx.state.user(ctx.actor)
    if me.type == "Bot":  # installation tokens (GITHUB_TOKEN) cannot read /user
        raise ApiError(403, "Resource not accessible by integration")
    return Reply(200, render.user(ctx.site, me))


def get_user(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    if args[0] not in ctx.state.users:
        raise ApiError(404, "Not Found")
    return Reply(200, render.user(ctx.site, ctx.state.users[args[0]]))


def get_repo(ctx: Ctx, _: tuple[str, ...]) -> Reply:
    return Reply(200, render.repository(ctx.site, ctx.state))


def get_permission(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    default = "none" if ctx.site.private else "read"
    role = ctx.state.permission(args[0], default)
    return Reply(200, {"permission": ctx.state.legacy_permission(role), "role_name": role,
                       "user": render.user(ctx.site, ctx.state.users[args[0]])})


def get_branch(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    sha = ctx.state.git.branch_sha(args[0])
    if sha is None:
        raise ApiError(404, "Branch not found")
    return Reply(200, render.branch(ctx.site, args[0], ctx.state.git.commit(sha)))


def get_ref(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    sha = ctx.state.git.branch_sha(args[0])
    if sha is None:
        raise ApiError(404, "Not Found")
    return Reply(200, render.git_ref(ctx.site, args[0], sha))


# --- issues, labels, comments, reactions ----------------------------------------------

def get_issue(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    return Reply(200, render.issue(ctx.site, ctx.state, ctx.state.issue(_int(args[0]))))


def edit_issue(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    issue = ctx.state.edit_issue(_int(args[0]), _obj(ctx))
    return Reply(200, render.issue(ctx.site, ctx.state, issue))


def get_labels(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    names = ctx.state.issue(_int(args[0])).labels
    return Reply(200, [render.label(ctx.site, ctx.state, n) for n in names], paged=True)


def add_labels(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    body = ctx.body.get("labels") if isinstance(ctx.body, dict) else ctx.body
    if not isinstance(body, list) or not all(isinstance(n, str) for n in body):
        raise ApiError(422, "Invalid request.")
    names = ctx.state.add_labels(_int(args[0]), body)
    return Reply(200, [render.label(ctx.site, ctx.state, n) for n in names])


def remove_label(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    """DELETE /issues/{n}/labels/{name}: 404 when the issue does not have it, as GitHub."""
    issue = ctx.state.issue(_int(args[0]))
    if args[1] not in issue.labels:
        raise ApiError(404, "Label does not exist")
    issue.labels.remove(args[1])
    return Reply(200, [render.label(ctx.site, ctx.state, n) for n in issue.labels])


def list_comments(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    state = ctx.state
    ids = state.issue(_int(args[0])).comments
    return Reply(200, [render.comment(ctx.site, state, state.comments[i]) for i in ids],
                 paged=True)


def create_comment(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    created = ctx.state.add_comment(_int(args[0]), _obj(ctx).get("body"), ctx.actor)
    return Reply(201, render.comment(ctx.site, ctx.state, created))


def get_comment(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    return Reply(200, render.comment(ctx.site, ctx.state, ctx.state.comment(_int(args[0]))))


def edit_comment(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    edited = ctx.state.edit_comment(_int(args[0]), _obj(ctx).get("body"))
    return Reply(200, render.comment(ctx.site, ctx.state, edited))


def delete_comment(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    ctx.state.delete_comment(_int(args[0]))
    return Reply(204, None)


def list_reactions(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    found = ctx.state.comment(_int(args[0])).reactions
    wanted = ctx.query.get("content")
    chosen = [r for r in found if wanted in (None, r.content)]
    return Reply(200, [render.reaction(ctx.site, ctx.state, r) for r in chosen], paged=True)


def create_reaction(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    ctx.state.user(ctx.actor)
    made, created = ctx.state.react(_int(args[0]), _obj(ctx).get("content"), ctx.actor)
    return Reply(201 if created else 200, render.reaction(ctx.site, ctx.state, made))


def delete_reaction(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    comment = ctx.state.comment(_int(args[0]))
    comment.reactions = [r for r in comment.reactions if r.id != _int(args[1])]
    return Reply(204, None)


# --- pull requests ----------------------------------------------------------------------

def _full(ctx: Ctx, pull: Any) -> Reply:
    git = ctx.state.git
    files = git.diff_files(pull.base_sha, pull.head_sha)
    n_commits = len(git.commits(pull.base_sha, pull.head_sha))
    return Reply(200, render.pull_full(ctx.site, ctx.state, pull, files, n_commits))


def create_pull(ctx: Ctx, _: tuple[str, ...]) -> Reply:
    created = pulls.create_pull(ctx.state, _obj(ctx), ctx.actor)
    return Reply(201, _full(ctx, created).data)


def list_pulls(ctx: Ctx, _: tuple[str, ...]) -> Reply:
    found = pulls.list_pulls(ctx.state, ctx.query)
    return Reply(200, [render.pull_simple(ctx.site, ctx.state, p) for p in found], paged=True)


def get_pull(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    return _full(ctx, pulls.refresh(ctx.state, ctx.state.pull(_int(args[0]))))


def edit_pull(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    return _full(ctx, pulls.edit_pull(ctx.state, _int(args[0]), _obj(ctx)))


def pull_files(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    pull = pulls.refresh(ctx.state, ctx.state.pull(_int(args[0])))
    files = ctx.state.git.diff_files(pull.base_sha, pull.head_sha)
    return Reply(200, [render.file_change(ctx.site, pull.head_sha, f) for f in files], paged=True)


def pull_commits(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    pull = pulls.refresh(ctx.state, ctx.state.pull(_int(args[0])))
    found = ctx.state.git.commits(pull.base_sha, pull.head_sha)
    return Reply(200, [render.commit(ctx.site, c) for c in found], paged=True)


def build(owner: str, name: str) -> Router:
    """All routes for one repository (`R` is its `/repos/{owner}/{repo}` prefix)."""
    r = "/repos/" + re.escape(owner) + "/" + re.escape(name)
    n = r"(\d+)"
    router = Router()
    for method, pattern, handler in [
        ("GET", "/user", get_me), ("GET", r"/users/([^/]+)", get_user), ("GET", r, get_repo),
        ("GET", rf"{r}/collaborators/([^/]+)/permission", get_permission),
        ("GET", rf"{r}/branches/(.+)", get_branch), ("GET", rf"{r}/git/refs?/heads/(.+)", get_ref),
        ("GET", rf"{r}/issues/{n}", get_issue), ("PATCH", rf"{r}/issues/{n}", edit_issue),
        ("GET", rf"{r}/issues/{n}/labels", get_labels),
        ("POST", rf"{r}/issues/{n}/labels", add_labels),
        ("DELETE", rf"{r}/issues/{n}/labels/([^/]+)", remove_label),
        ("GET", rf"{r}/issues/{n}/comments", list_comments),
        ("POST", rf"{r}/issues/{n}/comments", create_comment),
        ("GET", rf"{r}/issues/comments/{n}", get_comment),
        ("PATCH", rf"{r}/issues/comments/{n}", edit_comment),
        ("DELETE", rf"{r}/issues/comments/{n}", delete_comment),
        ("GET", rf"{r}/issues/comments/{n}/reactions", list_reactions),
        ("POST", rf"{r}/issues/comments/{n}/reactions", create_reaction),
        ("DELETE", rf"{r}/issues/comments/{n}/reactions/{n}", delete_reaction),
        ("POST", rf"{r}/pulls", create_pull), ("GET", rf"{r}/pulls", list_pulls),
        ("GET", rf"{r}/pulls/{n}", get_pull), ("PATCH", rf"{r}/pulls/{n}", edit_pull),
        ("GET", rf"{r}/pulls/{n}/files", pull_files),
        ("GET", rf"{r}/pulls/{n}/commits", pull_commits),
    ]:
        router.add(method, pattern, handler)
    from tests.servers import github_review_routes  # it imports Ctx and Reply from here

    for method, pattern, review_handler in github_review_routes.routes(r, n):
        router.add(method, pattern, review_handler)
    return router

