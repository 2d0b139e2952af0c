"""Benchmark: ``dabgen generate job --all`` against the bare fetch floor, at several sizes.

For each size a synthetic snapshot is built (three notebook tasks per job, one task in three
using one of 50 notebooks shared between jobs) and served by the test workspace server *in
its own process* on 127.0.0.1. Then, alternately and ``--runs`` times each:

* **floor** — a process that does only what no generator can avoid: the ``jobs/list``
  pages (``expand_tasks``) and one ``workspace/export`` per distinct notebook, through the
  same databricks-sdk client and thread count, converting and writing nothing;
* **dabgen** — the real command, ``dabgen generate job --all --json --no-cli``, as a user
  runs it (interpreter start and imports included).

It prints one table: medians of wall time, their ratio, dabgen's peak RSS and CPU, the API
calls the server answered for each (dabgen's must equal the floor's: the minimum), the
extra cost per job between consecutive sizes (linear means constant), dabgen's phase split,
the CPU of ``dabgen validate`` on the generated bundle beyond a bare interpreter start,
and a digest of the bundle bytes (equal digests before and after a change prove the output
did not change).

    python benchmarks/bench_generate.py --jobs 1000,5000,10000 [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
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


# -- the synthetic workspace --------------------------------------------------------------


def build_snapshot(root: Path, jobs: int, tasks_per_job: int, shared: int) -> int:
    """Write the synthetic snapshot; returns the number of distinct notebooks the jobs use."""
    (root / "jobs").mkdir(parents=True)
    base = root / "workspace" / "Workspace" / "Shared" / "bench"
    distinct: set[str] = set()
    for s in range(shared):
        _notebook(base / "shared" / f"common_{s:03d}.py", f"shared {s}")
    for j in range(jobs):
        tasks = []
        for t in range(tasks_per_job):
            if t == tasks_per_job - 1:  # every third task notebook is a shared one
                rel = f"shared/common_{j % shared:03d}"
            else:
                rel = f"job_{j:05d}/step_{t}"
                _notebook(base / f"{rel}.py", rel)
            distinct.add(rel)
            task: dict[str, Any] = {
                "task_key": f"step_{t}",
                "notebook_task": {"notebook_path": f"/Workspace/Shared/bench/{rel}",
                                  "source": "WORKSPACE"},
                "job_cluster_key": "c"}
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
        (root / "jobs" / f"{10_000 + j}.json").write_text(json.dumps(body))
    return len(distinct)


def _notebook(path: Path, name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NOTEBOOK.format(n=name))


# -- child process: the workspace server ----------------------------------------------------


def serve(snapshot: Path) -> None:
    """Serve ``snapshot``; print the URL, then answer each ``counts`` line on stdin with the
    requests served since the last one and the CPU the server has used so far (JSON).
    Stops at end of input."""
    import resource

    sys.path.insert(0, str(ROOT))
    from tests.servers.workspace_server import WorkspaceServer

    with WorkspaceServer(snapshot, token=TOKEN) as server:
        print(server.url, flush=True)
        for line in sys.stdin:
            if line.strip() == "counts":
                counts = dict(server.requests)
                server.requests.clear()
                usage = resource.getrusage(resource.RUSAGE_SELF)
                cpu = usage.ru_utime + usage.ru_stime
                print(json.dumps({"calls": counts, "cpu_s": cpu}), flush=True)


@dataclass
class ServerProcess:
    proc: subprocess.Popen[str]
    url: str
    cpu_s: float = 0.0  # the server's CPU between the last two calls of counts()
    _cpu_mark: float = 0.0

    def counts(self) -> dict[str, int]:
        """Requests served since the last call, well-known probes left out."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("counts\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        self.cpu_s, self._cpu_mark = answer["cpu_s"] - self._cpu_mark, answer["cpu_s"]
        raw: dict[str, int] = answer["calls"]
        return {k: v for k, v in sorted(raw.items()) if WELL_KNOWN not in k}


@contextmanager
def server_process(snapshot: Path) -> Iterator[ServerProcess]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(snapshot)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        yield ServerProcess(proc, proc.stdout.readline().strip())
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=60)


# -- child process: the floor ---------------------------------------------------------------


def floor(url: str, parallelism: int) -> None:
    """List every job and export every distinct notebook once; convert and write nothing."""
    import base64
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


# -- measuring a child process --------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds of the child
    sys_cpu: float  # of which system (kernel) seconds: mostly creating files, for dabgen
    peak_rss_mb: float
    output: dict[str, Any]
    api_calls: dict[str, int] = field(default_factory=dict)
    server_cpu: float = 0.0  # CPU the workspace server spent answering this run


