"""Pull request reviews and review comments of the fake GitHub, with GitHub's rules.

What a review bot can trip over is enforced: inline comments only on lines of the pull
request's diff (3 lines of context, right side), replies only to a thread's first comment,
a COMMENTED review cannot be dismissed, nobody approves or requests changes on their own
pull request, and every standalone review comment or reply comes with a review of its own
(as on github.com). Review and comment bodies keep their edit history for the tests.
"""

from __future__ import annotations

from typing import Any

from tests.servers import github_pulls as pulls
from tests.servers import github_render as render
from tests.servers.github_render import Site
from tests.servers.github_state import (
    ApiError,
    Pull,
    Review,
    ReviewComment,
    State,
    check_body,
    now,
    validation_failed,
)

EVENTS = {"COMMENT": "COMMENTED", "APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED"}


def find_comment(state: State, comment_id: int) -> tuple[Pull, ReviewComment]:
    for pull in state.pulls.values():
        for comment in pull.review_comments:
            if comment.id == comment_id and not comment.deleted:
                return pull, comment
    raise ApiError(404, "Not Found")


def find_review(state: State, number: int, review_id: int) -> Review:
    for review in state.pull(number).reviews:
        if review.id == review_id:
            return review
    raise ApiError(404, "Not Found")


def _hunk(state: State, pull: Pull, path: str, line: int) -> str:
    for start, count, text in state.git.hunks(pull.base_sha, pull.head_sha, path):
        if start <= line < start + max(count, 1):
            kept, new_line = [], start - 1
            for row in text.splitlines():
                kept.append(row)
                if not row.startswith(("@@", "-")):
                    new_line += 1
                    if new_line >= line:
                        break
            return "\n".join(kept)
    raise ApiError(422, "Unprocessable Entity", [{"resource": "PullRequestReviewComment",
                                                  "code": "custom", "field": "line",
                                                  "message": "Line could not be resolved"}])


def _new_review(state: State, pull: Pull, actor: str, body: str, event: str,
                commit_id: str) -> Review:
    review = Review(state.next_id(), pull.number, actor, body, EVENTS[event],
                    commit_id or pull.head_sha, now(), [body])
    pull.reviews.append(review)
    return review


def add_comment(state: State, number: int, params: dict[str, Any], actor: str,
                review: Review | None = None) -> ReviewComment:
    """A line comment (path/line/side) or a reply (`in_reply_to`); its own review if none."""
    pull = pulls.refresh(state, state.pull(number))
    body = check_body(params.get("body"), "PullRequestReviewComment")
    if not body:
        raise validation_failed("PullRequestReviewComment", "missing_field", field_name="body")
    parent_id = params.get("in_reply_to")
    if parent_id is not None:
        _, parent = find_comment(state, int(parent_id))
        if parent.in_reply_to is not None:
            raise validation_failed("PullRequestReviewComment", "custom",
                                    message="Replies to replies are not supported")
        path, line, side, start = parent.path, parent.line, parent.side, parent.start_line
        hunk = parent.diff_hunk
    else:
        path, line = str(params.get("path") or ""), params.get("line")
        side, start = str(params.get("side") or "RIGHT"), params.get("start_line")
        if not path or not isinstance(line, int) or side != "RIGHT":
            raise validation_failed("PullRequestReviewComment", "missing_field",
                                    field_name="line")
        hunk = _hunk(state, pull, str(path), line)
    state.user(actor)
    if review is None:
        review = _new_review(state, pull, actor, "", "COMMENT", str(params.get("commit_id") or ""))
    stamp = now()
    comment = ReviewComment(state.next_id(), actor, body, str(path), line, side,
                            str(params.get("commit_id") or pull.head_sha),
                            int(parent_id) if parent_id is not None else None, stamp,
                            review.id, start, hunk, stamp, [body])
    pull.review_comments.append(comment)
    return comment


def create_review(state: State, number: int, params: dict[str, Any], actor: str) -> Review:
    """POST /pulls/{n}/reviews with `event` and inline `comments` (all or nothing)."""
    pull = pulls.refresh(state, state.pull(number))
    event = params.get("event") or "COMMENT"
    if event not in EVENTS:
        raise validation_failed("PullRequestReview", "invalid", field_name="event")
    body = check_body(params.get("body"), "PullRequestReview") or ""
    comments = params.get("comments") or []
    if not body and not comments:
        raise ApiError(422, "Unprocessable Entity", [{"message": "Review cannot be blank"}])
    if event != "COMMENT" and state.issues[number].user == actor:
        raise ApiError(422, "Unprocessable Entity",
                       [{"message": "Can not approve or request changes on your own pull "
                                    "request"}])
    for draft in comments:  # validate every line first: GitHub creates all or nothing
        line = draft.get("line") if isinstance(draft, dict) else None
        if not isinstance(line, int) or not draft.get("path"):
            raise validation_failed("PullRequestReviewComment", "missing_field",
                                    field_name="line")
        _hunk(state, pull, str(draft["path"]), line)
    review = _new_review(state, pull, actor, body, event, str(params.get("commit_id") or ""))
    for draft in comments:
        add_comment(state, number, {**draft, "commit_id": review.commit_id}, actor, review)
    return review


def update_review(state: State, number: int, review_id: int, params: dict[str, Any],
                  actor: str) -> Review:
    review = find_review(state, number, review_id)
    if review.user != actor:
        raise ApiError(403, "Resource not accessible by integration")
    body = check_body(params.get("body"), "PullRequestReview")
    if not body:
        raise validation_failed("PullRequestReview", "missing_field", field_name="body")
    review.body = body
    review.bodies.append(body)
    return review


def dismiss_review(state: State, number: int, review_id: int, params: dict[str, Any]) -> Review:
    review = find_review(state, number, review_id)
    if review.state == "COMMENTED":
        raise ApiError(422, "Unprocessable Entity",
                       [{"message": "Can not dismiss a commented pull request review"}])
    if not params.get("message"):
        raise validation_failed("PullRequestReview", "missing_field", field_name="message")
    review.state = "DISMISSED"
    return review


def edit_comment(state: State, comment_id: int, params: dict[str, Any],
                 actor: str) -> tuple[Pull, ReviewComment]:
    pull, comment = find_comment(state, comment_id)
    if comment.user != actor:
        raise ApiError(403, "Resource not accessible by integration")
    body = check_body(params.get("body"), "PullRequestReviewComment")
    if not body:
        raise validation_failed("PullRequestReviewComment", "missing_field", field_name="body")
    comment.body = body
    comment.bodies.append(body)
    comment.updated_at = now()
    return pull, comment


def render_review(site: Site, state: State, review: Review) -> dict[str, Any]:
    html = f"{site.html}/pull/{review.pull}#pullrequestreview-{review.id}"
    api = f"{site.api}/pulls/{review.pull}"
    return {
        "id": review.id, "node_id": f"PRR_{review.id}", "user": render.user(
            site, state.users[review.user]), "body": review.body, "state": review.state,
        "html_url": html, "pull_request_url": api, "commit_id": review.commit_id,
        "submitted_at": review.submitted_at,
        "author_association": render.association(state, review.user),
        "_links": {"html": {"href": html}, "pull_request": {"href": api}},
    }
