"""JSON shapes of the GitHub REST API (2022-11-28), rendered from the fake state.

Pure functions: state records in, dicts out. Every `url`/`*_url` carries the test
server's own host, because PyGithub's lazy objects follow them for missing fields.
Shapes follow the REST docs and the attributes PyGithub reads (`_useAttributes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.servers.github_git import CommitInfo, FileChange
from tests.servers.github_state import (
    REACTIONS,
    Comment,
    Issue,
    Pull,
    Reaction,
    ReviewComment,
    State,
    User,
)


@dataclass(frozen=True)
class Site:
    """Where the fake repository lives: API root, owner/name, and its git remote."""

    base: str
    owner: str
    name: str
    default_branch: str
    private: bool
    clone_url: str

    @property
    def api(self) -> str:
        return f"{self.base}/repos/{self.owner}/{self.name}"

    @property
    def html(self) -> str:
        return f"{self.base}/{self.owner}/{self.name}"


def user(site: Site, u: User) -> dict[str, Any]:
    api = f"{site.base}/users/{u.login}"
    return {
        "login": u.login, "id": u.id, "node_id": f"U_{u.id}", "type": u.type,
        "site_admin": False, "url": api, "html_url": f"{site.base}/{u.login}",
        "avatar_url": f"{site.base}/avatars/{u.login}", "gravatar_id": "",
        "followers_url": f"{api}/followers", "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}", "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions", "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos", "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
    }


def repository(site: Site, state: State) -> dict[str, Any]:
    api = site.api
    templated = {f"{name}_url": f"{api}/{name}{{/{arg}}}" for name, arg in (
        ("issues", "number"), ("pulls", "number"), ("branches", "branch"),
        ("commits", "sha"), ("labels", "name"), ("collaborators", "collaborator"),
        ("comments", "number"), ("issue_comment", "number"), ("git_refs", "sha"),
        ("trees", "sha"), ("contents", "+path"), ("statuses", "sha"))}
    templated["issue_comment_url"] = f"{api}/issues/comments{{/number}}"
    templated["git_refs_url"] = f"{api}/git/refs{{/sha}}"
    templated["trees_url"] = f"{api}/git/trees{{/sha}}"
    templated["statuses_url"] = f"{api}/statuses/{{sha}}"
    return {
        "id": 4242, "node_id": "R_4242", "name": site.name,
        "full_name": f"{site.owner}/{site.name}", "owner": user(site, state.users[site.owner]),
        "private": site.private, "visibility": "private" if site.private else "public",
        "html_url": site.html, "description": None, "fork": False, "url": api,
        "default_branch": site.default_branch, "archived": False, "disabled": False,
        "clone_url": site.clone_url, "git_url": site.clone_url, "ssh_url": site.clone_url,
        "svn_url": site.html, "hooks_url": f"{api}/hooks", "events_url": f"{api}/events",
        "permissions": {"admin": False, "maintain": False, "push": True, "triage": True,
                        "pull": True},
        "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
        "pushed_at": "2024-01-01T00:00:00Z", "has_issues": True, "open_issues_count":
        sum(1 for i in state.issues.values() if i.state == "open"),
        "allow_merge_commit": True, "allow_squash_merge": True, "allow_rebase_merge": True,
        "delete_branch_on_merge": False, **templated,
    }


def reaction_summary(url: str, reactions: list[Reaction]) -> dict[str, Any]:
    summary: dict[str, Any] = {"url": url, "total_count": len(reactions)}
    summary.update({c: sum(1 for r in reactions if r.content == c) for c in REACTIONS})
    return summary


def reaction(site: Site, state: State, r: Reaction) -> dict[str, Any]:
    return {"id": r.id, "node_id": f"REA_{r.id}", "content": r.content,
            "user": user(site, state.users[r.user]), "created_at": r.created_at}


def association(state: State, login: str) -> str:
    if login == state.owner:
        return "OWNER"
    role = state.permissions.get(login, "none")
    return "COLLABORATOR" if role not in ("none", "read") else "NONE"


def comment(site: Site, state: State, c: Comment) -> dict[str, Any]:
    url = f"{site.api}/issues/comments/{c.id}"
    kind = "pull" if state.issues[c.issue].is_pull else "issues"
    return {
        "id": c.id, "node_id": f"IC_{c.id}", "url": url, "body": c.body,
        "html_url": f"{site.html}/{kind}/{c.issue}#issuecomment-{c.id}",
        "issue_url": f"{site.api}/issues/{c.issue}", "user": user(site, state.users[c.user]),
        "created_at": c.created_at, "updated_at": c.updated_at,
        "author_association": association(state, c.user), "performed_via_github_app": None,
        "reactions": reaction_summary(f"{url}/reactions", c.reactions),
    }


def label(site: Site, state: State, name: str) -> dict[str, Any]:
    label_id = state.labels[name]
    return {"id": label_id, "node_id": f"LA_{label_id}", "url": f"{site.api}/labels/{name}",
            "name": name, "color": "ededed", "default": False, "description": None}


def issue(site: Site, state: State, i: Issue) -> dict[str, Any]:
    api = f"{site.api}/issues/{i.number}"
    data: dict[str, Any] = {
        "id": 50000 + i.number, "node_id": f"I_{i.number}", "url": api,
        "repository_url": site.api, "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments", "events_url": f"{api}/events",
        "timeline_url": f"{api}/timeline", "number": i.number, "state": i.state,
        "state_reason": i.state_reason, "title": i.title, "body": i.body,
        "html_url": f"{site.html}/{'pull' if i.is_pull else 'issues'}/{i.number}",
        "user": user(site, state.users[i.user]),
        "labels": [label(site, state, n) for n in i.labels],
        "assignee": None, "assignees": [], "milestone": None, "locked": False,
        "active_lock_reason": None, "comments": len(i.comments), "created_at": i.created_at,
        "updated_at": i.updated_at, "closed_at": i.closed_at, "closed_by": None,
        "author_association": association(state, i.user),
        "reactions": reaction_summary(f"{api}/reactions", []),
    }
    if i.is_pull:
        pull = state.pulls[i.number]
        data["draft"] = pull.draft
        data["pull_request"] = {
            "url": f"{site.api}/pulls/{i.number}", "html_url": data["html_url"],
            "diff_url": f"{data['html_url']}.diff", "patch_url": f"{data['html_url']}.patch",
            "merged_at": pull.merged_at}
    return data


def _part(site: Site, state: State, branch: str, sha: str, fork: str = "") -> dict[str, Any]:
    repo = repository(site, state)
    if fork:  # a fork's copy: another owner and name, the same shape
        owner, name = fork.split("/", 1)
        repo = {**repo, "full_name": fork, "name": name, "fork": True,
                "owner": {**repo["owner"], "login": owner}}
    return {"label": f"{fork.split('/')[0] if fork else site.owner}:{branch}", "ref": branch,
            "sha": sha, "user": user(site, state.users[site.owner]), "repo": repo}


def pull_simple(site: Site, state: State, p: Pull) -> dict[str, Any]:
    """The list-endpoint shape (no merged/mergeable/counts: PyGithub fetches those lazily)."""
    i = state.issues[p.number]
    api = f"{site.api}/pulls/{p.number}"
    html = f"{site.html}/pull/{p.number}"
    issue_api = f"{site.api}/issues/{p.number}"
    return {
        "url": api, "id": 70000 + p.number, "node_id": f"PR_{p.number}", "html_url": html,
        "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "issue_url": issue_api,
        "commits_url": f"{api}/commits", "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{site.api}/pulls/comments{{/number}}",
        "comments_url": f"{issue_api}/comments",
        "statuses_url": f"{site.api}/statuses/{p.head_sha}",
        "number": p.number, "state": i.state, "locked": False, "title": i.title,
        "user": user(site, state.users[i.user]), "body": i.body,
        "labels": [label(site, state, n) for n in i.labels], "milestone": None,
        "active_lock_reason": None, "created_at": i.created_at, "updated_at": i.updated_at,
        "closed_at": i.closed_at, "merged_at": p.merged_at, "merge_commit_sha": p.merge_commit_sha,
        "assignee": None, "assignees": [], "requested_reviewers": [], "requested_teams": [],
        "head": _part(site, state, p.head, p.head_sha, p.head_repo),
        "base": _part(site, state, p.base, p.base_sha),
        "_links": {k: {"href": v} for k, v in (
            ("self", api), ("html", html), ("issue", issue_api),
            ("comments", f"{issue_api}/comments"), ("review_comments", f"{api}/comments"),
            ("commits", f"{api}/commits"), ("statuses", f"{site.api}/statuses/{p.head_sha}"))},
        "author_association": association(state, i.user), "auto_merge": None, "draft": p.draft,
    }


def pull_full(site: Site, state: State, p: Pull, files: list[FileChange],
              n_commits: int) -> dict[str, Any]:
    open_ = state.issues[p.number].state == "open"
    data = pull_simple(site, state, p)
    data.update({
        "merged": p.merged, "mergeable": True if open_ else None, "rebaseable": open_,
        "mergeable_state": "clean" if open_ else "unknown", "merged_by": None,
        "comments": len(state.issues[p.number].comments),
        "review_comments": len(p.review_comments),
        "maintainer_can_modify": p.maintainer_can_modify, "commits": n_commits,
        "additions": sum(f.additions for f in files),
        "deletions": sum(f.deletions for f in files), "changed_files": len(files),
    })
    return data


def file_change(site: Site, sha: str, f: FileChange) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sha": f.blob_sha, "filename": f.filename, "status": f.status,
        "additions": f.additions, "deletions": f.deletions, "changes": f.additions + f.deletions,
        "blob_url": f"{site.html}/blob/{sha}/{f.filename}",
        "raw_url": f"{site.html}/raw/{sha}/{f.filename}",
        "contents_url": f"{site.api}/contents/{f.filename}?ref={sha}", "patch": f.patch,
    }
    if f.previous_filename:
        data["previous_filename"] = f.previous_filename
    return data


def commit(site: Site, c: CommitInfo) -> dict[str, Any]:
    url = f"{site.api}/commits/{c.sha}"
    return {
        "sha": c.sha, "node_id": f"C_{c.sha}", "url": url,
        "html_url": f"{site.html}/commit/{c.sha}", "comments_url": f"{url}/comments",
        "commit": {
            "url": f"{site.api}/git/commits/{c.sha}", "message": c.message, "comment_count": 0,
            "author": {"name": c.author_name, "email": c.author_email, "date": c.author_date},
            "committer": {"name": c.committer_name, "email": c.committer_email,
                          "date": c.committer_date},
            "tree": {"sha": c.tree, "url": f"{site.api}/git/trees/{c.tree}"},
        },
        "author": None, "committer": None,
        "parents": [{"sha": p, "url": f"{site.api}/commits/{p}",
                     "html_url": f"{site.html}/commit/{p}"} for p in c.parents],
    }


def review_comment(site: Site, state: State, number: int, c: ReviewComment) -> dict[str, Any]:
    url = f"{site.api}/pulls/comments/{c.id}"
    html = f"{site.html}/pull/{number}#discussion_r{c.id}"
    data: dict[str, Any] = {
        "id": c.id, "node_id": f"PRRC_{c.id}", "url": url, "html_url": html,
        "pull_request_url": f"{site.api}/pulls/{number}", "pull_request_review_id": c.review_id,
        "body": c.body, "path": c.path, "line": c.line, "original_line": c.line,
        "start_line": c.start_line, "original_start_line": c.start_line,
        "start_side": "RIGHT" if c.start_line else None,
        "side": c.side, "commit_id": c.commit_id, "original_commit_id": c.commit_id,
        "diff_hunk": c.diff_hunk, "position": c.line, "original_position": c.line,
        "subject_type": "line", "user": user(site, state.users[c.user]),
        "created_at": c.created_at, "updated_at": c.updated_at or c.created_at,
        "author_association": association(state, c.user),
        "reactions": reaction_summary(f"{url}/reactions", c.reactions),
        "_links": {"self": {"href": url}, "html": {"href": html},
                   "pull_request": {"href": f"{site.api}/pulls/{number}"}},
    }
    if c.in_reply_to is not None:
        data["in_reply_to_id"] = c.in_reply_to
    return data


def branch(site: Site, name: str, c: CommitInfo) -> dict[str, Any]:
    url = f"{site.api}/branches/{name}"
    return {"name": name, "commit": commit(site, c), "protected": False,
            "protection_url": f"{url}/protection",
            "_links": {"self": url, "html": f"{site.html}/tree/{name}"}}


def git_ref(site: Site, name: str, sha: str) -> dict[str, Any]:
    return {"ref": f"refs/heads/{name}", "node_id": f"REF_{name}",
            "url": f"{site.api}/git/refs/heads/{name}",
            "object": {"sha": sha, "type": "commit", "url": f"{site.api}/git/commits/{sha}"}}