def measure(argv: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` to completion; its wall time, CPU and peak RSS come from ``wait4``."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        output = _read_json(out)
        if proc.returncode not in (0, 1) or output is None:
            raise SystemExit(f"{argv[:4]} exited {proc.returncode}: {_tail(err)}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_stime, usage.ru_maxrss / 1024,
               output)


def _read_json(stream: IO[str]) -> dict[str, Any] | None:
    stream.seek(0)
    try:
        return json.loads(stream.read())
    except ValueError:
        return None


def _tail(stream: IO[str]) -> str:
    stream.seek(0)
    return stream.read()[-2000:]


def dabgen_argv(*args: str) -> list[str]:
    """The installed ``dabgen`` console script, or its exact equivalent."""
    script = Path(sys.executable).with_name("dabgen")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from dabgen_ci.cli import main; main()", *args]


def clean_env(url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    env["DATABRICKS_CONFIG_FILE"] = os.devnull
    if url:
        env.update(DATABRICKS_HOST=url, DATABRICKS_TOKEN=TOKEN)
    return env


def tree_digest(root: Path) -> tuple[str, int]:
    """sha256 over every file's relative path and bytes, in path order; and the file count."""
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file())
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()[:16], len(files)


# -- one size -------------------------------------------------------------------------------


@dataclass
class SizeResult:
    jobs: int
    distinct_notebooks: int
    floor: list[Run]
    dabgen: list[Run]
    validate: Run
    interpreter: Run
    digest: str
    files: int

    def row(self) -> dict[str, Any]:
        floor_wall = _median(r.wall for r in self.floor)
        dabgen_wall = _median(r.wall for r in self.dabgen)
        last = self.dabgen[-1].output
        return {
            "jobs": self.jobs,
            "distinct_notebooks": self.distinct_notebooks,
            "floor_s": round(floor_wall, 2),
            "dabgen_s": round(dabgen_wall, 2),
            "ratio": round(dabgen_wall / floor_wall, 2),
            "floor_runs_s": [round(r.wall, 2) for r in self.floor],
            "dabgen_runs_s": [round(r.wall, 2) for r in self.dabgen],
            "dabgen_cpu_s": round(_median(r.cpu for r in self.dabgen), 2),
            "floor_cpu_s": round(_median(r.cpu for r in self.floor), 2),
            "sys_cpu_s": {"floor": round(_median(r.sys_cpu for r in self.floor), 2),
                          "dabgen": round(_median(r.sys_cpu for r in self.dabgen), 2)},
            "server_cpu_s": {"floor": round(_median(r.server_cpu for r in self.floor), 2),
                             "dabgen": round(_median(r.server_cpu for r in self.dabgen), 2)},
            "cores": os.cpu_count(),
            "peak_rss_mb": round(max(r.peak_rss_mb for r in self.dabgen), 1),
            "api_calls_dabgen": self.dabgen[-1].api_calls,
            "api_calls_floor": self.floor[-1].api_calls,
            "api_calls_minimal": all(r.api_calls == self.floor[-1].api_calls
                                     for r in self.dabgen),
            "phases_s": {k: round(_median(r.output["timings_seconds"][k] for r in self.dabgen), 2)
                         for k in last.get("timings_seconds", {})},
            "validate_cpu_beyond_start_s": round(self.validate.cpu - self.interpreter.cpu, 2),
            "validate_wall_s": round(self.validate.wall, 2),
            "errors": sum(d["severity"] == "error" for d in last.get("diagnostics", [])),
            "roundtrip_differences": len(last.get("roundtrip_differences", [])),
            "files": self.files,
            "bundle_digest": self.digest,
        }


def bench_size(jobs: int, args: argparse.Namespace, work: Path) -> SizeResult:
    snap = work / f"snap-{jobs}"
    distinct = build_snapshot(snap, jobs, args.tasks_per_job, args.shared)
    floors: list[Run] = []
    dabgens: list[Run] = []
    out = (args.bundle_dir or work) / f"bundle-{jobs}"
    with server_process(snap) as server:
        env = clean_env(server.url)
        server.counts()  # the CPU mark: the server's start-up is no run's
        for n in range(args.runs):
            _progress(f"{jobs} jobs, run {n + 1}/{args.runs}: floor")
            run = measure([sys.executable, __file__, "--floor", server.url,
                           "--parallelism", str(args.parallelism)], env)
            run.api_calls = server.counts()
            run.server_cpu = server.cpu_s
            floors.append(run)
            _progress(f"{jobs} jobs, run {n + 1}/{args.runs}: dabgen")
            shutil.rmtree(out, ignore_errors=True)
            run = measure(dabgen_argv("generate", "job", "--all", "--json", "--no-cli",
                                      "--out", str(out), "--parallelism",
                                      str(args.parallelism)), env)
            run.api_calls = server.counts()
            run.server_cpu = server.cpu_s
            dabgens.append(run)
    digest, files = tree_digest(out)
    _progress(f"{jobs} jobs: validate")
    validate = measure(dabgen_argv("validate", str(out), "--no-cli", "--json"), clean_env())
    interpreter = measure([sys.executable, "-c", "import json; print(json.dumps({}))"])
    if args.save_bundle and jobs == min(args.jobs):
        shutil.rmtree(args.save_bundle, ignore_errors=True)
        shutil.copytree(out, args.save_bundle)
    shutil.rmtree(snap)
    shutil.rmtree(out)
    return SizeResult(jobs, distinct, floors, dabgens, validate, interpreter, digest, files)


def _median(values: Iterator[float] | Any) -> float:
    return statistics.median(list(values))


def _progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


# -- report ---------------------------------------------------------------------------------


def table(rows: list[dict[str, Any]]) -> str:
    """The issue's table, plus the extra cost per job between consecutive sizes."""
    lines = [
        "| jobs | floor | dabgen | ratio | peak RSS | CPU (floor, dabgen) | ms/extra job (floor, "
        "dabgen) | API calls = floor | validate CPU beyond start |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    previous: dict[str, Any] | None = None
    for row in rows:
        slope = "–"
        if previous is not None:
            extra = row["jobs"] - previous["jobs"]
            f = (row["floor_s"] - previous["floor_s"]) / extra * 1000
            d = (row["dabgen_s"] - previous["dabgen_s"]) / extra * 1000
            slope = f"{f:.1f}, {d:.1f}"
        calls = sum(row["api_calls_dabgen"].values())
        lines.append(
            f"| {row['jobs']:,} | {row['floor_s']:.1f} s | {row['dabgen_s']:.1f} s | "
            f"{row['ratio']:.2f}x | {row['peak_rss_mb']:.0f} MB | {row['floor_cpu_s']:.1f} s, "
            f"{row['dabgen_cpu_s']:.1f} s | "
            f"{slope} | {'yes' if row['api_calls_minimal'] else 'NO'} ({calls:,}) | "
            f"{row['validate_cpu_beyond_start_s']:.2f} s |"
        )
        previous = row
    return "\n".join(lines)


def details(rows: list[dict[str, Any]]) -> str:
    out = []
    for row in rows:
        phases = ", ".join(f"{k} {v:.2f}" for k, v in row["phases_s"].items())
        out.append(
            f"{row['jobs']:,} jobs: floor runs {row['floor_runs_s']}, dabgen runs "
            f"{row['dabgen_runs_s']}; {cpu_budget(row)}; phases (s): {phases}; "
            f"{row['files']:,} files, "
            f"{row['errors']} error(s), {row['roundtrip_differences']} round-trip "
            f"difference(s); bundle digest {row['bundle_digest']}; API calls "
            f"{row['api_calls_dabgen']}"
        )
    return "\n".join(out)


def cpu_budget(row: dict[str, Any]) -> str:
    """CPU of client + server against what the cores could give in 1.2x the floor's wall
    time: when dabgen's total exceeds it, 1.2x is out of reach on this machine whatever the
    overlap."""
    server = row["server_cpu_s"]
    floor_total = row["floor_cpu_s"] + server["floor"]
    dabgen_total = row["dabgen_cpu_s"] + server["dabgen"]
    budget = 1.2 * row["floor_s"] * (row["cores"] or 1)
    kernel = row["sys_cpu_s"]
    return (f"CPU client+server: floor {row['floor_cpu_s']:.1f}+{server['floor']:.1f}="
            f"{floor_total:.1f} s, dabgen {row['dabgen_cpu_s']:.1f}+{server['dabgen']:.1f}="
            f"{dabgen_total:.1f} s (client kernel time: floor {kernel['floor']:.1f} s, dabgen "
            f"{kernel['dabgen']:.1f} s); {row['cores']} cores x 1.2 x floor wall = "
            f"{budget:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", default="1000",
                        help="comma-separated sizes, e.g. 1000,5000,10000 (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side per size")
    parser.add_argument("--tasks-per-job", type=int, default=3)
    parser.add_argument("--shared", type=int, default=50)
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--save-bundle", type=Path,
                        help="keep the bundle of the smallest size here (to compare bytes)")
    parser.add_argument("--bundle-dir", type=Path,
                        help="write dabgen's bundle below this folder instead of the temporary "
                             "one (e.g. a tmpfs, to take the file system's cost out)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    if args.floor:
        return floor(args.floor, args.parallelism)
    args.jobs = [int(n) for n in str(args.jobs).split(",") if n.strip()]
    with tempfile.TemporaryDirectory(prefix="dabgen-bench-") as tmp:
        rows = [bench_size(n, args, Path(tmp)).row() for n in args.jobs]
    if args.json:
        print(json.dumps({"runs": args.runs, "sizes": rows}, indent=2))
    else:
        print(table(rows))
        print()
        print(details(rows))


if __name__ == "__main__":
    main()
