"""The work tree the bot commits in: a thin adapter over the `git` command line, for the
bot's branch-commit-push cycle and the review's diffs.

Git is run with argument lists (never a shell), no terminal prompts and the C locale, so
a missing credential fails fast and messages are predictable. Every error message is
built from git's stderr passed through a `Redactor`: git prints remote URLs, and a URL can
carry a token. The repository's `origin` is used as configured (actions/checkout sets up
its credentials), so this module never handles a token itself.

Safety rules the flows rely on: `replace_tree` only writes below a sub-directory of the
work tree (never `.git`, never through a symlink out of it); `push` always uses
`--force-with-lease` with the sha the caller saw, so a commit pushed by someone else is
never overwritten (`PushRejected`); `commits_not_by` tells the caller about such commits.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from dabgen_ci.core.paths import confine, write_file, write_target
from dabgen_ci.core.redact import Redactor
from dabgen_ci.core.review.diff import ChangedFile, Ranges, added_ranges, parse_name_status
from dabgen_ci.errors import BadInputError
from dabgen_ci.git.names import (
    BOT_EMAIL,
    BOT_NAME,
    check_branch,
    check_ref,
    check_relative,
    check_sha,
    checked,
    with_trailers,
)
from dabgen_ci.git.run import (
    LOCAL_TIMEOUT,
    NETWORK_TIMEOUT,
    GitError,
    PushRejected,
    describe,
    git_env,
    run_git,
    subcommand_of,
    url_credentials,
)

DEFAULT_REMOTE = "origin"
_FIELD = "\x1f"


class GitRepo:
    """One work tree. `env` is laid over the process environment for every git call."""

    def __init__(
        self, path: Path, env: Mapping[str, str] | None = None, redactor: Redactor | None = None
    ) -> None:
        self.path = Path(path).absolute()  # git runs with cwd=path: relative args would nest
        self._env = git_env(env)
        self._redactor = redactor or Redactor.from_env(self._env)

    # -- construction ---------------------------------------------------------------

    @classmethod
    def clone(cls, url: str, dest: Path, env: Mapping[str, str] | None = None) -> GitRepo:
        """Clone `url` into `dest` (which must not exist or be empty)."""
        redactor = Redactor.from_env(git_env(env)).with_secrets(url_credentials(url))
        dest = Path(dest)
        run_git(["clone", "--quiet", "--", url, str(dest)], dest.parent, git_env(env), redactor,
             NETWORK_TIMEOUT)
        return cls(dest, env, redactor)

    @classmethod
    def init(
        cls, path: Path, default_branch: str = "main", env: Mapping[str, str] | None = None
    ) -> GitRepo:
        """Create a repository at `path` whose first branch is `default_branch`."""
        check_branch(default_branch)
        path = Path(path).absolute()
        path.mkdir(parents=True, exist_ok=True)
        repo = cls(path, env)
        repo._git("init", "--quiet", f"--initial-branch={default_branch}", str(path))
        return repo

    # -- reading --------------------------------------------------------------------

    def current_branch(self) -> str | None:
        """The checked-out branch, or None when HEAD is detached (e.g. a PR merge ref)."""
        proc = self._git("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def toplevel(self) -> Path:
        """The root of the work tree that contains `path`."""
        return Path(self._git("rev-parse", "--show-toplevel").stdout.strip())

    def head_sha(self) -> str:
        return self._git("rev-parse", "--verify", "HEAD").stdout.strip()

    def remote_branch_sha(self, branch: str, remote: str = DEFAULT_REMOTE) -> str | None:
        """The sha of `branch` on the remote (asked over the network), None if absent."""
        check_branch(branch)
        ref = f"refs/heads/{branch}"
        out = self._git("ls-remote", "--heads", remote, ref, timeout=NETWORK_TIMEOUT).stdout
        for line in out.splitlines():
            sha, _, name = line.partition("\t")
            if name == ref:
                return sha
        return None

    def tree_sha(self, ref: str) -> str | None:
        """The tree a revision points at (None when there is no such revision): two commits
        with the same tree hold the same files, whatever their history."""
        check_ref(ref)
        proc = self._git("rev-parse", "--verify", "--quiet", f"{ref}^{{tree}}", check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def discard_changes(self, paths: Sequence[str]) -> None:
        """Drop uncommitted changes below `paths` (relative to the work tree), new files too."""
        relative = [check_relative(p) for p in paths]
        self._git("reset", "--quiet", "--", *relative)
        self._git("checkout", "--quiet", "--", *relative, check=False)  # absent in HEAD: fine
        self._git("clean", "-fdq", "--", *relative)

    def has_changes(self, paths: Sequence[str] = ()) -> bool:
        """Whether the work tree differs from HEAD (untracked files count, ignored don't)."""
        out = self._git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--",
                        *paths).stdout
        return bool(out)

    def commits_not_by(self, author_email: str, base: str, head: str) -> list[tuple[str, str]]:
        """Commits in `base..head` that someone other than `author_email` wrote or rewrote.

        A commit counts when its author or its committer differs (a human who rebased the
        bot's commit is its committer). Returns `(sha, "Name <email>")`, newest first.
        """
        check_ref(base)
        check_ref(head)
        fmt = _FIELD.join(("%H", "%an", "%ae", "%cn", "%ce"))
        out = self._git("log", f"--format={fmt}", f"{base}..{head}", "--").stdout
        wanted = author_email.casefold()
        found = []
        for line in out.splitlines():
            sha, an, ae, cn, ce = line.split(_FIELD)
            if ae.casefold() != wanted:
                found.append((sha, f"{an} <{ae}>"))
            elif ce.casefold() != wanted:
                found.append((sha, f"{cn} <{ce}>"))
        return found

    def read_at(self, ref: str, path: str) -> str | None:
        """The text of `path` at revision `ref`, or None when that revision has no such file.

        Used for what must come from a trusted revision (the default branch's `.dabgen.yml`),
        never from the work tree a pull request may have changed.
        """
        check_ref(ref)
        spec = f"{ref}:{check_relative(path)}"
        if self._git("cat-file", "-e", spec, check=False).returncode != 0:
            return None
        return self._git("show", spec).stdout

    def list_at(self, ref: str, subdir: str) -> list[str]:
        """Files below `subdir` (`.`: the whole tree) at revision `ref`, relative to it."""
        check_ref(ref)
        root = "" if subdir in ("", ".") else check_relative(subdir)
        prefix = f"{root}/" if root else ""
        scope = ["--", prefix] if root else []
        out = self._git("ls-tree", "-r", "-z", "--name-only", ref, *scope).stdout
        return sorted(name[len(prefix):] for name in out.split("\0")
                      if name and name.startswith(prefix))

    def resolve(self, ref: str) -> str | None:
        """The commit `ref` names here, or None when it names nothing."""
        check_ref(ref)
        proc = self._git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return proc.stdout.strip() or None if proc.returncode == 0 else None

    # -- what a change touched (the review) ------------------------------------------

    def merge_base(self, base: str, head: str = "HEAD") -> str:
        """The commit `head` forked from `base` (needs history: `fetch-depth: 0`)."""
        check_ref(base)
        check_ref(head)
        proc = self._git("merge-base", base, head, check=False)
        if proc.returncode != 0:  # the revisions given cannot be compared: bad input
            raise BadInputError(f"{base} and {head} share no history here; fetch the base "
                                "branch with its history (actions/checkout `fetch-depth: 0`)")
        return proc.stdout.strip()

    def changed_files(self, base: str, head: str | None = None) -> list[ChangedFile]:
        """Files changed from `base` to `head` (None: the work tree, untracked files too)."""
        check_ref(base)
        revs = [base] if head is None else [base, checked(head)]
        out = self._git("diff", "--name-status", "-z", "-M", "--no-ext-diff", *revs,
                        "--").stdout
        found = parse_name_status(out)
        if head is None:
            listed = {f.path for f in found}
            others = self._git("ls-files", "-z", "--others", "--exclude-standard").stdout
            found += [ChangedFile(p, "added") for p in others.split("\0") if p and
                      p not in listed]
        return found

    def changed_lines(self, base: str, head: str | None, path: str,
                      old_path: str | None = None) -> Ranges:
        """Line ranges of `path` at `head` (None: the work tree) that the change added.

        A renamed file needs its `old_path` too, or git sees a new file.
        """
        check_ref(base)
        revs = [base] if head is None else [base, checked(head)]
        paths = [check_relative(p) for p in (old_path, path) if p]
        patch = self._git("diff", "-U0", "--no-color", "--no-ext-diff", "-M", *revs, "--",
                          *paths).stdout
        return added_ranges(patch)

    def diff_text(self, base: str, head: str | None, paths: Sequence[str],
                  limit: int = 200_000) -> str:
        """The unified diff of `paths` from `base` to `head` (None: the work tree), capped."""
        check_ref(base)
        revs = [base] if head is None else [base, checked(head)]
        scope = [p for p in paths if p not in ("", ".")]
        text = self._git("diff", "--no-color", "--no-ext-diff", "-M", *revs, "--",
                         *(check_relative(p) for p in scope)).stdout
        return text if len(text) <= limit else text[:limit] + "\n[diff truncated]\n"

    def fetch_pull_head(self, number: int, remote: str = DEFAULT_REMOTE) -> str:
        """Fetch GitHub's `refs/pull/<n>/head` (forks included); returns its sha."""
        ref = f"refs/remotes/{remote}/pull/{int(number)}"
        self._git("fetch", "--quiet", "--no-tags", remote, f"+refs/pull/{int(number)}/head:{ref}",
                  timeout=NETWORK_TIMEOUT)
        return self._git("rev-parse", "--verify", f"{ref}^{{commit}}").stdout.strip()

    def checkout_detached(self, rev: str) -> None:
        """Check out `rev` without a branch (a review reads, it never commits)."""
        check_ref(rev)
        self._git("checkout", "--quiet", "--detach", rev)

    # -- branches -------------------------------------------------------------------

    def fetch_branch(self, branch: str, remote: str = DEFAULT_REMOTE) -> None:
        """Update `refs/remotes/<remote>/<branch>` from the remote."""
        check_branch(branch)
        refspec = f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"
        self._git("fetch", "--quiet", "--no-tags", remote, refspec, timeout=NETWORK_TIMEOUT)

    def checkout_new_branch_from(self, base_ref: str, branch: str) -> None:
        """Check out `branch` starting at `base_ref`, resetting it if it exists locally."""
        check_branch(branch)
        check_ref(base_ref)
        self._git("checkout", "--quiet", "--no-track", "-B", branch, base_ref)

    def checkout_remote_branch(self, branch: str, remote: str = DEFAULT_REMOTE) -> str:
        """Fetch `branch` and check it out at the remote's tip; returns that sha."""
        self.fetch_branch(branch, remote)
        self.checkout_new_branch_from(f"refs/remotes/{remote}/{branch}", branch)
        return self.head_sha()

    # -- writing --------------------------------------------------------------------

    def replace_tree(self, subdir: str, files: Mapping[str, bytes]) -> None:
        """Make `subdir` hold exactly `files` (paths relative to it, POSIX form).

        Files under `subdir` that are not in the mapping are deleted (empty directories
        too); the rest are written. Nothing outside `subdir` is touched.
        """
        root = self._inside_subdir(subdir)
        wanted = {check_relative(name): data for name, data in files.items()}
        for name in wanted:
            parents = PurePosixPath(name).parents
            clash = next((str(p) for p in parents if str(p) in wanted), None)
            if clash:
                raise BadInputError(f"{subdir}/{clash} cannot be both a file and a folder")
        if root.is_dir():
            _remove_unwanted(root, set(wanted))
        for name, data in sorted(wanted.items()):
            what, where = f"cannot write {subdir}/{name}:", f"{subdir}/"
            target = write_target(root, name, what=what, where=where)
            target.parent.mkdir(parents=True, exist_ok=True)
            target = write_target(root, name, what=what, where=where)  # nothing new leads out
            if target.is_dir():
                raise BadInputError(f"cannot write {subdir}/{name}: a folder is there")
            write_file(target, data)

    def commit(
        self,
        message: str,
        author_name: str = BOT_NAME,
        author_email: str = BOT_EMAIL,
        co_authors: Sequence[str] = (),
        paths: Sequence[str] = (),
    ) -> str | None:
        """Stage everything (or `paths`) and commit as the author; None if nothing changed.

        The author is also the committer (runners have no git identity). Co-authors
        ("Name <email>") are credited in `Co-authored-by:` trailers.
        """
        if not message.strip():
            raise BadInputError("a commit needs a message")
        self._git("add", "--all", "--", *(paths or ["."]))
        staged = self._git("diff", "--cached", "--quiet", check=False)
        if staged.returncode == 0:
            return None
        if staged.returncode != 1:
            raise GitError(self._describe("diff", staged))
        identity = {
            "GIT_AUTHOR_NAME": author_name,
            "GIT_AUTHOR_EMAIL": author_email,
            "GIT_COMMITTER_NAME": author_name,
            "GIT_COMMITTER_EMAIL": author_email,
        }
        text = with_trailers(message, co_authors, author_email)
        self._git("-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify",
                  "--file=-", stdin=text, extra_env=identity)
        return self.head_sha()

    def push(
        self, branch: str, expected_remote_sha: str | None, remote: str = DEFAULT_REMOTE
    ) -> None:
        """Push local `branch` to the remote only if the remote is still where we saw it.

        `expected_remote_sha` None means the branch must not exist yet. When the lease
        fails (someone pushed meanwhile) this raises `PushRejected` and changes nothing.
        """
        check_branch(branch)
        expected = check_sha(expected_remote_sha) if expected_remote_sha else ""
        ref = f"refs/heads/{branch}"
        self._push(branch, [f"--force-with-lease={ref}:{expected}", remote, f"{ref}:{ref}"])

    def delete_remote_branch(
        self, branch: str, expected_sha: str | None = None, remote: str = DEFAULT_REMOTE
    ) -> bool:
        """Delete the remote branch (only if still at `expected_sha`, when given).

        Returns False when there was no such branch. Used to clean up after a failure.
        """
        check_branch(branch)
        current = self.remote_branch_sha(branch, remote)
        if current is None:
            return False
        ref = f"refs/heads/{branch}"
        lease = check_sha(expected_sha) if expected_sha else current
        self._push(branch, [f"--force-with-lease={ref}:{lease}", remote, f":{ref}"])
        return True

    # -- internals ------------------------------------------------------------------

    def _push(self, branch: str, args: list[str]) -> None:
        proc = self._git("push", "--porcelain", *args, check=False, timeout=NETWORK_TIMEOUT)
        if proc.returncode == 0:
            return
        if "(stale info)" in proc.stdout or "(fetch first)" in proc.stdout:
            raise PushRejected(
                f"branch {branch} changed on the remote since dabgen read it (someone else "
                "pushed); dabgen did not overwrite it"
            )
        raise GitError(self._describe("push", proc))

    def _inside_subdir(self, subdir: str) -> Path:
        """`subdir` below the work tree, strictly: never the work tree itself, never `.git`,
        never through a link that leaves it."""
        try:
            return confine(self.path, check_relative(subdir.strip("/")), what="folder",
                           where="the repository")
        except BadInputError:
            raise BadInputError(f"{subdir!r} is not a folder inside the repository") from None

    def _git(
        self,
        *args: str,
        check: bool = True,
        stdin: str | None = None,
        extra_env: Mapping[str, str] | None = None,
        timeout: float = LOCAL_TIMEOUT,
    ) -> subprocess.CompletedProcess[str]:
        env = {**self._env, **(extra_env or {})}
        proc = run_git(list(args), self.path, env, self._redactor, timeout, check=False,
                       stdin=stdin)
        if check and proc.returncode != 0:
            raise GitError(self._describe(subcommand_of(list(args)), proc))
        return proc

    def _describe(self, command: str, proc: subprocess.CompletedProcess[str]) -> str:
        """Describe a failure, also masking credentials embedded in the remotes' URLs."""
        urls = run_git(["config", "--get-regexp", r"^remote\..*\.url$"], self.path, self._env,
                       self._redactor, LOCAL_TIMEOUT, check=False).stdout
        secrets = [c for line in urls.splitlines() for c in url_credentials(line.split()[-1])]
        return describe(command, proc, self._redactor.with_secrets(secrets))


def _remove_unwanted(root: Path, wanted: set[str]) -> None:
    """Delete files and links under `root` not in `wanted`, then the emptied directories."""
    for dirpath, dirnames, filenames in os.walk(root, topdown=False, followlinks=False):
        current = Path(dirpath)
        for name in [*filenames, *dirnames]:
            entry = current / name
            rel = entry.relative_to(root).as_posix()
            if entry.is_symlink() or (entry.is_file() and rel not in wanted):
                entry.unlink()
            elif entry.is_dir() and not any(entry.iterdir()):
                entry.rmdir()
