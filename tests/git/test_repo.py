"""The git adapter against real git: a local bare repository is `origin`."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dabgen_ci.errors import BadInputError, DabgenError
from dabgen_ci.git import (
    BOT_EMAIL,
    BOT_NAME,
    GitError,
    GitRepo,
    PushRejected,
    noreply_co_author,
)

BRANCH = "dabgen/job-123"
FAKE_TOKEN = "ghs_" + "FakeTokenValue0123456789abcdefghijkl"
PLAIN_TOKEN = "not-shaped-like-a-token-0123456789"


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    """An isolated git configuration: no user identity, no system or global settings."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
    }


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, check=True)
    return proc.stdout.strip()


@pytest.fixture
def origin(tmp_path: Path, git_env: dict[str, str]) -> Path:
    """A bare repository with one commit on main, like a fresh GitHub repo."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare), env=git_env)
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "--quiet", str(bare), str(seed), env=git_env)
    (seed / "README.md").write_text("# repo\n")
    (seed / ".gitignore").write_text(".databricks/\n")
    git(seed, "add", ".", env=git_env)
    human = {**git_env, "GIT_AUTHOR_NAME": "Owner", "GIT_AUTHOR_EMAIL": "owner@example.com",
             "GIT_COMMITTER_NAME": "Owner", "GIT_COMMITTER_EMAIL": "owner@example.com"}
    git(seed, "commit", "--quiet", "-m", "initial", env=human)
    git(seed, "push", "--quiet", "origin", "main", env=git_env)
    return bare


@pytest.fixture
def repo(tmp_path: Path, origin: Path, git_env: dict[str, str]) -> GitRepo:
    return GitRepo.clone(str(origin), tmp_path / "work", env=git_env)


def human_clone(tmp_path: Path, origin: Path, git_env: dict[str, str], name: str) -> Path:
    path = tmp_path / name
    git(tmp_path, "clone", "--quiet", str(origin), str(path), env=git_env)
    git(path, "config", "user.name", "Alice Human")
    git(path, "config", "user.email", "alice@example.com")
    return path


def bundle_commit(repo: GitRepo, files: dict[str, bytes], message: str = "dabgen: job 123") -> str:
    repo.replace_tree("bundle", files)
    sha = repo.commit(message)
    assert sha is not None
    return sha


def test_new_branch_push_then_update_with_lease(repo: GitRepo, origin: Path) -> None:
    repo.checkout_new_branch_from("origin/main", BRANCH)
    assert repo.current_branch() == BRANCH
    assert repo.remote_branch_sha(BRANCH) is None
    first = bundle_commit(repo, {"databricks.yml": b"bundle:\n  name: x\n"})
    repo.push(BRANCH, None)
    assert repo.remote_branch_sha(BRANCH) == first
    assert git(origin, "rev-parse", f"refs/heads/{BRANCH}") == first

    second = bundle_commit(repo, {"databricks.yml": b"bundle:\n  name: y\n"}, "update")
    repo.push(BRANCH, first)
    assert git(origin, "rev-parse", f"refs/heads/{BRANCH}") == second
    assert git(origin, "rev-parse", f"refs/heads/{BRANCH}~1") == first


def test_lease_fails_after_a_human_pushed(
    repo: GitRepo, origin: Path, tmp_path: Path, git_env: dict[str, str]
) -> None:
    repo.checkout_new_branch_from("origin/main", BRANCH)
    first = bundle_commit(repo, {"databricks.yml": b"v1\n"})
    repo.push(BRANCH, None)

    other = human_clone(tmp_path, origin, git_env, "alice")
    git(other, "checkout", "--quiet", BRANCH)
    (other / "bundle" / "databricks.yml").write_text("edited by hand\n")
    git(other, "commit", "--quiet", "-am", "hand edit", env=git_env)
    git(other, "push", "--quiet", "origin", BRANCH, env=git_env)
    human_sha = git(other, "rev-parse", "HEAD")

    bundle_commit(repo, {"databricks.yml": b"v2\n"}, "regenerate")
    with pytest.raises(PushRejected, match="someone else") as info:
        repo.push(BRANCH, first)
    assert isinstance(info.value, DabgenError)
    assert git(origin, "rev-parse", f"refs/heads/{BRANCH}") == human_sha

    repo.fetch_branch(BRANCH)
    found = repo.commits_not_by(BOT_EMAIL, "origin/main", f"origin/{BRANCH}")
    assert found == [(human_sha, "Alice Human <alice@example.com>")]
    assert repo.commits_not_by(BOT_EMAIL, "origin/main", first) == []


def test_rebased_bot_commit_counts_as_human(
    repo: GitRepo, origin: Path, tmp_path: Path, git_env: dict[str, str]
) -> None:
    repo.checkout_new_branch_from("origin/main", BRANCH)
    bundle_commit(repo, {"a.yml": b"a\n"})
    repo.push(BRANCH, None)
    other = human_clone(tmp_path, origin, git_env, "rebaser")
    git(other, "checkout", "--quiet", BRANCH)
    git(other, "commit", "--quiet", "--amend", "--no-edit", env=git_env)
    git(other, "push", "--quiet", "--force", "origin", BRANCH, env=git_env)
    repo.fetch_branch(BRANCH)
    [(sha, who)] = repo.commits_not_by(BOT_EMAIL, "origin/main", f"origin/{BRANCH}")
    assert who == "Alice Human <alice@example.com>"
    assert sha == git(origin, "rev-parse", f"refs/heads/{BRANCH}")


def test_new_branch_push_fails_when_branch_already_exists(
    repo: GitRepo, origin: Path, tmp_path: Path, git_env: dict[str, str]
) -> None:
    other = human_clone(tmp_path, origin, git_env, "early")
    git(other, "push", "--quiet", "origin", f"HEAD:refs/heads/{BRANCH}", env=git_env)
    repo.checkout_new_branch_from("origin/main", BRANCH)
    bundle_commit(repo, {"x.yml": b"x\n"})
    with pytest.raises(PushRejected):
        repo.push(BRANCH, None)


def test_checkout_remote_branch(repo: GitRepo, origin: Path, tmp_path: Path,
                                git_env: dict[str, str]) -> None:
    other = human_clone(tmp_path, origin, git_env, "pusher")
    git(other, "checkout", "--quiet", "-b", BRANCH)
    (other / "f.txt").write_text("f\n")
    git(other, "add", ".")
    git(other, "commit", "--quiet", "-m", "f", env=git_env)
    git(other, "push", "--quiet", "origin", BRANCH, env=git_env)
    tip = git(other, "rev-parse", "HEAD")
    assert repo.checkout_remote_branch(BRANCH) == tip
    assert repo.current_branch() == BRANCH
    assert (repo.path / "f.txt").read_text() == "f\n"


def test_no_change_commit_returns_none(repo: GitRepo) -> None:
    files = {"databricks.yml": b"same\n", "resources/a.job.yml": b"a\n"}
    bundle_commit(repo, files)
    head = repo.head_sha()
    repo.replace_tree("bundle", files)
    assert not repo.has_changes()
    assert repo.commit("again") is None
    assert repo.head_sha() == head


def test_ignored_files_are_not_changes(repo: GitRepo) -> None:
    (repo.path / ".databricks").mkdir()
    (repo.path / ".databricks" / "cache.json").write_text("{}")
    assert not repo.has_changes()
    assert repo.commit("nothing") is None


def test_replace_tree_removes_stale_files_only_in_subdir(repo: GitRepo) -> None:
    bundle_commit(repo, {
        "databricks.yml": b"v1\n",
        "resources/old.job.yml": b"old\n",
        "src/deep/nested/nb.py": b"print(1)\n",
    })
    (repo.path / "bundle" / "untracked.tmp").write_text("junk")
    (repo.path / "outside.txt").write_text("keep me")
    repo.replace_tree("bundle", {"databricks.yml": b"v2\n", "resources/new.job.yml": b"new\n"})
    files = sorted(p.relative_to(repo.path / "bundle").as_posix()
                   for p in (repo.path / "bundle").rglob("*"))
    assert files == ["databricks.yml", "resources", "resources/new.job.yml"]
    assert (repo.path / "outside.txt").read_text() == "keep me"
    assert (repo.path / "README.md").exists()
    sha = repo.commit("replace")
    assert sha is not None
    tracked = git(repo.path, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert "bundle/resources/old.job.yml" not in tracked
    assert "bundle/src/deep/nested/nb.py" not in tracked
    assert "outside.txt" in tracked  # commit stages the whole work tree by default


def test_commit_paths_limits_what_is_staged(repo: GitRepo) -> None:
    (repo.path / "outside.txt").write_text("not mine")
    repo.replace_tree("bundle", {"databricks.yml": b"x\n"})
    assert repo.commit("only bundle", paths=["bundle"]) is not None
    tracked = git(repo.path, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert "bundle/databricks.yml" in tracked
    assert "outside.txt" not in tracked
    assert repo.has_changes()
    assert not repo.has_changes(["bundle"])


def test_replace_tree_file_and_folder_swap(repo: GitRepo) -> None:
    repo.replace_tree("bundle", {"src/a": b"file\n"})
    repo.replace_tree("bundle", {"src/a/b.py": b"now a folder\n"})
    assert (repo.path / "bundle/src/a/b.py").read_bytes() == b"now a folder\n"
    repo.replace_tree("bundle", {"src/a": b"file again\n"})
    assert (repo.path / "bundle/src/a").read_bytes() == b"file again\n"
    with pytest.raises(BadInputError, match="both a file and a folder"):
        repo.replace_tree("bundle", {"x": b"1", "x/y": b"2"})


def test_replace_tree_never_follows_links_out(repo: GitRepo, tmp_path: Path) -> None:
    outside = tmp_path / "outside-dir"
    outside.mkdir()
    (outside / "victim.txt").write_text("safe")
    bundle = repo.path / "bundle"
    bundle.mkdir()
    (bundle / "src").symlink_to(outside)
    repo.replace_tree("bundle", {"src/victim.txt": b"pwned"})
    assert (outside / "victim.txt").read_text() == "safe"
    assert not (bundle / "src").is_symlink()
    assert (bundle / "src" / "victim.txt").read_bytes() == b"pwned"

    link = repo.path / "linked"
    link.symlink_to(outside)
    with pytest.raises(BadInputError, match="not a folder inside the repository"):
        repo.replace_tree("linked", {"x": b"1"})
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]


@pytest.mark.parametrize("subdir", [".", "", "/", "..", "../x", ".git", "a/../..", ".git/hooks"])
def test_replace_tree_refuses_bad_subdirs(repo: GitRepo, subdir: str) -> None:
    with pytest.raises(BadInputError):
        repo.replace_tree(subdir, {"x": b"1"})
    assert (repo.path / "README.md").exists()


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/../../x", ".git/config",
                                  "a/.GIT/hooks/pre-commit", "a//b", "a\\b", "", "./a"])
def test_replace_tree_refuses_bad_file_names(repo: GitRepo, name: str) -> None:
    with pytest.raises(BadInputError):
        repo.replace_tree("bundle", {name: b"x"})


def test_commit_author_committer_and_trailers(repo: GitRepo) -> None:
    repo.replace_tree("bundle", {"databricks.yml": b"x\n"})
    alice = noreply_co_author("alice", 1234)
    sha = repo.commit("dabgen: job 123\n\nGenerated from job 123.",
                      co_authors=[alice, alice, f"Bot <{BOT_EMAIL}>"])
    assert sha is not None
    fmt = "%an|%ae|%cn|%ce"
    assert git(repo.path, "log", "-1", f"--format={fmt}", sha) == (
        f"{BOT_NAME}|{BOT_EMAIL}|{BOT_NAME}|{BOT_EMAIL}"
    )
    trailers = git(repo.path, "log", "-1", "--format=%(trailers:key=Co-authored-by)", sha)
    assert trailers == "Co-authored-by: alice <1234+alice@users.noreply.github.com>"
    body = git(repo.path, "log", "-1", "--format=%B", sha)
    assert body.startswith("dabgen: job 123\n\nGenerated from job 123.\n\nCo-authored-by:")


def test_commit_with_explicit_author(repo: GitRepo) -> None:
    repo.replace_tree("bundle", {"a": b"a"})
    sha = repo.commit("m", author_name="Someone Else", author_email="se@example.com")
    assert sha is not None
    assert git(repo.path, "log", "-1", "--format=%an <%ae>", sha) == "Someone Else <se@example.com>"


@pytest.mark.parametrize("co_author", ["alice", "alice <no-at>", "a <b@c>\nInjected: yes"])
def test_commit_rejects_malformed_co_authors(repo: GitRepo, co_author: str) -> None:
    repo.replace_tree("bundle", {"a": b"a"})
    with pytest.raises(BadInputError, match="co-author"):
        repo.commit("m", co_authors=[co_author])


def test_unicode_file_names(repo: GitRepo, origin: Path) -> None:
    repo.checkout_new_branch_from("origin/main", BRANCH)
    files = {"src/ノートブック.py": b"# nb\n", "src/café ü.sql": b"select 1\n"}
    sha = bundle_commit(repo, files)
    repo.push(BRANCH, None)
    names = git(origin, "ls-tree", "-r", "-z", "--name-only", sha).split("\0")
    assert "bundle/src/ノートブック.py" in names
    assert "bundle/src/café ü.sql" in names
    assert not repo.has_changes()
    repo.replace_tree("bundle", {"src/ノートブック.py": b"# nb\n"})
    assert repo.has_changes()
    assert not (repo.path / "bundle/src/café ü.sql").exists()


def test_current_branch_detached(repo: GitRepo) -> None:
    assert repo.current_branch() == "main"
    git(repo.path, "checkout", "--quiet", "--detach", "HEAD")
    assert repo.current_branch() is None


def test_init_sets_default_branch(tmp_path: Path, git_env: dict[str, str]) -> None:
    repo = GitRepo.init(tmp_path / "new", "trunk", env=git_env)
    assert repo.current_branch() == "trunk"
    with pytest.raises(BadInputError):
        GitRepo.init(tmp_path / "bad", "a..b", env=git_env)


def test_delete_remote_branch(repo: GitRepo, origin: Path) -> None:
    repo.checkout_new_branch_from("origin/main", BRANCH)
    sha = bundle_commit(repo, {"a": b"a"})
    repo.push(BRANCH, None)
    wrong = repo.commit("x") or git(repo.path, "rev-parse", "HEAD~1")
    with pytest.raises(PushRejected):
        repo.delete_remote_branch(BRANCH, expected_sha=wrong)
    assert repo.remote_branch_sha(BRANCH) == sha
    assert repo.delete_remote_branch(BRANCH, expected_sha=sha) is True
    assert repo.remote_branch_sha(BRANCH) is None
    assert repo.delete_remote_branch(BRANCH) is False


@pytest.mark.parametrize("branch", ["bad..name", "-x", "a b", "end.lock", "x~1", ""])
def test_invalid_branch_names_are_refused(repo: GitRepo, branch: str) -> None:
    with pytest.raises(BadInputError, match="not a valid git branch name"):
        repo.push(branch, None)


def test_bad_lease_sha_is_refused(repo: GitRepo) -> None:
    with pytest.raises(BadInputError, match="full commit sha"):
        repo.push(BRANCH, "HEAD")


# -- secrets never reach error text ---------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_token_in_clone_url_is_not_in_the_error(tmp_path: Path, git_env: dict[str, str]) -> None:
    url = f"https://x-access-token:{PLAIN_TOKEN}@127.0.0.1:{closed_port()}/o/r.git"
    with pytest.raises(GitError) as info:
        GitRepo.clone(url, tmp_path / "c1", env=git_env)
    assert PLAIN_TOKEN not in str(info.value)
    assert str(info.value).startswith("git clone failed:")
    assert "\n" not in str(info.value)


def test_token_in_origin_url_is_not_in_push_or_ls_remote_errors(
    repo: GitRepo, git_env: dict[str, str]
) -> None:
    for url in (f"https://x-access-token:{FAKE_TOKEN}@127.0.0.1:{closed_port()}/o/r.git",
                f"https://{PLAIN_TOKEN}@127.0.0.1:{closed_port()}/o/r.git"):
        git(repo.path, "remote", "set-url", "origin", url)
        with pytest.raises(GitError) as info:
            repo.remote_branch_sha(BRANCH)
        assert FAKE_TOKEN not in str(info.value)
        assert PLAIN_TOKEN not in str(info.value)
        repo.checkout_new_branch_from("HEAD", BRANCH)
        with pytest.raises(GitError) as info:
            repo.push(BRANCH, None)
        assert FAKE_TOKEN not in str(info.value)
        assert PLAIN_TOKEN not in str(info.value)


def test_token_shaped_text_echoed_by_git_is_redacted(
    repo: GitRepo, git_env: dict[str, str]
) -> None:
    url = f"https://127.0.0.1:{closed_port()}/{FAKE_TOKEN}/r.git"
    raw = subprocess.run(["git", "ls-remote", url], capture_output=True, text=True, check=False,
                         env={**os.environ, **git_env})
    assert FAKE_TOKEN in raw.stderr  # git prints this URL as it is
    git(repo.path, "remote", "set-url", "origin", url)
    with pytest.raises(GitError) as info:
        repo.remote_branch_sha(BRANCH)
    assert FAKE_TOKEN not in str(info.value)
    assert "***" in str(info.value)


def test_env_secret_echoed_by_git_is_redacted(tmp_path: Path, git_env: dict[str, str]) -> None:
    secret = "env-secret-" + "9" * 20
    missing = tmp_path / f"no-such-repo-{secret}"
    raw = subprocess.run(["git", "clone", str(missing), str(tmp_path / "raw")],
                         capture_output=True, text=True, check=False)
    assert secret in raw.stderr  # git does echo it: the redaction below is what hides it
    env = {**git_env, "GITHUB_TOKEN": secret}
    with pytest.raises(GitError) as info:
        GitRepo.clone(str(missing), tmp_path / "c2", env=env)
    assert secret not in str(info.value)
    assert "***" in str(info.value)


class _AuthRequired(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def auth_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AuthRequired)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/o/r.git"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_no_terminal_prompt_when_credentials_are_missing(
    tmp_path: Path, git_env: dict[str, str], auth_server: str
) -> None:
    with pytest.raises(GitError, match="terminal prompts disabled") as info:
        GitRepo.clone(auth_server, tmp_path / "c3", env=git_env)
    assert str(info.value).startswith("git clone failed:")


@pytest.mark.parametrize("ref", ["--upload-pack=evil", "a..b", "main ~1", ""])
def test_revisions_that_could_be_options_or_ranges_are_refused(repo: GitRepo, ref: str) -> None:
    with pytest.raises(BadInputError, match="revision"):
        repo.commits_not_by(BOT_EMAIL, ref, "HEAD")


def test_revision_expressions_are_allowed(repo: GitRepo) -> None:
    bundle_commit(repo, {"a": b"a"})
    assert repo.commits_not_by(BOT_EMAIL, "HEAD~1", "HEAD") == []
    [(_, who)] = repo.commits_not_by("someone@else", "HEAD~1", "HEAD")
    assert who == f"{BOT_NAME} <{BOT_EMAIL}>"


def test_read_and_list_files_at_a_revision(repo: GitRepo) -> None:
    bundle_commit(repo, {"resources/a.job.yml": b"# dabgen: job 1\n", "src/ü n.py": b"x\n"})
    (repo.path / "bundle" / "resources" / "a.job.yml").write_text("changed, uncommitted")
    assert repo.read_at("HEAD", "bundle/resources/a.job.yml") == "# dabgen: job 1\n"
    assert repo.read_at("HEAD", "bundle/missing.yml") is None
    assert repo.list_at("HEAD", "bundle") == ["resources/a.job.yml", "src/ü n.py"]
    assert repo.list_at("HEAD", "nowhere") == []
    with pytest.raises(BadInputError):
        repo.read_at("HEAD", "../outside")
    with pytest.raises(BadInputError):
        repo.list_at("--output=x", "bundle")


def test_init_with_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   git_env: dict[str, str]) -> None:
    monkeypatch.chdir(tmp_path)
    repo = GitRepo.init(Path("rel"), "main", git_env)
    (tmp_path / "rel" / "a.txt").write_text("a")
    assert repo.commit("first") is not None
    assert repo.path == tmp_path / "rel"
    assert not (tmp_path / "rel" / "rel").exists()
