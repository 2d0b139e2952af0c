"""Benchmark: 1,000 jobs / 3,000 task notebooks → one bundle, through the workspace server.

Builds a synthetic snapshot (a third of the task notebooks shared between jobs), serves it
with the test workspace server on 127.0.0.1, runs ``generate job --all`` through the real
databricks-sdk client, and prints wall time, peak RSS and API calls by endpoint as JSON.

    python benchmarks/bench_generate.py [--jobs 1000] [--tasks-per-job 3] [--shared 50]
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dabgen_ci.flows.generate import GenerateOptions, generate_jobs  # noqa: E402
from dabgen_ci.flows.select import JobSelection  # noqa: E402
from dabgen_ci.workspace.live import LiveSource  # noqa: E402
from tests.servers.workspace_server import WorkspaceServer  # noqa: E402

NOTEBOOK = "# Databricks notebook source\ndbutils.widgets.text('day', '')\nprint({n!r})\n"


def build_snapshot(root: Path, jobs: int, tasks_per_job: int, shared: int) -> int:
    """Write the synthetic snapshot; returns the number of distinct notebooks."""
    (root / "jobs").mkdir(parents=True)
    base = root / "workspace" / "Workspace" / "Shared" / "bench"
    distinct: set[str] = set()
    for s in range(shared):
        _notebook(base / "shared" / f"common_{s:03d}.py", f"shared {s}")
        distinct.add(f"shared/common_{s:03d}")
    for j in range(jobs):
        tasks = []
        for t in range(tasks_per_job):
            if t == tasks_per_job - 1:  # every third task notebook is a shared one
                rel = f"shared/common_{j % shared:03d}"
            else:
                rel = f"job_{j:04d}/step_{t}"
                _notebook(base / f"{rel}.py", rel)
            distinct.add(rel)
            task = {"task_key": f"step_{t}",
                    "notebook_task": {"notebook_path": f"/Workspace/Shared/bench/{rel}",
                                      "source": "WORKSPACE"},
                    "job_cluster_key": "c"}
            if t:
                task["depends_on"] = [{"task_key": f"step_{t - 1}"}]
            tasks.append(task)
        body = {"job_id": 10_000 + j, "creator_user_name": "bench@acme.com",
                "created_time": 1700000000000,
                "settings": {"name": f"bench job {j:04d}", "max_concurrent_runs": 1,
                             "tags": {"bench": "yes"},
                             "job_clusters": [{"job_cluster_key": "c", "new_cluster": {
                                 "spark_version": "15.4.x-scala2.12",
                                 "node_type_id": "i3.xlarge", "num_workers": 2}}],
                             "tasks": tasks, "format": "MULTI_TASK"}}
        (root / "jobs" / f"{10_000 + j}.json").write_text(json.dumps(body))
    return len(distinct)


def _notebook(path: Path, name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NOTEBOOK.format(n=name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--tasks-per-job", type=int, default=3)
    parser.add_argument("--shared", type=int, default=50)
    parser.add_argument("--parallelism", type=int, default=8)
    args = parser.parse_args()
    logging.getLogger("databricks.sdk").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        snap = Path(tmp) / "snap"
        distinct = build_snapshot(snap, args.jobs, args.tasks_per_job, args.shared)
        with WorkspaceServer(snap) as server:
            source = LiveSource.from_config(host=server.url, token=server.token)
            start = time.perf_counter()
            result = generate_jobs(
                source, JobSelection(all=True),
                GenerateOptions(out=Path(tmp) / "bundle", run_cli=False,
                                parallelism=args.parallelism),
            )
            wall = time.perf_counter() - start
            served = dict(sorted(server.requests.items()))
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    budget = -(-args.jobs // 100) + distinct + 5
    print(json.dumps({
        "jobs": args.jobs, "task_notebooks": args.jobs * args.tasks_per_job,
        "distinct_notebooks": distinct, "files_written": len(result.files),
        "errors": sum(d.severity == "error" for d in result.diagnostics),
        "roundtrip_differences": len(result.roundtrip),
        "wall_seconds": round(wall, 2), "peak_rss_mb": round(peak_rss_mb, 1),
        "api_calls_client": result.api_calls, "api_calls_server": served,
        "api_call_budget": budget,
        "api_calls_total": sum(v for k, v in served.items() if "well-known" not in k),
        "timings_seconds": {k: round(v, 2) for k, v in result.timings.items()},
    }, indent=2))


if __name__ == "__main__":
    main()
