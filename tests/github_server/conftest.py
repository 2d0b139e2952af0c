"""Fixtures: a real bare repository (main + feature) and a GitHub server over a copy of it."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from github import Auth, Github, GithubRetry
from urllib3 import Retry

from tests.servers.github_server import GitHubServer

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Dana Engineer", "GIT_AUTHOR_EMAIL": "dana@example.com",
    "GIT_COMMITTER_NAME": "Dana Engineer", "GIT_COMMITTER_EMAIL": "dana@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **_GIT_ENV}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def commit_file(work: Path, name: str, text: str, message: str) -> str:
    (work / name).parent.mkdir(parents=True, exist_ok=True)
    (work / name).write_text(text)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", message)
    return git(work, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: main has README + old.txt; feature edits README, adds a job, drops old.txt."""
    root = tmp_path_factory.mktemp("gh-template")
    bare, work = root / "remote.git", root / "work"
    git(root, "init", "-q", "--bare", "-b", "main", str(bare))
    git(root, "init", "-q", "-b", "main", str(work))
    commit_file(work, "README.md", "# data jobs\n", "init")
    commit_file(work, "old.txt", "obsolete\n", "add old file")
    git(work, "branch", "same-as-main")
    git(work, "checkout", "-q", "-b", "feature")
    commit_file(work, "README.md", "# data jobs\n\nManaged by dabgen.\n", "docs: mention dabgen")
    (work / "old.txt").unlink()
    commit_file(work, "resources/job.job.yml", "resources:\n  jobs: {}\n", "add job resource")
    git(work, "remote", "add", "origin", str(bare))
    git(work, "push", "-q", "origin", "main", "feature", "same-as-main")
    return bare


@pytest.fixture
def bare_repo(template_repo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "remote.git"
    shutil.copytree(template_repo, copy)
    return copy


@pytest.fixture
def server(bare_repo: Path) -> Iterator[GitHubServer]:
    with GitHubServer(bare_repo) as srv:
        yield srv
    assert srv.errors == []


def fast_retry(**overrides: object) -> GithubRetry:
    """What the bot should pass, with waits shrunk for tests."""
    options: dict[str, Any] = {
        "total": 3, "backoff_factor": 0, "secondary_rate_wait": 0.05,
        "allowed_methods": Retry.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH"},
        "raise_on_status": False,
    }
    options.update(overrides)
    return GithubRetry(**options)


def client(srv: GitHubServer, retry: GithubRetry | None = None, token: str = "ghs_test") -> Github:
    return Github(auth=Auth.Token(token), base_url=srv.url, seconds_between_requests=0,
                  seconds_between_writes=0, retry=retry or fast_retry())


@pytest.fixture
def gh(server: GitHubServer) -> Iterator[Github]:
    g = client(server)
    yield g
    g.close()
