"""Pull-request rules of the fake GitHub, checked against the real bare repository.

GitHub refuses a PR whose head or base branch does not exist, a second open PR for the
same head/base, and a PR with no commits; it reads the head SHA live from the branch.
A bot that pushes then opens a PR must get exactly these answers from the test server.
"""

from __future__ import annotations

from typing import Any

from tests.servers.github_state import (
    Pull,
    State,
    check_body,
    now,
    validation_failed,
)


def _branch_name(value: Any, owner: str, field_name: str) -> str:
    """`branch` or `owner:branch` → branch; another owner means a fork we do not have."""
    if not isinstance(value, str) or not value:
        raise validation_failed("PullRequest", "missing_field", field_name=field_name)
    if ":" in value:
        who, branch = value.split(":", 1)
        if who != owner:
            raise validation_failed("PullRequest", "invalid", field_name=field_name)
        return branch
    return value


def create_pull(state: State, params: dict[str, Any], actor: str) -> Pull:
    """POST /pulls: validate like GitHub, then record the PR and its issue half."""
    title = params.get("title")
    if not title:
        raise validation_failed("PullRequest", "missing_field", field_name="title")
    body = check_body(params.get("body"), "PullRequest")
    head = _branch_name(params.get("head"), state.owner, "head")
    base = _branch_name(params.get("base"), state.owner, "base")
    base_sha = state.git.branch_sha(base)
    if base_sha is None:
        raise validation_failed("PullRequest", "invalid", field_name="base")
    head_sha = state.git.branch_sha(head)
    if head_sha is None:
        raise validation_failed("PullRequest", "invalid", field_name="head")
    state.check_no_open_duplicate(head, base)
    if state.git.is_ancestor(head_sha, base_sha):
        raise validation_failed("PullRequest", "custom",
                                message=f"No commits between {base} and {head}")
    issue = state.add_issue(str(title), body, actor, is_pull=True)
    pull = Pull(issue.number, head, base, head_sha, base_sha,
                draft=bool(params.get("draft", False)),
                maintainer_can_modify=bool(params.get("maintainer_can_modify", True)))
    state.pulls[issue.number] = pull
    state.git.set_ref(f"refs/pull/{pull.number}/head", head_sha)
    return pull


def refresh(state: State, pull: Pull) -> Pull:
    """Re-read head/base SHAs from git (kept as last seen once a branch is deleted)."""
    if not pull.merged:
        if not pull.head_repo:  # a fork's head lives in the fork, not in our branches
            pull.head_sha = state.git.branch_sha(pull.head) or pull.head_sha
        pull.base_sha = state.git.branch_sha(pull.base) or pull.base_sha
        state.git.set_ref(f"refs/pull/{pull.number}/head", pull.head_sha)
    return pull


def edit_pull(state: State, number: int, params: dict[str, Any]) -> Pull:
    pull = state.pull(number)
    if "base" in params:
        base = _branch_name(params["base"], state.owner, "base")
        if state.git.branch_sha(base) is None:
            raise validation_failed("PullRequest", "invalid", field_name="base")
        pull.base = base
    if "maintainer_can_modify" in params:
        pull.maintainer_can_modify = bool(params["maintainer_can_modify"])
    issue_changes = {k: params[k] for k in ("title", "body", "state") if k in params}
    state.edit_issue(number, issue_changes)
    return refresh(state, pull)


def close_pull(state: State, number: int, *, merged: bool) -> Pull:
    """Test helper: close (and optionally merge) a PR; a merge fast-forwards base if it can."""
    pull = refresh(state, state.pull(number))
    state.edit_issue(number, {"state": "closed"})
    if merged:
        pull.merged = True
        pull.merged_at = now()
        pull.merge_commit_sha = pull.head_sha
        if state.git.is_ancestor(pull.base_sha, pull.head_sha):
            state.git.set_branch(pull.base, pull.head_sha)
    return pull


def list_pulls(state: State, query: dict[str, str]) -> list[Pull]:
    """GET /pulls filters. A `head` without `owner:` is ignored, as GitHub silently does."""
    wanted = query.get("state", "open")
    head = query.get("head", "")
    head_owner, _, head_branch = head.partition(":") if ":" in head else ("", "", "")
    base = query.get("base")
    found = []
    for pull in state.pulls.values():
        issue_state = state.issues[pull.number].state
        if wanted != "all" and issue_state != wanted:
            continue
        if head_branch and (head_owner != state.owner or pull.head != head_branch):
            continue
        if base and pull.base != base:
            continue
        found.append(refresh(state, pull))
    reverse = query.get("direction", "desc") == "desc"
    return sorted(found, key=lambda p: p.number, reverse=reverse)
