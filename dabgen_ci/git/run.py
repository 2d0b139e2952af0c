"""Running `git`: argument lists (never a shell), no terminal prompt, the C locale, and
every error one line of git's output passed through a `Redactor` (git prints remote URLs,
and a URL can carry a token)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

from dabgen_ci.core.redact import Redactor
from dabgen_ci.errors import DabgenError

NETWORK_TIMEOUT = 300
LOCAL_TIMEOUT = 60


class GitError(DabgenError):
    """A git command failed; the message is one redacted line."""


class PushRejected(GitError):
    """The remote branch is not where we expected it: someone else pushed to it."""


def run_git(
    args: list[str],
    cwd: Path,
    env: Mapping[str, str],
    redactor: Redactor,
    timeout: float,
    *,
    check: bool = True,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    command = ["git", "-c", "core.quotePath=false", *args]
    subcommand = subcommand_of(args)
    try:
        proc = subprocess.run(
            command, cwd=cwd, env=dict(env), input=stdin, capture_output=True, text=True,
            encoding="utf-8", errors="replace", timeout=timeout, check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH; install git and retry") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {subcommand} did not finish within {timeout:.0f}s") from exc
    if check and proc.returncode != 0:
        raise GitError(describe(subcommand, proc, redactor))
    return proc


def subcommand_of(args: list[str]) -> str:
    return next((a for a in args if not a.startswith("-") and "=" not in a), "git")


def describe(command: str, proc: subprocess.CompletedProcess[str], redactor: Redactor) -> str:
    """One line from git's output: its fatal/error/rejection lines, redacted."""
    lines = [ln.strip() for ln in (proc.stderr + "\n" + proc.stdout).splitlines() if ln.strip()]
    key = [ln for ln in lines if ln.startswith(("fatal:", "error:", "!", "remote: error"))]
    detail = " ".join(key or lines[-1:]) or f"exit status {proc.returncode}"
    detail = redactor.redact(detail)
    if len(detail) > 500:
        detail = detail[:499] + "…"
    return f"git {command} failed: {detail}"


def git_env(env: Mapping[str, str] | None) -> dict[str, str]:
    return {**os.environ, **(env or {}), "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def url_credentials(url: str) -> list[str]:
    """The secret part of `https://user:secret@host/...` (or a token used as the user)."""
    match = re.match(r"[a-z][a-z0-9+.-]*://([^/@]*)@", url, re.IGNORECASE)
    if not match:
        return []
    user, _, password = match.group(1).partition(":")
    return [password] if password else [user]

