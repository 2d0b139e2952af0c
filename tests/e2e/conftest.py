"""A world for end-to-end runs of `dabgen action`: git remote, GitHub, Databricks, events.

`World` owns a bare repository (the `origin`), a stateful fake GitHub over it, and a
Databricks workspace server that serves a copy of the demo snapshot. `World.run` writes
a real event payload (the fake's own JSON for the repository, issue and comment), clones
the remote as `GITHUB_WORKSPACE` like actions/checkout, and runs `dabgen action` with
exactly the environment GitHub Actions provides: in this process (the click command, its
environment and working directory swapped in and restored), or with `process=True` as the
child process the Docker entrypoint is (the test of that contract).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from click.testing import CliRunner
from github import Auth, Github

from dabgen_ci.cli import cli
from tests.servers.github_server import CommentSnapshot, GitHubServer
from tests.servers.workspace_server import WorkspaceServer

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "dabgen_ci" / "data" / "demo_workspace"
REPO = "acme/data-jobs"
GITHUB_TOKEN = "ghs_" + "Q7x9KzP2mWv4Lr8Tn3Yb6Hc1Jd5Fg0Sa" + "e2Rk"
DATABRICKS_TOKEN = "dapi" + "3f9a1c7e5b2d8f4a6c0e9b1d7a3f5c2e"
SECRETS = (GITHUB_TOKEN, DATABRICKS_TOKEN)
BOT = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
PR_BRANCH = "dabgen/job-1001"
RUN_TIMEOUT = 60

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Dana Engineer", "GIT_AUTHOR_EMAIL": "dana@example.com",
    "GIT_COMMITTER_NAME": "Dana Engineer", "GIT_COMMITTER_EMAIL": "dana@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent",
}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **_GIT_ENV},
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    first_request: int  # index into GitHubServer.requests where this run began


class World:
    def __init__(self, root: Path, bare: Path, github: GitHubServer,
                 workspace: WorkspaceServer, snapshot: Path) -> None:
        self.root, self.bare, self.github = root, bare, github
        self.workspace, self.snapshot = workspace, snapshot
        self._runs = 0
        self._gh = Github(auth=Auth.Token("ghs_test_reader"), base_url=github.url,
                          seconds_between_requests=0, seconds_between_writes=0)
        for login, role in (("alice", "write"), ("bob", "read"), ("carol", "admin")):
            github.set_permission(login, role)
        self.issue = github.add_issue("Put the nightly sales job under version control",
                                      "Please convert it.", "alice")

    def close(self) -> None:
        self._gh.close()

    # -- acting -------------------------------------------------------------------------

    def comment(self, body: str, user: str = "alice", number: int | None = None,
                user_type: str = "User") -> int:
        return self.github.add_comment(number or self.issue, body, user, user_type)

    def run(self, comment_id: int, number: int | None = None, *,
            env: dict[str, str] | None = None, payload: dict[str, Any] | None = None,
            event: str = "issue_comment",
            prepare: Callable[[Path], object] | None = None, process: bool = False) -> Run:
        """`dabgen action` for the `created` event of `comment_id` on issue/PR `number`;
        ``process``: as a child process, the way the Docker entrypoint runs it."""
        self._runs += 1
        run_dir = self.root / f"run{self._runs}"
        run_dir.mkdir()
        event_file = run_dir / "event.json"
        event_file.write_text(json.dumps(payload or self.payload(comment_id, number)))
        checkout = run_dir / "checkout"
        git(run_dir, "clone", "-q", str(self.bare), str(checkout))
        if prepare is not None:
            prepare(checkout)
        outputs, summary = run_dir / "output", run_dir / "summary.md"
        outputs.touch()
        summary.touch()
        first = len(self.github.requests)
        run_env = self._env(event, event_file, checkout, outputs, summary, env)
        if process:
            proc = subprocess.run(
                [sys.executable, "-c", "from dabgen_ci.cli import main; main()", "action"],
                cwd=checkout, env=run_env, capture_output=True, text=True,
                timeout=RUN_TIMEOUT, check=False)
            code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        else:
            code, stdout, stderr = action_in_process(run_env, checkout)
        return Run(code, stdout, stderr, parse_outputs(outputs.read_text()),
                   summary.read_text(), first)

    def payload(self, comment_id: int, number: int | None = None) -> dict[str, Any]:
        """The issue_comment payload GitHub sends, from the fake's own JSON."""
        repo = self._gh.get_repo(REPO)
        issue = repo.get_issue(number or self.issue)
        comment = issue.get_comment(comment_id)
        return {"action": "created", "issue": issue.raw_data, "comment": comment.raw_data,
                "repository": repo.raw_data, "sender": comment.raw_data["user"]}

    def _env(self, event: str, event_file: Path, checkout: Path, outputs: Path, summary: Path,
             extra: dict[str, str] | None) -> dict[str, str]:
        home = self.root / "home"
        home.mkdir(exist_ok=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "PYTHONPATH": str(ROOT), "GIT_CONFIG_NOSYSTEM": "1", "LANG": "C.UTF-8",
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": str(event_file), "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": self.github.url, "GITHUB_SERVER_URL": self.github.url,
            "GITHUB_TOKEN": GITHUB_TOKEN, "GITHUB_WORKSPACE": str(checkout),
            "GITHUB_RUN_ID": f"90{self._runs}", "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
            "INPUT_DATABRICKS-HOST": self.workspace.url,
            "INPUT_DATABRICKS-TOKEN": DATABRICKS_TOKEN,
            "INPUT_VALIDATION": "offline", "INPUT_BUNDLE-DIR": "bundle",
            "INPUT_CONFIG": ".dabgen.yml",
            "DATABRICKS_CONFIG_FILE": str(self.root / "no-databrickscfg"),
            "DABGEN_GITHUB_RETRY_BACKOFF": "0", "DABGEN_GITHUB_RATE_WAIT": "0.05",
        }
        return {**env, **(extra or {})}

    # -- the Databricks side ------------------------------------------------------------

    def edit_job(self, job_id: int, change: Callable[[dict[str, Any]], None]) -> None:
        path = self.snapshot / "jobs" / f"{job_id}.json"
        job = json.loads(path.read_text())
        change(job)
        path.write_text(json.dumps(job))

    def add_job(self, job: dict[str, Any]) -> None:
        (self.snapshot / "jobs" / f"{job['job_id']}.json").write_text(json.dumps(job))

    # -- reading the outcome ------------------------------------------------------------

    def branch_sha(self, branch: str) -> str | None:
        done = subprocess.run(["git", "rev-parse", "--verify", "-q", f"refs/heads/{branch}"],
                              cwd=self.bare, capture_output=True, text=True, check=False)
        return done.stdout.strip() or None

    def branches(self) -> list[str]:
        """Branch names of the remote, sorted."""
        return sorted(git(self.bare, "for-each-ref", "--format=%(refname:short)",
                          "refs/heads").split())

    def show(self, branch: str, path: str) -> str:
        return git(self.bare, "show", f"{branch}:{path}")

    def files(self, branch: str) -> list[str]:
        return git(self.bare, "ls-tree", "-r", "--name-only", branch).splitlines()

    def commit_info(self, rev: str) -> dict[str, str]:
        fields = git(self.bare, "log", "-1", "--format=%an%x1f%ae%x1f%cn%x1f%ce%x1f%B", rev)
        an, ae, cn, ce, body = fields.split("\x1f")
        return {"author": f"{an} <{ae}>", "committer": f"{cn} <{ce}>", "message": body}

    def bot_comments(self, number: int | None = None) -> list[CommentSnapshot]:
        return [c for c in self.github.comments(number or self.issue) if c.user == BOT]

    def user_id(self, login: str) -> int:
        return self._gh.get_user(login).id

    def everything_sent(self, run: Run | None = None) -> str:
        """Every request body the bot sent to GitHub, every git object, the run's streams."""
        start = run.first_request if run else 0
        bodies = [json.dumps(r.body, ensure_ascii=False) + r.path
                  for r in self.github.requests[start:]]
        history = git(self.bare, "log", "--all", "-p", "--format=%an %ae %B")
        streams = [run.stdout, run.stderr, run.summary, json.dumps(run.outputs)] if run else []
        return "\n".join([*bodies, history, *streams])


