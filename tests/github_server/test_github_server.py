"""The fake GitHub behaves like GitHub for everything the PR bot does, through PyGithub."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from github import Github, GithubException, UnknownObjectException

from tests.github_server.conftest import client, commit_file, git
from tests.servers.github_server import GitHubServer

REPO = "acme/data-jobs"


def sha(bare: Path, branch: str) -> str:
    return git(bare, "rev-parse", f"refs/heads/{branch}")


def test_repository_branches_and_refs(gh: Github, server: GitHubServer, bare_repo: Path) -> None:
    repo = gh.get_repo(REPO)
    assert (repo.full_name, repo.default_branch, repo.private) == (REPO, "main", True)
    assert repo.permissions.push is True
    assert repo.html_url.startswith(server.url)
    assert repo.clone_url == bare_repo.resolve().as_uri()
    assert repo.get_branch("feature").commit.sha == sha(bare_repo, "feature")
    assert repo.get_git_ref("heads/main").object.sha == sha(bare_repo, "main")
    with pytest.raises(GithubException) as missing:
        repo.get_branch("nope")
    assert missing.value.status == 404


def test_users_and_the_bot_identity(gh: Github, server: GitHubServer) -> None:
    server.add_user("renovate[bot]")
    server.add_user("alice")
    assert gh.get_user("renovate[bot]").type == "Bot"
    assert gh.get_user("alice").type == "User"
    with pytest.raises(GithubException) as forbidden:  # installation tokens cannot read /user
        _ = gh.get_user().login
    assert forbidden.value.status == 403


def test_issue_comments_edits_and_shared_numbers(gh: Github, server: GitHubServer) -> None:
    number = server.add_issue("Convert job 123", "please", "alice")
    first = server.add_comment(number, "/dabgen job 123", "alice")
    issue = gh.get_repo(REPO).get_issue(number)
    assert (issue.title, issue.user.login, issue.pull_request) == ("Convert job 123", "alice", None)
    assert [(c.id, c.body) for c in issue.get_comments()] == [(first, "/dabgen job 123")]

    tracking = issue.create_comment("⏳ starting")
    assert tracking.user.login == "github-actions[bot]"
    assert tracking.html_url.startswith(f"{server.url}/acme/data-jobs/issues/{number}#")
    tracking.edit("✅ done")
    again = gh.get_repo(REPO).get_issue(number).get_comment(tracking.id)
    assert again.body == "✅ done"
    assert server.comment_history(tracking.id) == ["⏳ starting", "✅ done"]
    again.delete()
    assert [c.body for c in server.comments(number)] == ["/dabgen job 123"]
    assert server.comment_history(tracking.id) == ["⏳ starting", "✅ done"]
    assert server.add_issue("next", None, "bob") == number + 1


def test_issue_edit_and_labels(gh: Github, server: GitHubServer) -> None:
    issue = gh.get_repo(REPO).get_issue(server.add_issue("t", "b", "alice"))
    issue.add_to_labels("dabgen", "bundle")
    assert [label.name for label in issue.get_labels()] == ["dabgen", "bundle"]
    issue.edit(state="closed", title="t2")
    fresh = gh.get_repo(REPO).get_issue(issue.number)
    assert (fresh.state, fresh.state_reason, fresh.title) == ("closed", "completed", "t2")


def test_comment_pagination_follows_link_headers(gh: Github, server: GitHubServer) -> None:
    number = server.add_issue("busy", None, "alice")
    for i in range(65):
        server.add_comment(number, f"c{i}", "alice")
    comments = gh.get_repo(REPO).get_issue(number).get_comments()
    assert [c.body for c in comments] == [f"c{i}" for i in range(65)]
    pages = [p for m, p, _ in server.requests if m == "GET" and "/comments" in p]
    assert len(pages) == 3
    assert "page=3" in pages[-1]


def test_reactions_new_and_existing(gh: Github, server: GitHubServer) -> None:
    number = server.add_issue("t", None, "alice")
    comment_id = server.add_comment(number, "/dabgen job 1", "alice")
    comment = gh.get_repo(REPO).get_issue(number).get_comment(comment_id)
    assert comment.create_reaction("eyes").content == "eyes"
    url = f"{comment.url}/reactions"
    status, _, _ = gh.requester.requestJson("POST", url, input={"content": "eyes"})
    assert status == 200  # GitHub: 200 when the reaction already exists, 201 when new
    assert server.reactions(comment_id) == [("github-actions[bot]", "eyes")]
    assert [r.content for r in comment.get_reactions()] == ["eyes"]
    with pytest.raises(GithubException) as bad:
        comment.create_reaction("thumbsup")
    assert bad.value.status == 422


def test_collaborator_permissions(gh: Github, server: GitHubServer, bare_repo: Path) -> None:
    server.set_permission("alice", "write")
    server.set_permission("bob", "maintain")
    server.add_comment(server.add_issue("t", None, "carol"), "hi", "carol")
    repo = gh.get_repo(REPO)
    assert repo.get_collaborator_permission("alice") == "write"
    assert repo.get_collaborator_permission("bob") == "write"
    assert repo.get_collaborator_role_name("bob") == "maintain"
    assert repo.get_collaborator_permission("carol") == "none"
    with pytest.raises(UnknownObjectException):
        repo.get_collaborator_permission("ghost")
    with pytest.raises(ValueError):
        server.set_permission("dave", "owner")
    with GitHubServer(bare_repo, private=False) as public:
        public.add_user("carol")
        g = client(public)
        assert g.get_repo(REPO).get_collaborator_permission("carol") == "read"
        g.close()


def test_create_pull_validated_against_git(gh: Github, server: GitHubServer,
                                           bare_repo: Path) -> None:
    repo = gh.get_repo(REPO)
    issue_number = server.add_issue("Convert job 123", None, "alice")
    pr = repo.create_pull(base="main", head="feature", title="dabgen: job 123", body="body",
                          draft=True)
    assert pr.number == issue_number + 1  # issues and PRs share one number space
    assert (pr.head.sha, pr.base.sha) == (sha(bare_repo, "feature"), sha(bare_repo, "main"))
    assert (pr.head.label, pr.draft, pr.merged, pr.mergeable) == ("acme:feature", True, False, True)
    assert (pr.commits, pr.changed_files) == (2, 3)
    assert repo.get_issue(pr.number).pull_request is not None
    for head, base, expected in [
        ("feature", "main", "A pull request already exists for acme:feature."),
        ("missing", "main", "'field': 'head'"), ("feature", "missing", "'field': 'base'"),
        ("same-as-main", "main", "No commits between main and same-as-main"),
        ("other:feature", "main", "'field': 'head'"),
    ]:
        with pytest.raises(GithubException) as refused:
            repo.create_pull(base=base, head=head, title="t", body="b")
        assert refused.value.status == 422
        assert refused.value.data["message"] == "Validation Failed"
        assert expected in str(refused.value.data["errors"])
    assert len(server.pulls()) == 1


def test_list_pulls_by_head_base_and_state(gh: Github, server: GitHubServer) -> None:
    repo = gh.get_repo(REPO)
    pr = repo.create_pull(base="main", head="acme:feature", title="t", body="b")
    assert [p.number for p in repo.get_pulls(state="open", head="acme:feature")] == [pr.number]
    assert list(repo.get_pulls(head="acme:other")) == []
    assert list(repo.get_pulls(base="same-as-main")) == []
    # Like GitHub, a head without "owner:" is silently ignored: every open PR comes back.
    assert [p.number for p in repo.get_pulls(head="other")] == [pr.number]
    server.close_pr(pr.number)
    assert list(repo.get_pulls(state="open")) == []
    listed = list(repo.get_pulls(state="closed", head="acme:feature"))
    assert [(p.number, p.merged) for p in listed] == [(pr.number, False)]


def test_update_close_reopen_and_live_head_sha(gh: Github, server: GitHubServer,
                                               bare_repo: Path, tmp_path: Path) -> None:
    repo = gh.get_repo(REPO)
    pr = repo.create_pull(base="main", head="feature", title="t", body="old")
    pr.edit(body="new body", title="new title")
    assert server.pulls()[0][1:3] == ("new title", "new body")
    work = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "-b", "feature", str(bare_repo), str(work))
    pushed = commit_file(work, "src/nb.py", "print(1)\n", "add notebook")
    git(work, "push", "-q", "origin", "feature")
    assert repo.get_pull(pr.number).head.sha == pushed
    server.close_pr(pr.number)
    closed = repo.get_pull(pr.number)
    assert (closed.state, closed.merged) == ("closed", False)
    closed.edit(state="open")
    assert repo.get_pull(pr.number).state == "open"
    server.close_pr(pr.number, merged=True)
    assert sha(bare_repo, "main") == pushed  # a merge fast-forwards the base branch
    with pytest.raises(GithubException) as refused:
        repo.get_pull(pr.number).edit(state="open")
    assert refused.value.status == 422


def test_pull_files_commits_and_review_comments(gh: Github, server: GitHubServer,
                                                bare_repo: Path) -> None:
    pr = gh.get_repo(REPO).create_pull(base="main", head="feature", title="t", body="b")
    files = {f.filename: f for f in pr.get_files()}
    assert {n: f.status for n, f in files.items()} == {
        "README.md": "modified", "old.txt": "removed", "resources/job.job.yml": "added"}
    assert (files["README.md"].additions, files["README.md"].deletions) == (2, 0)
    assert "+Managed by dabgen." in files["README.md"].patch
    messages = [c.commit.message for c in pr.get_commits()]
    assert messages == ["docs: mention dabgen", "add job resource"]
    review = pr.create_review_comment("use serverless", sha(bare_repo, "feature"),
                                      "resources/job.job.yml", line=2, side="RIGHT")
    reply = pr.create_review_comment_reply(review.id, "done")
    comments = list(pr.get_review_comments())
    assert [(c.body, c.path, c.in_reply_to_id) for c in comments] == [
        ("use serverless", "resources/job.job.yml", None),
        ("done", "resources/job.job.yml", review.id)]
    assert reply.user.login == "github-actions[bot]"
    pr.create_issue_comment("thread on the PR")
    assert [c.body for c in server.comments(pr.number)] == ["thread on the PR"]


def test_server_stops_its_threads(bare_repo: Path) -> None:
    before = threading.active_count()
    with GitHubServer(bare_repo) as srv:
        g = client(srv)
        assert g.get_repo(REPO).name == "data-jobs"
        g.close()
    assert threading.active_count() == before
