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
import base64
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
NOTEBOOK = "# Databricks notebook source\ndbutils.widgets.text('day', '')\nprint({n!r})\n"
WELL_KNOWN = "/.well-known/"
CONFIG = "version: 1\nbundle_dir: bundle\nbundle_name: bench\njobs: {names: ['bench*']}\n"
SHARDS = 4


# -- the synthetic workspace and its drift ---------------------------------------------------


def build_snapshot(root: Path, jobs: int, tasks_per_job: int, shared: int) -> int:
    """Write the synthetic snapshot; returns the number of distinct notebooks."""
    (root / "jobs").mkdir(parents=True)
    base = root / "workspace" / "Workspace" / "Shared" / "bench"
    distinct: set[str] = set()
    for s in range(shared):
        _write(base / "shared" / f"common_{s:03d}.py", NOTEBOOK.format(n=f"shared {s}"))
        distinct.add(f"shared/common_{s:03d}")
    for j in range(jobs):
        tasks = []
        for t in range(tasks_per_job):
            rel = (f"shared/common_{j % shared:03d}" if t == tasks_per_job - 1
                   else f"job_{j:05d}/step_{t}")
            if not rel.startswith("shared/"):
                _write(base / f"{rel}.py", NOTEBOOK.format(n=rel))
            distinct.add(rel)
            task: dict[str, Any] = {
                "task_key": f"step_{t}", "job_cluster_key": "c",
                "notebook_task": {"notebook_path": f"/Workspace/Shared/bench/{rel}",
                                  "source": "WORKSPACE"}}
            if t:
                task["depends_on"] = [{"task_key": f"step_{t - 1}"}]
            tasks.append(task)
        body = {"job_id": 10_000 + j, "creator_user_name": "bench@acme.com",
                "created_time": 1700000000000,
                "settings": {"name": f"bench job {j:05d}", "max_concurrent_runs": 1,
                             "tags": {"bench": "yes"},
                             "job_clusters": [{"job_cluster_key": "c", "new_cluster": {
                                 "spark_version": "15.4.x-scala2.12",
                                 "node_type_id": "i3.xlarge", "num_workers": 2}}],
                             "tasks": tasks, "format": "MULTI_TASK"}}
        _write(root / "jobs" / f"{10_000 + j}.json", json.dumps(body))
    return len(distinct)


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


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# -- child processes: the server and the floor -----------------------------------------------


def serve(snapshot: Path) -> None:
    """Serve ``snapshot``; answer each ``counts`` line on stdin with the requests since."""
    sys.path.insert(0, str(ROOT))
    from tests.servers.workspace_server import WorkspaceServer

    with WorkspaceServer(snapshot, token=TOKEN) as server:
        print(server.url, flush=True)
        for line in sys.stdin:
            if line.strip() == "counts":
                counts = dict(server.requests)
                server.requests.clear()
                print(json.dumps(counts), flush=True)


@dataclass
class ServerProcess:
    proc: subprocess.Popen[str]
    url: str

    def counts(self) -> dict[str, int]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("counts\n")
        self.proc.stdin.flush()
        raw: dict[str, int] = json.loads(self.proc.stdout.readline())
        return {k: v for k, v in sorted(raw.items()) if WELL_KNOWN not in k}


@contextmanager
def server_process(snapshot: Path) -> Iterator[ServerProcess]:
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(snapshot)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield ServerProcess(proc, proc.stdout.readline().strip())
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=120)


def floor(url: str, parallelism: int) -> None:
    """List every job and export every distinct notebook once; nothing else."""
    import logging

    from databricks.sdk import WorkspaceClient

    logging.getLogger("databricks.sdk").setLevel(logging.ERROR)
    client = WorkspaceClient(host=url, token=TOKEN)
    headers = {"Accept": "application/json"}
    query: dict[str, object] = {"expand_tasks": "true", "limit": 100}
    paths: dict[str, None] = {}
    while True:
        body = client.api_client.do("GET", "/api/2.2/jobs/list", query=query, headers=headers)
        for job in body.get("jobs", []):
            for task in job["settings"].get("tasks", []):
                paths[task["notebook_task"]["notebook_path"]] = None
        if not body.get("next_page_token"):
            break
        query["page_token"] = body["next_page_token"]

    def export(path: str) -> int:
        answer = client.api_client.do("GET", "/api/2.0/workspace/export",
                                      query={"path": path, "format": "AUTO"}, headers=headers)
        return len(base64.b64decode(answer.get("content") or ""))

    with ThreadPoolExecutor(max_workers=parallelism) as pool:
        total = sum(pool.map(export, paths))
    print(json.dumps({"exported": len(paths), "bytes": total}))