def action_in_process(env: Mapping[str, str], cwd: Path) -> tuple[int, str, str]:
    """`dabgen action` through the real click group, with `env` as the whole environment
    and `cwd` as the working directory, as in the runner's container. The action changes
    process state (it exports DATABRICKS_* for the SDK and the CLI, handles SIGTERM); all
    of it is restored, so runs do not leak into each other or into the suite."""
    previous_cwd, previous_sigterm = Path.cwd(), signal.getsignal(signal.SIGTERM)
    try:
        with mock.patch.dict(os.environ, env, clear=True):
            os.chdir(cwd)
            result = CliRunner().invoke(cli, ["action"], prog_name="dabgen",
                                        catch_exceptions=False)
    finally:
        os.chdir(previous_cwd)
        signal.signal(signal.SIGTERM, previous_sigterm)
    return result.exit_code, result.stdout, result.stderr


def parse_outputs(text: str) -> dict[str, str]:
    """GitHub's `$GITHUB_OUTPUT` format: `name=value` or `name<<DELIM` … `DELIM`."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            collected = []
            for inner in lines:
                if inner == delimiter:
                    break
                collected.append(inner)
            values[name] = "\n".join(collected)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


@pytest.fixture(scope="session")
def template_remote(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("e2e-template")
    bare, work = root / "remote.git", root / "work"
    git(root, "init", "-q", "--bare", "-b", "main", str(bare))
    git(root, "init", "-q", "-b", "main", str(work))
    (work / "README.md").write_text("# data jobs\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "init")
    git(work, "remote", "add", "origin", str(bare))
    git(work, "push", "-q", "origin", "main")
    return bare


@pytest.fixture
def world(template_remote: Path, tmp_path: Path) -> Iterator[World]:
    bare = tmp_path / "remote.git"
    shutil.copytree(template_remote, bare)
    snapshot = tmp_path / "snapshot"
    shutil.copytree(DEMO, snapshot)
    with GitHubServer(bare) as github, WorkspaceServer(snapshot, token=DATABRICKS_TOKEN) as ws:
        created = World(tmp_path, bare, github, ws, snapshot)
        yield created
        created.close()
    assert github.errors == []
    assert ws.errors == []


def push_commit(world: World, branch: str, path: str, text: str, message: str) -> str:
    """A human's commit on `branch` of the remote (made in a scratch clone)."""
    scratch = world.root / f"human-{len(world.branches())}-{branch.replace('/', '-')}"
    git(world.root, "clone", "-q", "-b", branch, str(world.bare), str(scratch))
    (scratch / path).parent.mkdir(parents=True, exist_ok=True)
    (scratch / path).write_text(text)
    git(scratch, "add", "-A")
    git(scratch, "commit", "-q", "-m", message)
    git(scratch, "push", "-q", "origin", branch)
    return git(scratch, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The bundle of job 1001 as dabgen renders it (the same files the bot commits)."""
    from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
    from dabgen_ci.flows.select import JobSelection
    from dabgen_ci.workspace.snapshot import SnapshotSource

    out = tmp_path_factory.mktemp("demo-bundle") / "bundle"
    result = generate_jobs(SnapshotSource(DEMO), JobSelection(ids=(1001,)),
                           GenerateOptions(out=out, run_cli=False))
    assert result.ok and result.rendered is not None
    return dict(result.rendered.files)


@pytest.fixture
def dabgen_pr(world: World, demo_bundle: dict[str, bytes]) -> int:
    """A dabgen PR for job 1001 as the bot leaves it: bot commit on the branch, marked body."""
    from dabgen_ci.core.bot.markers import PrOrigin, pr_marker

    scratch = world.root / "bot-setup"
    git(world.root, "clone", "-q", str(world.bare), str(scratch))
    git(scratch, "checkout", "-q", "-b", PR_BRANCH)
    for rel, data in demo_bundle.items():
        (scratch / "bundle" / rel).parent.mkdir(parents=True, exist_ok=True)
        (scratch / "bundle" / rel).write_bytes(data)
    git(scratch, "add", "-A")
    bot = {"GIT_AUTHOR_NAME": BOT, "GIT_AUTHOR_EMAIL": BOT_EMAIL,
           "GIT_COMMITTER_NAME": BOT, "GIT_COMMITTER_EMAIL": BOT_EMAIL}
    subprocess.run(["git", "commit", "-q", "-m", "dabgen: bundle for job 1001"], cwd=scratch,
                   env={**os.environ, **_GIT_ENV, **bot}, check=True)
    git(scratch, "push", "-q", "origin", PR_BRANCH)
    body = pr_marker(PrOrigin(job_ids=(1001,), issue=world.issue)) + "\nA bundle.\n"
    with Github(auth=Auth.Token("ghs_setup"), base_url=world.github.url,
                seconds_between_requests=0, seconds_between_writes=0) as gh:
        pull = gh.get_repo(REPO).create_pull(base="main", head=PR_BRANCH, body=body,
                                             title="dabgen: bundle for job 1001")
    return pull.number
