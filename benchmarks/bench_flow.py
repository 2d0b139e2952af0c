"""Benchmark: the CPU of ``generate``'s own work per job, without network or disk.

``bench_generate.py`` measures what a user sees, but on a small shared machine its figures
swing by a quarter between runs of the same build, so a change worth a few percent of the
flow cannot be seen there. This runs the same flow (``generate_jobs``: plan, render, stage,
write, validate, round-trip) in this process against the same synthetic jobs held in memory
(every list page and export answered from a dict), writes the bundle to a tmpfs when there
is one, and reports the process CPU (all threads) per job: the least of ``--runs``, the
figure least disturbed by other work on the machine, and the median.

    python benchmarks/bench_flow.py [--jobs 3000] [--runs 5] [--out-root /dev/shm]
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: its harness
from harness import BENCH_FOLDER, ROOT, notebook_source, synthetic_job

sys.path.insert(0, str(ROOT))
from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.errors import NotFoundError
from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
from dabgen_ci.flows.select import JobSelection
from dabgen_ci.workspace.base import ExportedObject, ObjectInfo


class MemorySource:
    """The synthetic workspace of ``harness.build_snapshot``, answered from memory."""

    def __init__(self, jobs: int, tasks_per_job: int = 3, shared: int = 50) -> None:
        self.calls: Counter[str] = Counter()
        self._jobs: list[JsonObject] = []
        self._objects: dict[str, bytes] = {}
        for j in range(jobs):
            body, used = synthetic_job(j, tasks_per_job, shared)
            self._jobs.append(body)
            for rel in used:
                self._objects[f"{BENCH_FOLDER}/{rel}"] = notebook_source(rel).encode()

    def describe(self) -> str:
        return "memory"

    def get_job(self, job_id: int) -> JsonObject:
        raise NotFoundError(f"job {job_id}")

    def list_jobs(self, *, name: str | None = None) -> Iterator[JsonObject]:
        for n in range(0, len(self._jobs), 100):
            self.calls["jobs/list"] += 1
            yield from self._jobs[n:n + 100]

    def get_status(self, path: str) -> ObjectInfo:
        raise NotFoundError(path)

    def list_dir(self, path: str) -> list[ObjectInfo]:
        raise NotFoundError(path)

    def export(self, path: str) -> ExportedObject:
        self.calls["workspace/export"] += 1
        return ExportedObject(path, self._objects[path], "py", True)

    def current_user_name(self) -> str | None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a line")
    parser.add_argument("--out-root", type=Path,
                        default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None,
                        help="where the bundles are written (default: /dev/shm if present)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="dabgen-bench-flow-", dir=args.out_root))
    cpu: list[float] = []
    calls: dict[str, int] = {}
    try:
        for n in range(args.runs):
            source = MemorySource(args.jobs)
            gc.collect()
            start = time.process_time()
            result = generate_jobs(source, JobSelection(all=True),
                                   GenerateOptions(out=root / f"run-{n}" / "bundle",
                                                   run_cli=False))
            cpu.append(time.process_time() - start)
            if not result.ok or result.roundtrip:
                raise SystemExit(f"the bundle has errors: {result.diagnostics[:3]}")
            calls = dict(source.calls)
            del result, source
    finally:
        shutil.rmtree(root, ignore_errors=True)
    per_job = [c / args.jobs * 1000 for c in cpu]
    if args.json:
        print(json.dumps({"jobs": args.jobs, "cpu_runs_s": cpu, "api_calls": calls,
                          "cpu_per_job_ms": {"least": min(per_job),
                                             "median": statistics.median(per_job)}}))
        return
    print(f"{args.jobs:,} jobs, {args.runs} runs: CPU per job least {min(per_job):.3f} ms, "
          f"median {statistics.median(per_job):.3f} ms (runs: "
          f"{', '.join(f'{c:.2f}' for c in cpu)} s)")


if __name__ == "__main__":
    main()