# -- measuring a child process ----------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float
    peak_rss_mb: float
    code: int
    output: dict[str, Any]
    api_calls: dict[str, int] = field(default_factory=dict)


def measure(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> Run:
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        output = _json(out)
        if code not in (0, 1) or output is None:
            err.seek(0)
            raise SystemExit(f"{argv[:4]} exited {code}: {err.read()[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code, output)


def _json(stream: IO[str]) -> dict[str, Any] | None:
    stream.seek(0)
    try:
        return json.loads(stream.read())
    except ValueError:
        return None


def dabgen(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("dabgen")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from dabgen_ci.cli import main; main()", *args]


def env_for(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    env.update(DATABRICKS_CONFIG_FILE=os.devnull, DATABRICKS_HOST=url, DATABRICKS_TOKEN=TOKEN)
    return env


def digest(root: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file())
    for file in files:
        sha.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return sha.hexdigest()[:16], len(files)


# -- the benchmark ----------------------------------------------------------------------------


def bench(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    snap, checkout = work / "snap", work / "checkout"
    _progress(f"building a workspace of {args.jobs:,} jobs")
    distinct = build_snapshot(snap, args.jobs, args.tasks_per_job, args.shared)
    checkout.mkdir()
    (checkout / ".dabgen.yml").write_text(CONFIG)
    config = str(checkout / ".dabgen.yml")
    par = ["--parallelism", str(args.parallelism)]
    with server_process(snap) as server:
        env = env_for(server.url)
        _progress("first sync: the repository in step with the workspace")
        first = measure(dabgen("sync", "--config", config, "--json", "--no-validate", *par), env)
        server.counts()
        drifted = drift(snap, args.jobs, args.drift)
        floors, syncs = [], []
        for n in range(args.runs):
            _progress(f"run {n + 1}/{args.runs}: floor")
            run = measure([sys.executable, __file__, "--floor", server.url, *par], env)
            run.api_calls = server.counts()
            floors.append(run)
            _progress(f"run {n + 1}/{args.runs}: dabgen sync --check")
            run = measure(dabgen("sync", "--config", config, "--check", "--json", *par), env)
            run.api_calls = server.counts()
            syncs.append(run)
        shards = bench_shards(work, checkout, server, env, par)
    return report(args, distinct, drifted, first, floors, syncs, shards)


def bench_shards(work: Path, checkout: Path, server: ServerProcess, env: dict[str, str],
                 par: list[str]) -> dict[str, Any]:
    single, sharded = work / "single", work / "sharded"
    shutil.copytree(checkout, single)
    shutil.copytree(checkout, sharded)
    _progress("one unsharded sync (writing)")
    one = measure(dabgen("sync", "--config", str(single / ".dabgen.yml"), "--json",
                         "--no-validate", *par), env)
    server.counts()
    walls, dirs = [], []
    for index in range(1, SHARDS + 1):
        _progress(f"shard {index}/{SHARDS}")
        out = work / "artifacts" / f"shard-{index}"
        run = measure(dabgen("sync", "--config", str(sharded / ".dabgen.yml"), "--shard",
                             f"{index}/{SHARDS}", "--shard-out", str(out), "--json", *par), env)
        walls.append(round(run.wall, 2))
        dirs.append(str(out))
    shard_calls = server.counts()
    _progress("merging the shards")
    merged = measure(dabgen("sync", "--config", str(sharded / ".dabgen.yml"), "--json",
                            "--no-validate", "--merge-shards", *dirs), env)
    same = digest(single / "bundle") == digest(sharded / "bundle")
    return {"shard_walls_s": walls, "merge_wall_s": round(merged.wall, 2),
            "single_write_wall_s": round(one.wall, 2), "same_bytes": same,
            "files": digest(single / "bundle")[1], "api_calls_all_shards": shard_calls}


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


def _progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


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
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    if args.floor:
        return floor(args.floor, args.parallelism)
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
