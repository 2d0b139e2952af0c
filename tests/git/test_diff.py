"""What a change touched, read by the git adapter from a real repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from dabgen_ci.core.review.diff import ChangedFile
from dabgen_ci.errors import BadInputError
from dabgen_ci.git import GitRepo

ENV = {"GIT_AUTHOR_NAME": "Ana", "GIT_AUTHOR_EMAIL": "ana@example.com",
       "GIT_COMMITTER_NAME": "Ana", "GIT_COMMITTER_EMAIL": "ana@example.com",
       "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **ENV},
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    (work / "bundle").mkdir()
    (work / "bundle" / "keep.yml").write_text("a: 1\nb: 2\nc: 3\n")
    (work / "bundle" / "gone.yml").write_text("x: 1\n")
    (work / "bundle" / "old name.yml").write_text("r: 1\ns: 2\nt: 3\nu: 4\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "base")
    git(work, "checkout", "-qb", "feature")
    (work / "bundle" / "keep.yml").write_text("a: 1\nb: 20\nc: 3\nd: 4\n")
    (work / "bundle" / "gone.yml").unlink()
    git(work, "mv", "bundle/old name.yml", "bundle/new name.yml")
    (work / "bundle" / "added.yml").write_text("n: 1\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "change")
    return work


def test_changed_files_between_commits(repo: Path) -> None:
    found = GitRepo(repo).changed_files("main", "HEAD")
    assert sorted(found) == sorted([
        ChangedFile("bundle/added.yml", "added"), ChangedFile("bundle/gone.yml", "deleted"),
        ChangedFile("bundle/keep.yml", "modified"),
        ChangedFile("bundle/new name.yml", "renamed", "bundle/old name.yml")])


def test_changed_lines_are_the_added_or_rewritten_ones(repo: Path) -> None:
    git_repo = GitRepo(repo)
    assert git_repo.changed_lines("main", "HEAD", "bundle/keep.yml") == ((2, 2), (4, 4))
    assert git_repo.changed_lines("main", "HEAD", "bundle/new name.yml",
                                  "bundle/old name.yml") == ()
    assert git_repo.changed_lines("main", "HEAD", "bundle/added.yml") == ((1, 1),)


def test_the_work_tree_counts_uncommitted_and_untracked_files(repo: Path) -> None:
    (repo / "bundle" / "keep.yml").write_text("a: 10\nb: 20\nc: 3\nd: 4\n")
    (repo / "bundle" / "draft.yml").write_text("z: 1\n")
    git_repo = GitRepo(repo)
    base = git_repo.merge_base("main")
    paths = {f.path: f.status for f in git_repo.changed_files(base)}
    assert paths["bundle/draft.yml"] == "added" and paths["bundle/keep.yml"] == "modified"
    assert git_repo.changed_lines(base, None, "bundle/keep.yml") == ((1, 2), (4, 4))


def test_merge_base_without_shared_history_says_how_to_fix_it(repo: Path) -> None:
    git(repo, "checkout", "-q", "--orphan", "lonely")
    git(repo, "commit", "-qm", "alone")
    with pytest.raises(BadInputError, match="fetch-depth: 0"):
        GitRepo(repo).merge_base("main", "lonely")
