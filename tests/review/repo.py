"""A repository holding dabgen's bundle of the demo jobs, and changes to it, for reviews.

`main` (pushed to a bare `origin`) holds `bundle/` as `dabgen generate` writes it for jobs
1001, 1002 and 1003 of the demo workspace, plus `.dabgen.yml`; tests then change the bundle
on a branch the way a person or the bot would, and review that change.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
from dabgen_ci.flows.select import JobSelection
from dabgen_ci.workspace.snapshot import SnapshotSource

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "dabgen_ci" / "data" / "demo_workspace"
JOB_IDS = (1001, 1002, 1003)
ETL = "bundle/resources/nightly_sales_etl.job.yml"
DASHBOARD = "bundle/resources/revenue_dashboard_refresh.job.yml"
ENV = {"GIT_AUTHOR_NAME": "Dana", "GIT_AUTHOR_EMAIL": "dana@example.com",
       "GIT_COMMITTER_NAME": "Dana", "GIT_COMMITTER_EMAIL": "dana@example.com",
       "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}
NEW_JOB = """\
resources:
  jobs:
    adhoc_export:
      name: Adhoc Export
      email_notifications:
        on_failure:
          - data-eng-oncall@acme.com
      tasks:
        - task_key: export
          existing_cluster_id: 0923-164208-meows279
          notebook_task:
            notebook_path: ../src/sales/01_ingest_orders.py
"""


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **ENV},
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def demo_bundle(out: Path) -> dict[str, bytes]:
    result = generate_jobs(SnapshotSource(DEMO), JobSelection(ids=JOB_IDS),
                           GenerateOptions(out=out, run_cli=False))
    assert result.rendered is not None
    return dict(result.rendered.files)


def make_origin(root: Path, files: dict[str, bytes], config: str = "version: 1\n") -> Path:
    """A bare `origin` whose `main` holds `files` under bundle/ and `.dabgen.yml`."""
    bare, seed = root / "origin.git", root / "seed"
    git(root, "init", "-q", "--bare", "-b", "main", str(bare))
    git(root, "init", "-q", "-b", "main", str(seed))
    for rel, data in files.items():
        (seed / "bundle" / rel).parent.mkdir(parents=True, exist_ok=True)
        (seed / "bundle" / rel).write_bytes(data)
    (seed / ".dabgen.yml").write_text(config)
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "bundle for the demo jobs")
    git(seed, "remote", "add", "origin", str(bare))
    git(seed, "push", "-q", "origin", "main")
    shutil.rmtree(seed)
    return bare


def clone(bare: Path, dest: Path, branch: str = "change") -> Path:
    git(dest.parent, "clone", "-q", str(bare), str(dest))
    git(dest, "checkout", "-qb", branch)
    return dest


def edit(checkout: Path, rel: str, old: str, new: str) -> None:
    path = checkout / rel
    text = path.read_text()
    assert text.count(old) == 1, (rel, old)
    path.write_text(text.replace(old, new))


def commit(checkout: Path, message: str = "change the bundle") -> str:
    git(checkout, "add", "-A")
    git(checkout, "commit", "-qm", message)
    return git(checkout, "rev-parse", "HEAD")
