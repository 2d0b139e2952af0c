"""A checkout and a workspace for sync tests: the demo workspace behind the workspace server,
a repository folder holding the bundle dabgen generated from it, and `dabgen sync` run
in-process through the real CLI and the real databricks-sdk client."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
from dabgen_ci.flows.select import JobSelection
from dabgen_ci.workspace.snapshot import SnapshotSource
from tests.commands.cli_support import live_env, run
from tests.servers.workspace_server import WorkspaceServer

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "dabgen_ci" / "data" / "demo_workspace"
NOTEBOOKS = "workspace/Workspace/Users/data-eng@acme.com"
CONFIG = "version: 1\nbundle_dir: bundle\nbundle_name: sales\njobs: {ids: [1001, 1002]}\n"


@dataclass
class World:
    snapshot: Path
    checkout: Path
    server: WorkspaceServer

    @property
    def bundle(self) -> Path:
        return self.checkout / "bundle"

    def sync(self, *args: str) -> Result:
        config = str(self.checkout / ".dabgen.yml")
        return run(["sync", "--config", config, *args], live_env(self.server))

    def sync_json(self, *args: str) -> tuple[int, dict[str, Any]]:
        result = self.sync(*args, "--json")
        return result.exit_code, json.loads(result.stdout)

    def edit_job(self, job_id: int, change: Callable[[dict[str, Any]], None]) -> None:
        path = self.snapshot / "jobs" / f"{job_id}.json"
        job = json.loads(path.read_text())
        change(job["settings"])
        path.write_text(json.dumps(job))

    def add_job(self, job: dict[str, Any]) -> None:
        (self.snapshot / "jobs" / f"{job['job_id']}.json").write_text(json.dumps(job))

    def delete_job(self, job_id: int) -> None:
        (self.snapshot / "jobs" / f"{job_id}.json").unlink()

    def notebook(self, rel: str) -> Path:
        return self.snapshot / NOTEBOOKS / rel

    def read(self, rel: str) -> str:
        return (self.bundle / rel).read_text()

    def write(self, rel: str, text: str) -> None:
        (self.bundle / rel).write_text(text)

    def files(self) -> dict[str, bytes]:
        return {p.relative_to(self.checkout).as_posix(): p.read_bytes()
                for p in sorted(self.checkout.rglob("*")) if p.is_file()}


def generated_bundle(snapshot: Path, out: Path, ids: tuple[int, ...],
                     name: str = "sales") -> None:
    result = generate_jobs(SnapshotSource(snapshot), JobSelection(ids=ids),
                           GenerateOptions(out=out, bundle_name=name, run_cli=False))
    assert result.ok, result.diagnostics


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(DEMO, snapshot)
    checkout = tmp_path / "checkout"
    generated_bundle(snapshot, checkout / "bundle", (1001, 1002))
    (checkout / ".dabgen.yml").write_text(CONFIG)
    with WorkspaceServer(snapshot) as server:
        yield World(snapshot, checkout, server)
    assert server.errors == []


def job_report(payload: dict[str, Any], job_id: int, bundle: int = 0) -> dict[str, Any]:
    jobs = payload["bundles"][bundle]["jobs"]
    return next(j for j in jobs if j["job_id"] == job_id)
