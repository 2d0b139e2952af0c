"""What dabgen passes to git as names: branches, revisions, shas, paths, commit trailers —
checked so that no value from a comment or a job can become an option or a range."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence

from dabgen_ci.core.paths import relative
from dabgen_ci.errors import BadInputError

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_CO_AUTHOR = re.compile(r"[^<>\n]+ <[^<>\s]+@[^<>\s]+>")


def noreply_co_author(login: str, user_id: int) -> str:
    """The `Co-authored-by:` value GitHub attributes to a user without exposing an email."""
    return f"{login} <{user_id}+{login}@users.noreply.github.com>"


def with_trailers(message: str, co_authors: Sequence[str], author_email: str) -> str:
    trailers: list[str] = []
    for co_author in co_authors:
        if not _CO_AUTHOR.fullmatch(co_author):
            raise BadInputError(f"co-author {co_author!r} is not of the form 'Name <email>'")
        line = f"Co-authored-by: {co_author}"
        if f"<{author_email}>" not in co_author and line not in trailers:
            trailers.append(line)
    body = message.strip()
    return f"{body}\n\n" + "\n".join(trailers) + "\n" if trailers else body + "\n"


def check_branch(name: str) -> None:
    proc = subprocess.run(["git", "check-ref-format", "--branch", name], capture_output=True,
                          check=False)
    if name.startswith("-") or proc.returncode != 0:
        raise BadInputError(f"{name!r} is not a valid git branch name")


def check_ref(ref: str) -> None:
    """A revision as an argument: never an option, a range or anything with whitespace."""
    if not ref or ref.startswith("-") or ".." in ref or any(ch.isspace() for ch in ref):
        raise BadInputError(f"{ref!r} is not a git revision dabgen accepts")


def checked(ref: str) -> str:
    check_ref(ref)
    return ref


def check_sha(sha: str) -> str:
    if not _SHA.fullmatch(sha):
        raise BadInputError(f"{sha!r} is not a full commit sha")
    return sha


def check_relative(name: str) -> str:
    """A POSIX path below a directory, by the one rule of :mod:`dabgen_ci.core.paths`."""
    return relative(name, what="path").as_posix()

