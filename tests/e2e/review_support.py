"""Running `dabgen action` in-process for review tests, and pull requests that touch bundles.

`run_in_process` invokes the real click command with the environment GitHub Actions gives a
container (CliRunner restores every variable it sets, and the SIGTERM handler the action
installs is put back), against the world's GitHub server, workspace server and bare remote.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from dabgen_ci.cli import cli
from tests.e2e.conftest import REPO, Run, World, git, parse_outputs
from tests.review.repo import demo_bundle
from tests.review.state import DEMO_BOUND, deploy_state

CLEARED = ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_ID",
           "DATABRICKS_CLIENT_SECRET", "DATABRICKS_AUTH_TYPE", "ANTHROPIC_API_KEY",
           "ANTHROPIC_BASE_URL", "GITHUB_ACTIONS", "DABGEN_DEBUG")


def run_in_process(world: World, event: str, payload: dict[str, Any],
                   env: dict[str, str] | None = None) -> Run:
    world._runs += 1
    run_dir = world.root / f"run{world._runs}"
    run_dir.mkdir()
    event_file = run_dir / "event.json"
    event_file.write_text(json.dumps(payload))
    checkout = run_dir / "checkout"
    git(run_dir, "clone", "-q", str(world.bare), str(checkout))
    outputs, summary = run_dir / "output", run_dir / "summary.md"
    outputs.touch()
    summary.touch()
    first = len(world.github.requests)
    full: dict[str, str | None] = {name: None for name in CLEARED}
    full.update(world._env(event, event_file, checkout, outputs, summary, env))
    previous = signal.getsignal(signal.SIGTERM)
    try:
        result = CliRunner().invoke(cli, ["action"], env=full, catch_exceptions=False)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return Run(result.exit_code, result.stdout, result.stderr,
               parse_outputs(outputs.read_text()), summary.read_text(), first)


def pull_payload(world: World, number: int, action: str = "opened") -> dict[str, Any]:
    repo = world._gh.get_repo(REPO)
    pull = repo.get_pull(number)
    return {"action": action, "number": number, "pull_request": pull.raw_data,
            "repository": repo.raw_data, "sender": pull.raw_data["user"]}


def seed_main_with_bundle(world: World, scratch: Path) -> None:
    """`main` gets dabgen's bundle of the demo jobs 1001–1003 under bundle/, deployed to
    its prod target (the workspace's deployment state binds the three jobs)."""
    files = demo_bundle(scratch / "generated")
    deploy_state(world.snapshot, "generated", DEMO_BOUND)
    work = scratch / "seed"
    git(scratch, "clone", "-q", str(world.bare), str(work))
    for rel, data in files.items():
        (work / "bundle" / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / "bundle" / rel).write_bytes(data)
    git(work, "add", "-A")
    git(work, "commit", "-qm", "bundle of the demo jobs")
    git(work, "push", "-q", "origin", "main")


def push_change(world: World, branch: str, *, write: dict[str, str] | None = None,
                delete: tuple[str, ...] = (), message: str = "change the bundle",
                start: str = "main") -> str:
    """A person's commit on `branch` (created from `start` when new); returns its sha."""
    work = world.root / f"change-{len(list(world.root.iterdir()))}"
    git(world.root, "clone", "-q", str(world.bare), str(work))
    exists = branch in world.branches()
    git(work, "checkout", "-q", branch) if exists else git(work, "checkout", "-qb", branch,
                                                          f"origin/{start}")
    for rel, text in (write or {}).items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)
    for rel in delete:
        (work / rel).unlink()
    git(work, "add", "-A")
    git(work, "commit", "-qm", message)
    git(work, "push", "-q", "origin", branch)
    return git(work, "rev-parse", "HEAD")
