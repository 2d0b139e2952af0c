"""Read-only view of a local bare git repository for the GitHub test server.

The fake GitHub answers branch, pull-request file and commit questions from a real
repository (the one the bot pushes to), so a test cannot pass on data the server made up.
Every call shells out to `git --git-dir=BARE`; the repositories in tests are tiny.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import NamedTuple

_FIELD = "\x1f"
_RECORD = "\x1e"


class CommitInfo(NamedTuple):
    """One commit as `git log` reports it (enough for the REST commit shape)."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str
    committer_name: str
    committer_email: str
    committer_date: str
    tree: str
    message: str


class FileChange(NamedTuple):
    """One changed file between two refs, shaped like a pull request's `files` entry."""

    filename: str
    status: str  # added | removed | modified | renamed
    additions: int
    deletions: int
    patch: str
    blob_sha: str
    previous_filename: str | None


_STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied",
           "T": "changed"}


class BareRepo:
    """Thin subprocess adapter over `git --git-dir=<bare>`."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = Path(git_dir)

    def _git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", f"--git-dir={self.git_dir}", "-c", "core.quotePath=false", *args],
            capture_output=True, text=True, check=check,
        )

    def branch_sha(self, branch: str) -> str | None:
        """The commit a branch points at, or None when the branch does not exist."""
        done = self._git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}",
                         check=False)
        if done.returncode != 0:
            return None
        return done.stdout.strip() or None

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self._git("merge-base", "--is-ancestor", older, newer, check=False).returncode == 0

    def set_branch(self, branch: str, sha: str) -> None:
        self._git("update-ref", f"refs/heads/{branch}", sha)

    def set_ref(self, ref: str, sha: str) -> None:
        """Any ref, e.g. GitHub's `refs/pull/<n>/head` that forks' heads are fetched from."""
        self._git("update-ref", ref, sha)

    def commits(self, base: str, head: str) -> list[CommitInfo]:
        """Commits reachable from head but not base, oldest first (GitHub's PR order)."""
        return self._log("--reverse", f"{base}..{head}")

    def commit(self, sha: str) -> CommitInfo:
        return self._log("-1", sha)[0]

    def _log(self, *args: str) -> list[CommitInfo]:
        fmt = _FIELD.join(["%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%T", "%B"])
        out = self._git("log", f"--format={fmt}{_RECORD}", *args).stdout
        commits = []
        for record in out.split(_RECORD):
            if not record.strip():
                continue
            f = record.lstrip("\n").split(_FIELD)
            commits.append(CommitInfo(f[0], tuple(f[1].split()), f[2], f[3], f[4], f[5], f[6],
                                      f[7], f[8], f[9].rstrip("\n")))
        return commits

    def diff_files(self, base: str, head: str) -> list[FileChange]:
        """Files changed by head since its merge base with base (GitHub's three-dot diff)."""
        span = f"{base}...{head}"
        counts = self._numstat(span)
        changes = []
        for line in self._git("diff", "-M", "--name-status", span).stdout.splitlines():
            parts = line.split("\t")
            code, paths = parts[0][0], parts[1:]
            new, old = paths[-1], (paths[0] if len(paths) > 1 else None)
            added, deleted = counts.get(new, (0, 0))
            changes.append(FileChange(
                filename=new, status=_STATUS.get(code, "modified"), additions=added,
                deletions=deleted, patch=self._patch(span, paths),
                blob_sha=self._blob(base if code == "D" else head, new), previous_filename=old,
            ))
        return changes

    def hunks(self, base: str, head: str, path: str) -> list[tuple[int, int, str]]:
        """(first new line, new line count, hunk text) of `path` in the PR's diff (3 lines of
        context, as GitHub shows it): review comments may only sit on these lines."""
        text = self._git("diff", "-M", "-U3", f"{base}...{head}", "--", path).stdout
        found = []
        for chunk in text.split("\n@@")[1:]:
            header, _, body = chunk.partition("\n")
            new = header.split("+", 1)[1].split(" ", 1)[0]
            start, _, count = new.partition(",")
            found.append((int(start), int(count or "1"), f"@@{header}\n{body}".rstrip("\n")))
        return found

    def _numstat(self, span: str) -> dict[str, tuple[int, int]]:
        counts: dict[str, tuple[int, int]] = {}
        for line in self._git("diff", "-M", "--numstat", span).stdout.splitlines():
            added, deleted, name = line.split("\t", 2)
            if " => " in name:
                name = _rename_target(name)
            counts[name] = (_int(added), _int(deleted))
        return counts

    def _patch(self, span: str, paths: list[str]) -> str:
        text = self._git("diff", "-M", span, "--", *paths).stdout
        start = text.find("\n@@")
        return text[start + 1:].rstrip("\n") if start >= 0 else ""

    def _blob(self, rev: str, path: str) -> str:
        done = self._git("rev-parse", f"{rev}:{path}", check=False)
        return done.stdout.strip() if done.returncode == 0 else "0" * 40


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0  # "-" for binary files


def _rename_target(name: str) -> str:
    """`a/{x => y}/b` or `x => y` in numstat output → the new path."""
    if "{" in name:
        head, rest = name.split("{", 1)
        middle, tail = rest.split("}", 1)
        return (head + middle.split(" => ")[1] + tail).replace("//", "/")
    return name.split(" => ")[1]
