"""Reviews, review comments and threads of the fake GitHub behave like GitHub's, through
PyGithub: inline comments only on diff lines, replies in threads, update and dismiss rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from github import Github, GithubException

from tests.github_server.conftest import git
from tests.servers.github_server import GitHubServer

REPO = "acme/data-jobs"
JOB = "resources/job.job.yml"  # added by `feature` (2 lines)


def open_pull(gh: Github) -> int:
    return gh.get_repo(REPO).create_pull(base="main", head="feature", title="t", body="b").number


def test_a_review_with_inline_comments_lands_as_one_review(gh: Github, server: GitHubServer,
                                                           bare_repo: Path) -> None:
    pr = gh.get_repo(REPO).get_pull(open_pull(gh))
    head = git(bare_repo, "rev-parse", "feature")
    review = pr.create_review(body="summary", event="COMMENT",
                              comments=[{"path": JOB, "line": 2, "side": "RIGHT", "body": "x"},
                                        {"path": "README.md", "line": 3, "body": "y"}])
    assert (review.state, review.body, review.commit_id) == ("COMMENTED", "summary", head)
    comments = list(pr.get_review_comments())
    assert [(c.path, c.line, c.pull_request_review_id) for c in comments] == [
        (JOB, 2, review.id), ("README.md", 3, review.id)]
    assert comments[0].diff_hunk.startswith("@@ -0,0 +1,2 @@") and "+  jobs: {}" in \
        comments[0].diff_hunk
    assert [r.id for r in pr.get_reviews()] == [review.id]


def test_inline_comments_must_sit_on_the_diff(gh: Github, server: GitHubServer) -> None:
    pr = gh.get_repo(REPO).get_pull(open_pull(gh))
    with pytest.raises(GithubException) as refused:
        pr.create_review(body="b", event="COMMENT",
                         comments=[{"path": JOB, "line": 2, "body": "ok"},
                                   {"path": JOB, "line": 9, "body": "not on the diff"}])
    assert refused.value.status == 422
    assert server.reviews(pr.number) == []  # all or nothing
    assert server.review_comments(pr.number) == []


def test_replies_stay_in_the_thread_and_a_reply_to_a_reply_is_refused(
        gh: Github, server: GitHubServer) -> None:
    pr = gh.get_repo(REPO).get_pull(open_pull(gh))
    root = server.add_review_comment(pr.number, "smaller cluster?", "alice", path=JOB, line=1)
    reply = pr.create_review_comment_reply(root, "done")
    assert (reply.in_reply_to_id, reply.path, reply.line) == (root, JOB, 1)
    with pytest.raises(GithubException) as nested:
        pr.create_review_comment_reply(reply.id, "again")
    assert nested.value.status == 422
    # every standalone comment or reply brings its own (bodiless) review, as on GitHub
    assert [(r.user, r.body) for r in server.reviews(pr.number)] == [
        ("alice", ""), ("github-actions[bot]", "")]


def test_review_bodies_are_updated_and_comments_edited_or_deleted(
        gh: Github, server: GitHubServer) -> None:
    pr = gh.get_repo(REPO).get_pull(open_pull(gh))
    review = pr.create_review(body="first", event="COMMENT",
                              comments=[{"path": JOB, "line": 1, "body": "c1"}])
    gh.get_repo(REPO).get_pull(pr.number).get_review(review.id)._requester.requestJsonAndCheck(
        "PUT", f"{pr.url}/reviews/{review.id}", input={"body": "second"})
    assert pr.get_review(review.id).body == "second"
    [comment] = pr.get_review_comments()
    comment.edit("c1 edited")
    assert server.review_comments(pr.number)[0].bodies == ("c1", "c1 edited")
    comment.create_reaction("eyes")
    assert server.review_comments(pr.number)[0].reactions == (("github-actions[bot]", "eyes"),)
    comment.delete()
    assert server.review_comments(pr.number) == []
    assert server.reviews(pr.number)[0].bodies == ("first", "second")


def test_commented_reviews_cannot_be_dismissed_and_nobody_approves_their_own(
        gh: Github, server: GitHubServer) -> None:
    pr = gh.get_repo(REPO).get_pull(open_pull(gh))  # opened by the bot itself
    review = pr.create_review(body="note", event="COMMENT")
    with pytest.raises(GithubException) as commented:
        review.dismiss("stale")
    assert commented.value.status == 422
    with pytest.raises(GithubException) as own:
        pr.create_review(body="lgtm", event="APPROVE")
    assert own.value.status == 422


def test_someone_elses_review_can_be_dismissed(gh: Github, server: GitHubServer) -> None:
    number = open_pull(gh)
    made = server.add_review(number, "carol", "not like this", "REQUEST_CHANGES")
    gh.get_repo(REPO).get_pull(number).get_review(made).dismiss("superseded")
    assert server.reviews(number)[0].state == "DISMISSED"
