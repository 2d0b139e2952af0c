"""Faults, limits and auth of the fake GitHub, as PyGithub (and so the bot) sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from github import BadCredentialsException, Github, GithubException, GithubRetry

from tests.github_server.conftest import client, fast_retry
from tests.servers.github_server import GitHubServer

REPO = "acme/data-jobs"
COMMENTS = r"/issues/\d+/comments$"


def posts(server: GitHubServer) -> int:
    return sum(1 for method, _, _ in server.requests if method == "POST")


def test_bad_gateway_once_is_retried(gh: Github, server: GitHubServer) -> None:
    issue = gh.get_repo(REPO).get_issue(server.add_issue("t", None, "alice"))
    server.fail("POST", COMMENTS, 502)
    assert issue.create_comment("hello").body == "hello"
    assert posts(server) == 2
    assert [c.body for c in server.comments(issue.number)] == ["hello"]


def test_gateway_error_after_processing_duplicates_a_retried_post(
        gh: Github, server: GitHubServer) -> None:
    issue = gh.get_repo(REPO).get_issue(server.add_issue("t", None, "alice"))
    server.fail("POST", COMMENTS, 504, after_processing=True)
    issue.create_comment("status")
    assert [c.body for c in server.comments(issue.number)] == ["status", "status"]


def test_secondary_rate_limit_with_retry_after(gh: Github, server: GitHubServer,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The retry waits what ``Retry-After: 1`` asks: the waits urllib3 requests are recorded
    instead of slept, so the test proves the wait without reading a clock."""
    waits: list[float] = []
    monkeypatch.setattr("urllib3.util.retry.time.sleep", waits.append)
    issue = gh.get_repo(REPO).get_issue(server.add_issue("t", None, "alice"))
    server.fail("POST", COMMENTS, 403, secondary_rate_limit=True)
    issue.create_comment("after the limit")
    assert waits == [1.0]
    assert posts(server) == 2


def test_secondary_rate_limit_without_header_waits_secondary_rate_wait(
        gh: Github, server: GitHubServer) -> None:
    issue = gh.get_repo(REPO).get_issue(server.add_issue("t", None, "alice"))
    server.fail("*", COMMENTS, 403, times=2, secondary_rate_limit=True, retry_after=None)
    issue.create_comment("ok")
    assert posts(server) == 3


def test_rate_limit_that_never_lifts_raises(server: GitHubServer) -> None:
    g = client(server, fast_retry(total=1))
    issue = g.get_repo(REPO).get_issue(server.add_issue("t", None, "alice"))
    server.fail("POST", COMMENTS, 403, times=5, secondary_rate_limit=True, retry_after=None)
    with pytest.raises(GithubException) as limited:
        issue.create_comment("never")
    assert limited.value.status == 403
    g.close()


def test_persistent_bad_gateway(server: GitHubServer) -> None:
    g = client(server)
    repo = g.get_repo(REPO)
    server.fail("GET", r"/pulls$", 502, times=10)
    with pytest.raises(GithubException) as failed:
        list(repo.get_pulls())
    assert failed.value.status == 502
    assert sum(1 for m, p, _ in server.requests if p.startswith(f"/repos/{REPO}/pulls")) == 4
    g.close()
    # Without raise_on_status=False, urllib3 raises its own error once retries run out.
    g = client(server, fast_retry(raise_on_status=True))
    with pytest.raises(requests.exceptions.RetryError):
        list(g.get_repo(REPO).get_pulls())
    g.close()


def test_patch_is_retried_only_when_allowed(server: GitHubServer) -> None:
    number = server.add_issue("t", None, "alice")
    comment_id = server.add_comment(number, "x", "github-actions[bot]")
    # PyGithub's default method list (urllib3's idempotent ones + GET, POST) lacks PATCH.
    g = client(server, GithubRetry(total=3, backoff_factor=0, raise_on_status=False))
    comment = g.get_repo(REPO).get_issue(number).get_comment(comment_id)
    server.fail("PATCH", r"/issues/comments/\d+$", 502)
    with pytest.raises(GithubException) as failed:
        comment.edit("y")
    assert failed.value.status == 502
    g.close()
    g = client(server)
    server.fail("PATCH", r"/issues/comments/\d+$", 502)
    g.get_repo(REPO).get_issue(number).get_comment(comment_id).edit("z")
    assert server.comment_history(comment_id) == ["x", "z"]
    g.close()


def test_body_length_limit(gh: Github, server: GitHubServer) -> None:
    repo = gh.get_repo(REPO)
    issue = repo.get_issue(server.add_issue("t", None, "alice"))
    fits = issue.create_comment("x" * 65536)
    with pytest.raises(GithubException) as too_long:
        issue.create_comment("x" * 65537)
    assert too_long.value.status == 422
    assert "Body is too long (maximum is 65536 characters)" in str(too_long.value.data)
    with pytest.raises(GithubException):
        fits.edit("y" * 70000)
    with pytest.raises(GithubException) as pr_too_long:
        repo.create_pull(base="main", head="feature", title="t", body="z" * 65537)
    assert pr_too_long.value.status == 422
    assert server.comment_history(fits.id) == ["x" * 65536]


def test_auth_required_and_bodies_recorded(server: GitHubServer) -> None:
    anonymous = Github(base_url=server.url, retry=fast_retry())
    with pytest.raises(GithubException) as unauthenticated:
        anonymous.get_repo(REPO)
    assert unauthenticated.value.status == 401
    anonymous.close()
    g = client(server, token="ghs_s3cr3t")
    g.get_repo(REPO).get_issue(server.add_issue("t", None, "alice")).create_comment("public")
    g.close()
    assert ("POST", f"/repos/{REPO}/issues/1/comments", {"body": "public"}) in server.requests
    assert all("ghs_s3cr3t" not in repr(body) for _, _, body in server.requests)


def test_only_listed_tokens_are_accepted(bare_repo: Path) -> None:
    with GitHubServer(bare_repo, tokens={"ghs_good"}) as srv:
        bad = client(srv, token="ghs_bad")
        with pytest.raises(BadCredentialsException):
            bad.get_repo(REPO)
        bad.close()
        good = client(srv, token="ghs_good")
        assert good.get_repo(REPO).name == "data-jobs"
        good.close()


def test_personal_token_actor_can_read_user(bare_repo: Path) -> None:
    with GitHubServer(bare_repo, actor="octocat") as srv:
        g = client(srv)
        assert (g.get_user().login, g.get_user().type) == ("octocat", "User")
        g.close()
