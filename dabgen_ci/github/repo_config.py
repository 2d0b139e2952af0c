"""`.dabgen.yml` as the default branch has it — never the PR head's or the work tree's copy.

The configuration decides who may run what, so a pull request must not be able to grant
itself permissions by editing it: the file is read from `origin/<default branch>` with
`git show`, after fetching that branch. (`GitRepo` has no file-at-revision reader yet;
this is the one git call the bot makes outside it.)
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath

from dabgen_ci.config import Config, parse_config
from dabgen_ci.errors import BadInputError
from dabgen_ci.git import DEFAULT_REMOTE, LOCAL_TIMEOUT, GitError, GitRepo


def base_ref(default_branch: str) -> str:
    return f"refs/remotes/{DEFAULT_REMOTE}/{default_branch}"


def read_base_config(repo: GitRepo, default_branch: str, config_path: str) -> Config:
    """Fetch the default branch and parse its `config_path` (absent: the defaults)."""
    repo.fetch_branch(default_branch)
    text = read_file_at(repo.path, base_ref(default_branch), config_path)
    return parse_config(text, origin=config_path)


def read_file_at(work_tree: Path, ref: str, path: str) -> str | None:
    """The text of `path` at `ref`, or None when that revision has no such file."""
    rel = _check_path(path)
    spec = f"{ref}:{rel}"
    if ref.startswith("-") or any(ch.isspace() for ch in ref):
        raise BadInputError(f"{ref!r} is not a git revision dabgen accepts")
    exists = _git(work_tree, "cat-file", "-e", spec)
    if exists.returncode != 0:
        return None
    shown = _git(work_tree, "show", spec)
    if shown.returncode != 0:
        raise GitError(f"git show {spec} failed: {shown.stderr.strip()[:300]}")
    return shown.stdout


def _check_path(path: str) -> str:
    parts = PurePosixPath(path.strip()).parts
    bad = (not parts or path.startswith(("/", "-")) or "\\" in path
           or any(part in ("..", ".git") for part in parts))
    if bad:
        raise BadInputError(f"config path {path!r} must be a file inside the repository")
    return str(PurePosixPath(*parts))


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=LOCAL_TIMEOUT, check=False)
