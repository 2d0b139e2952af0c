"""What the benchmarks share: the synthetic workspace, the test workspace server in its own
process, the floor (what no generator or sync can avoid), and measuring a child process.

Each benchmark compares dabgen with a floor measured in the same run, so both must meet the
same workspace, server and client in the same way: that is why these live in one place.

    python benchmarks/harness.py --serve SNAP            # (child) serve a snapshot
    python benchmarks/harness.py --floor URL [--parallelism N]   # (child) the floor
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
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
    """Write the synthetic snapshot (``tasks_per_job`` notebook tasks per job, the last one
    using one of ``shared`` notebooks); returns the number of distinct notebooks jobs use."""
    (root / "jobs").mkdir(parents=True)
    base = root / "workspace" / "Workspace" / "Shared" / "bench"
    distinct: set[str] = set()
    for s in range(shared):
        rel = shared_notebook(s)
        write_text(base / f"{rel}.py", notebook_source(rel))
    for j in range(jobs):
        body, used = synthetic_job(j, tasks_per_job, shared)
        for rel in used:
            if rel not in distinct and not rel.startswith("shared/"):
                write_text(base / f"{rel}.py", notebook_source(rel))
            distinct.add(rel)
        (root / "jobs" / f"{body['job_id']}.json").write_text(json.dumps(body))
    return len(distinct)


BENCH_FOLDER = "/Workspace/Shared/bench"


def synthetic_job(j: int, tasks_per_job: int, shared: int) -> tuple[dict[str, Any], list[str]]:
    """Job ``j``'s ``jobs/get`` body, and the notebooks its tasks use (below
    :data:`BENCH_FOLDER`): one of its own per task, but the last task's is a shared one."""
    tasks = []
    used = []
    for t in range(tasks_per_job):
        rel = shared_notebook(j % shared) if t == tasks_per_job - 1 else f"job_{j:05d}/step_{t}"
        used.append(rel)
        task: dict[str, Any] = {
            "task_key": f"step_{t}",
            "notebook_task": {"notebook_path": f"{BENCH_FOLDER}/{rel}", "source": "WORKSPACE"},
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
    return body, used


def shared_notebook(s: int) -> str:
    return f"shared/common_{s:03d}"


def notebook_source(rel: str) -> str:
    """The text of a synthetic notebook (each one different, so none is exported twice)."""
    if rel.startswith("shared/common_"):
        return NOTEBOOK.format(n=f"shared {int(rel.rpartition('_')[2])}")
    return NOTEBOOK.format(n=rel)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


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
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(snapshot)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield ServerProcess(proc, proc.stdout.readline().strip())
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=120)


# -- child process: the floor ---------------------------------------------------------------


def floor_argv(url: str, parallelism: int, *, dabgen_client: bool = False) -> list[str]:
    return [sys.executable, __file__, "--floor", url, "--parallelism", str(parallelism),
            *(["--dabgen-client"] if dabgen_client else [])]


def floor(url: str, parallelism: int, *, dabgen_client: bool = False) -> None:
    """List every job and export every distinct notebook once; convert and write nothing.

    The floor of the goals uses databricks-sdk as it comes (``WorkspaceClient``). With
    ``dabgen_client`` it uses the client dabgen builds (``dabgen_ci.workspace.sdk``: the
    SDK's core modules only, the proxy environment read once per host), so that dabgen's
    ratio to it is what converting, validating and writing cost, the fetch equally cheap.
    """
    import logging

    logging.getLogger("databricks.sdk").setLevel(logging.ERROR)
    client: Any
    if dabgen_client:
        from dabgen_ci.workspace.sdk import Config, connect

        client = connect(Config(host=url, token=TOKEN))
    else:
        from databricks.sdk import WorkspaceClient

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
    code: int
    output: dict[str, Any]
    api_calls: dict[str, int] = field(default_factory=dict)
    server_cpu: float = 0.0  # CPU the workspace server spent answering this run


def measure(argv: list[str], env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Run:
    """Run ``argv`` to completion; its wall time, CPU and peak RSS come from ``wait4``. A
    child that exits other than 0 or 1, or prints no JSON, stops the benchmark."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = proc.returncode = os.waitstatus_to_exitcode(status)
        output = _read_json(out)
        if code not in (0, 1) or output is None:
            err.seek(0)
            raise SystemExit(f"{argv[:4]} exited {code}: {err.read()[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_stime, usage.ru_maxrss / 1024,
               code, output)


def _read_json(stream: IO[str]) -> dict[str, Any] | None:
    stream.seek(0)
    try:
        output = json.loads(stream.read())
    except ValueError:
        return None
    return output if isinstance(output, dict) else None


def dabgen_argv(*args: str) -> list[str]:
    """The installed ``dabgen`` console script, or its exact equivalent."""
    script = Path(sys.executable).with_name("dabgen")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from dabgen_ci.cli import main; main()", *args]


def clean_env(url: str | None = None) -> dict[str, str]:
    """The environment without the caller's Databricks settings; pointed at ``url``."""
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


def progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def _child() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", type=Path)
    parser.add_argument("--floor", metavar="URL")
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--dabgen-client", action="store_true")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
    elif args.floor:
        floor(args.floor, args.parallelism, dabgen_client=args.dabgen_client)
    else:
        parser.error("--serve SNAP or --floor URL")


if __name__ == "__main__":
    _child()
