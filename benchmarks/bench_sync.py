"""Benchmark: ``dabgen sync --check`` on a large workspace against the bare list+export floor.

A synthetic workspace (default 10,000 jobs × 3 notebook tasks = 30,000 task notebooks, one
task in three using one of 50 shared notebooks) is served by the test workspace server in
its own process on 127.0.0.1. A checkout is brought in step with it by a first sync; then
5 % of the jobs drift in the workspace (a changed field, a rename, a new task, a changed
notebook — in turn). Then, alternately and ``--runs`` times each:

* **floor** — a process doing only what no sync can avoid: every ``jobs/list`` page
  (``expand_tasks``) and one ``workspace/export`` per distinct notebook, through the same
  databricks-sdk client and thread count;
* **sync** — ``dabgen sync --check --json`` as a user runs it (interpreter start included).

Reported: medians of wall time and their ratio (goal ≤ 1.5x), the API calls the server
answered (goal ≤ list pages + exports + 10), peak RSS (goal < 1 GB), the share of the
merge and report phases in the sync's wall time (goal < 10 %), and whether four shards
(``--shard I/4`` then ``--merge-shards``) write the same bytes as one run.

    python benchmarks/bench_sync.py [--jobs 10000] [--drift 0.05] [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: its harness
from harness import (
    Run,
    ServerProcess,
    build_snapshot,
    clean_env,
    dabgen_argv,
    floor_argv,
    measure,
    progress,
    server_process,
    tree_digest,
)

CONFIG = "version: 1\nbundle_dir: bundle\nbundle_name: bench\njobs: {names: ['bench*']}\n"
SHARDS = 4


# -- the synthetic workspace and its drift ---------------------------------------------------


def drift(root: Path, jobs: int, share: float) -> int:
    """Change ``share`` of the jobs in the workspace, four kinds of change in turn."""
    count = max(1, int(jobs * share))
    step = jobs // count
    for n in range(count):
        j = n * step
        path = root / "jobs" / f"{10_000 + j}.json"
        body = json.loads(path.read_text())
        settings = body["settings"]
        kind = n % 4
        if kind == 0:
            settings["max_concurrent_runs"] = 3
        elif kind == 1:
            settings["name"] += " (renamed)"
        elif kind == 2:
            extra = json.loads(json.dumps(settings["tasks"][0]))
            extra["task_key"] = "publish"
            extra["depends_on"] = [{"task_key": settings["tasks"][-1]["task_key"]}]
            settings["tasks"].append(extra)
        else:
            notebook = (root / "workspace" / "Workspace" / "Shared" / "bench" / f"job_{j:05d}"
                        / "step_0.py")
            notebook.write_text(notebook.read_text() + "print('drifted')\n")
        path.write_text(json.dumps(body))
    return count


# -- the benchmark ----------------------------------------------------------------------------


def bench(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    snap, checkout = work / "snap", work / "checkout"
    progress(f"building a workspace of {args.jobs:,} jobs")
    distinct = build_snapshot(snap, args.jobs, args.tasks_per_job, args.shared)
    checkout.mkdir()
    (checkout / ".dabgen.yml").write_text(CONFIG)
    config = str(checkout / ".dabgen.yml")
    par = ["--parallelism", str(args.parallelism)]
    with server_process(snap) as server:
        env = clean_env(server.url)
        progress("first sync: the repository in step with the workspace")
        first = measure(dabgen_argv("sync", "--config", config, "--json", "--no-validate",
                                    *par), env)
        server.counts()
        drifted = drift(snap, args.jobs, args.drift)
        floors, syncs = [], []
        for n in range(args.runs):
            progress(f"run {n + 1}/{args.runs}: floor")
            run = measure(floor_argv(server.url, args.parallelism), env)
            run.api_calls = server.counts()
            floors.append(run)
            progress(f"run {n + 1}/{args.runs}: dabgen sync --check")
            run = measure(dabgen_argv("sync", "--config", config, "--check", "--json", *par), env)
            run.api_calls = server.counts()
            syncs.append(run)
        shards = bench_shards(work, checkout, server, env, par)
    return report(args, distinct, drifted, first, floors, syncs, shards)


def bench_shards(work: Path, checkout: Path, server: ServerProcess, env: dict[str, str],
                 par: list[str]) -> dict[str, Any]:
    single, sharded = work / "single", work / "sharded"
    shutil.copytree(checkout, single)
    shutil.copytree(checkout, sharded)
    progress("one unsharded sync (writing)")
    one = measure(dabgen_argv("sync", "--config", str(single / ".dabgen.yml"), "--json",
                         "--no-validate", *par), env)
    server.counts()
    walls, dirs = [], []
    for index in range(1, SHARDS + 1):
        progress(f"shard {index}/{SHARDS}")
        out = work / "artifacts" / f"shard-{index}"
        run = measure(dabgen_argv("sync", "--config", str(sharded / ".dabgen.yml"), "--shard",
                             f"{index}/{SHARDS}", "--shard-out", str(out), "--json", *par), env)
        walls.append(round(run.wall, 2))
        dirs.append(str(out))
    shard_calls = server.counts()
    progress("merging the shards")
    merged = measure(dabgen_argv("sync", "--config", str(sharded / ".dabgen.yml"), "--json",
                            "--no-validate", "--merge-shards", *dirs), env)
    same = tree_digest(single / "bundle") == tree_digest(sharded / "bundle")
    return {"shard_walls_s": walls, "merge_wall_s": round(merged.wall, 2),
            "single_write_wall_s": round(one.wall, 2), "same_bytes": same,
            "files": tree_digest(single / "bundle")[1], "api_calls_all_shards": shard_calls}


def report(args: argparse.Namespace, distinct: int, drifted: int, first: Run,
           floors: list[Run], syncs: list[Run], shards: dict[str, Any]) -> dict[str, Any]:
    floor_wall = statistics.median(r.wall for r in floors)
    sync_wall = statistics.median(r.wall for r in syncs)
    last = syncs[-1]
    timings = last.output.get("timings_seconds", {})
    merge_report = timings.get("merge", 0.0) + timings.get("report", 0.0)
    pages = -(-args.jobs // 100)
    calls = sum(last.api_calls.values())
    budget = pages + distinct + 10
    bundle = last.output["bundles"][0]
    return {
        "jobs": args.jobs, "task_notebooks": args.jobs * args.tasks_per_job,
        "distinct_notebooks": distinct, "drifted_jobs": drifted,
        "reported_jobs": len(bundle["jobs"]), "check_exit_code": last.code,
        "floor_s": round(floor_wall, 2), "sync_check_s": round(sync_wall, 2),
        "ratio": round(sync_wall / floor_wall, 2),
        "floor_runs_s": [round(r.wall, 2) for r in floors],
        "sync_runs_s": [round(r.wall, 2) for r in syncs],
        "api_calls": last.api_calls, "api_calls_total": calls, "api_call_budget": budget,
        "api_calls_floor": floors[-1].api_calls,
        "peak_rss_mb": round(max(r.peak_rss_mb for r in syncs), 1),
        "phases_s": {k: round(v, 2) for k, v in timings.items()},
        "merge_report_share": round(merge_report / sync_wall, 3),
        "first_sync_s": round(first.wall, 2), "first_sync_rss_mb": round(first.peak_rss_mb, 1),
        "shards": shards,
    }



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--drift", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tasks-per-job", type=int, default=3)
    parser.add_argument("--shared", type=int, default=50)
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dabgen-bench-sync-") as tmp:
        row = bench(args, Path(tmp))
    if args.json:
        print(json.dumps(row, indent=2))
        return None
    print(f"| jobs | task notebooks | drifted | floor | sync --check | ratio | API calls "
          f"(budget) | peak RSS | merge+report share | 4 shards = 1 run |\n|---|---|---|---|---|"
          f"---|---|---|---|---|\n| {row['jobs']:,} | {row['task_notebooks']:,} | "
          f"{row['drifted_jobs']} | {row['floor_s']:.1f} s | {row['sync_check_s']:.1f} s | "
          f"{row['ratio']:.2f}x | {row['api_calls_total']:,} ({row['api_call_budget']:,}) | "
          f"{row['peak_rss_mb']:.0f} MB | {row['merge_report_share'] * 100:.1f} % | "
          f"{'yes' if row['shards']['same_bytes'] else 'NO'} |")
    print(json.dumps(row, indent=2))
    return None


if __name__ == "__main__":
    main()
