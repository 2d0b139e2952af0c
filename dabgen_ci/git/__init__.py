"""The `git` adapter: the work tree the bot commits in (:mod:`.repo`), how git is run
(:mod:`.run`) and the names passed to it (:mod:`.names`)."""

from __future__ import annotations

from dabgen_ci.git.names import BOT_EMAIL, BOT_NAME, noreply_co_author
from dabgen_ci.git.repo import DEFAULT_REMOTE, GitRepo
from dabgen_ci.git.run import GitError, PushRejected

__all__ = ["BOT_EMAIL", "BOT_NAME", "DEFAULT_REMOTE", "GitError", "GitRepo", "PushRejected",
           "noreply_co_author"]
