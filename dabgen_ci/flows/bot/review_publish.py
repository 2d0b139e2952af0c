"""Put a review on a pull request — replacing dabgen's previous one, never stacking.

Read top to bottom: find dabgen's earlier reviews and inline comments (by their markers) →
for each finding on a changed line, update its existing comment (same fingerprint) or
draft a new one → mark comments whose finding is gone as resolved → post one new review
when there are new inline comments (the previous one then says it was superseded), else
rewrite the previous review's body in place. GitHub answers a line it cannot place with
422: the review is then posted with every finding in the body. A token that may not
review (a fork's) is reported to the caller, who still has annotations and the summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from dabgen_ci.core.review.findings import Finding
from dabgen_ci.core.review.render import (
    FINDING_MARKER,
    REVIEW_MARKER_PREFIX,
    comment_body,
    resolved_body,
    review_body,
    superseded_body,
)
from dabgen_ci.core.review.report import Review
from dabgen_ci.github.client import GitHubApi, GitHubError
from dabgen_ci.github.reviews import InlineComment, ReviewCommentInfo, ReviewInfo

_HEAD = re.compile(r"head=(\S+)")


@dataclass(frozen=True)
class Published:
    url: str = ""
    created: bool = False  # a new review was posted (else the previous one was rewritten)
    new_comments: int = 0
    updated: int = 0
    resolved: int = 0
    refused: str = ""  # GitHub would not take a review from this token (e.g. a fork's)


def publish_review(api: GitHubApi, number: int, review: Review, run_url: str | None,
                   log: Callable[[str], None]) -> Published:
    try:
        previous = [r for r in api.list_reviews(number) if _ours(api, r)]
        existing = _finding_comments(api, number)
    except GitHubError as exc:
        if exc.status in (403, 404):
            return Published(refused=str(exc))
        raise
    inline, _ = review.split()
    present = {f.fingerprint for f in review.findings}
    drafts, updated = _inline(api, inline, existing)
    resolved = _resolve(api, existing, present, review.head)
    latest = next((r for r in reversed(previous) if "superseded" not in r.body.split("\n")[0]),
                  None)
    try:
        if drafts or latest is None:
            made = _post(api, number, review, drafts, run_url, log)
            for old in previous:
                if "superseded" not in old.body.split("\n")[0]:
                    api.update_review(number, old.id, superseded_body(_head(old), made.url,
                                                                  made.commit_id))
            return Published(made.url, True, len(drafts), updated, resolved)
        api.update_review(number, latest.id, review_body(review, run_url))
        return Published(latest.url, False, 0, updated, resolved)
    except GitHubError as exc:
        if exc.status in (403, 404):
            return Published(refused=str(exc))
        raise


def _ours(api: GitHubApi, review: ReviewInfo) -> bool:
    return review.body.startswith(REVIEW_MARKER_PREFIX) and api.is_mine(review.user,
                                                                         review.user_type)


def _finding_comments(api: GitHubApi, number: int) -> dict[str, ReviewCommentInfo]:
    """dabgen's inline comments by fingerprint; a duplicate (a retried POST) is deleted."""
    found: dict[str, ReviewCommentInfo] = {}
    comments = api.review_comments(number)
    replied = {c.in_reply_to for c in comments if c.in_reply_to is not None}
    for comment in comments:
        match = FINDING_MARKER.search(comment.body)
        if comment.in_reply_to is not None or not match or not api.is_mine(comment.user,
                                                                              comment.user_type):
            continue
        if match.group(1) in found and comment.id not in replied:
            api.delete_review_comment(comment.id)
            continue
        found.setdefault(match.group(1), comment)
    return found


def _inline(api: GitHubApi, inline: list[Finding], existing: dict[str, ReviewCommentInfo]
            ) -> tuple[list[InlineComment], int]:
    drafts, updated = [], 0
    for finding in inline:
        body = comment_body(finding)
        comment = existing.get(finding.fingerprint)
        if comment is None:
            assert finding.file is not None and finding.line is not None
            drafts.append(InlineComment(finding.file, finding.line, body))
        elif comment.body != body:
            api.edit_review_comment(comment.id, body)
            updated += 1
    return drafts, updated


def _resolve(api: GitHubApi, existing: dict[str, ReviewCommentInfo], present: set[str],
             head: str) -> int:
    resolved = 0
    for fingerprint, comment in existing.items():
        match = FINDING_MARKER.search(comment.body)
        if fingerprint in present or (match and match.group(2)):
            continue
        api.edit_review_comment(comment.id, resolved_body(comment.body, fingerprint, head))
        resolved += 1
    return resolved


def _post(api: GitHubApi, number: int, review: Review, drafts: list[InlineComment],
          run_url: str | None, log: Callable[[str], None]) -> ReviewInfo:
    try:
        return api.create_review(number, review.head, review_body(review, run_url), drafts)
    except GitHubError as exc:
        if exc.status != 422 or not drafts:
            raise
        log(f"warning: GitHub could not place the inline comments ({exc}); posting every "
            "finding in the review body")
        return api.create_review(number, review.head, review_body(replace(review, changed={}),
                                                                  run_url))


def _head(review: ReviewInfo) -> str:
    match = _HEAD.search(review.body.split("\n")[0])
    return match.group(1) if match else ""
