"""Routes of the fake GitHub for reviews, review comments, threads and their reactions."""

from __future__ import annotations

from typing import Any

from tests.servers import github_render as render
from tests.servers import github_reviews as reviews
from tests.servers.github_routes import Ctx, Handler, Reply
from tests.servers.github_state import REACTIONS, ApiError, Reaction, now, validation_failed


def _reply(status: int, data: Any, paged: bool = False) -> Reply:
    return Reply(status, data, paged)


def _obj(ctx: Ctx) -> dict[str, Any]:
    if not isinstance(ctx.body, dict):
        raise ApiError(400, "Problems parsing JSON")
    return ctx.body


def _comment(ctx: Ctx, number: int, comment: Any) -> dict[str, Any]:
    return render.review_comment(ctx.site, ctx.state, number, comment)


def list_comments(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    number = int(args[0])
    found = [c for c in ctx.state.pull(number).review_comments if not c.deleted]
    return _reply(200, [_comment(ctx, number, c) for c in found], paged=True)


def get_comment(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    pull, comment = reviews.find_comment(ctx.state, int(args[0]))
    return _reply(200, _comment(ctx, pull.number, comment))


def create_comment(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    number = int(args[0])
    made = reviews.add_comment(ctx.state, number, _obj(ctx), ctx.actor)
    return _reply(201, _comment(ctx, number, made))


def reply_comment(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    number = int(args[0])
    params = {"body": _obj(ctx).get("body"), "in_reply_to": int(args[1])}
    made = reviews.add_comment(ctx.state, number, params, ctx.actor)
    return _reply(201, _comment(ctx, number, made))


def edit_comment(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    pull, comment = reviews.edit_comment(ctx.state, int(args[0]), _obj(ctx), ctx.actor)
    return _reply(200, _comment(ctx, pull.number, comment))


def delete_comment(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    _, comment = reviews.find_comment(ctx.state, int(args[0]))
    if comment.user != ctx.actor:
        raise ApiError(403, "Resource not accessible by integration")
    comment.deleted = True
    return _reply(204, None)


def react_to_comment(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    _, comment = reviews.find_comment(ctx.state, int(args[0]))
    content = _obj(ctx).get("content")
    if content not in REACTIONS:
        raise validation_failed("Reaction", "invalid", field_name="content")
    ctx.state.user(ctx.actor)
    for reaction in comment.reactions:
        if (reaction.user, reaction.content) == (ctx.actor, content):
            return _reply(200, render.reaction(ctx.site, ctx.state, reaction))
    made = Reaction(ctx.state.next_id(), str(content), ctx.actor, now())
    comment.reactions.append(made)
    return _reply(201, render.reaction(ctx.site, ctx.state, made))


def list_reviews(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    found = ctx.state.pull(int(args[0])).reviews
    return _reply(200, [reviews.render_review(ctx.site, ctx.state, r) for r in found], paged=True)


def get_review(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    review = reviews.find_review(ctx.state, int(args[0]), int(args[1]))
    return _reply(200, reviews.render_review(ctx.site, ctx.state, review))


def create_review(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    review = reviews.create_review(ctx.state, int(args[0]), _obj(ctx), ctx.actor)
    return _reply(200, reviews.render_review(ctx.site, ctx.state, review))


def update_review(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    review = reviews.update_review(ctx.state, int(args[0]), int(args[1]), _obj(ctx), ctx.actor)
    return _reply(200, reviews.render_review(ctx.site, ctx.state, review))


def dismiss_review(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    review = reviews.dismiss_review(ctx.state, int(args[0]), int(args[1]), _obj(ctx))
    return _reply(200, reviews.render_review(ctx.site, ctx.state, review))


def review_comments(ctx: Ctx, args: tuple[str, ...]) -> Reply:
    number, review_id = int(args[0]), int(args[1])
    reviews.find_review(ctx.state, number, review_id)
    found = [c for c in ctx.state.pull(number).review_comments
             if c.review_id == review_id and not c.deleted]
    return _reply(200, [_comment(ctx, number, c) for c in found], paged=True)


def routes(r: str, n: str) -> list[tuple[str, str, Handler]]:
    return [
        ("GET", rf"{r}/pulls/{n}/comments", list_comments),
        ("POST", rf"{r}/pulls/{n}/comments", create_comment),
        ("POST", rf"{r}/pulls/{n}/comments/{n}/replies", reply_comment),
        ("GET", rf"{r}/pulls/comments/{n}", get_comment),
        ("PATCH", rf"{r}/pulls/comments/{n}", edit_comment),
        ("DELETE", rf"{r}/pulls/comments/{n}", delete_comment),
        ("POST", rf"{r}/pulls/comments/{n}/reactions", react_to_comment),
        ("GET", rf"{r}/pulls/{n}/reviews", list_reviews),
        ("POST", rf"{r}/pulls/{n}/reviews", create_review),
        ("GET", rf"{r}/pulls/{n}/reviews/{n}", get_review),
        ("PUT", rf"{r}/pulls/{n}/reviews/{n}", update_review),
        ("PUT", rf"{r}/pulls/{n}/reviews/{n}/dismissals", dismiss_review),
        ("GET", rf"{r}/pulls/{n}/reviews/{n}/comments", review_comments),
    ]
