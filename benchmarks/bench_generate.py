"""Benchmark: ``dabgen generate job --all`` against the bare fetch floor, at several sizes.

For each size a synthetic snapshot is built (three notebook tasks per job, one task in three
using one of 50 notebooks shared between jobs) and served by the test workspace server *in
its own process* on 127.0.0.1. Then, alternately and ``--runs`` times each:

* **floor** — a process that does only what no generator can avoid: the ``jobs/list``
  pages (``expand_tasks``) and one ``workspace/export`` per distinct notebook, through the
  same databricks-sdk client and thread count, converting and writing nothing;
* **dabgen** — the real command, ``dabgen generate job --all --json --no-cli``, as a user
  runs it (interpreter start and imports included);
* with ``--like-for-like``, also the floor through *dabgen's* client (the SDK's core
  modules only, the proxy environment read once per host): dabgen made its fetching
  cheaper than the SDK as it comes, so its ratio to this floor is what converting,
  validating and writing cost on their own. The goals are against the first floor.

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
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: its harness
from harness import (
    Run,
    build_snapshot,
    clean_env,
    dabgen_argv,
    floor_argv,
    measure,
    progress,
    server_process,
    tree_digest,
)

# -- one size -------------------------------------------------------------------------------


@dataclass
class SizeResult:
    jobs: int
    distinct_notebooks: int
    floor: list[Run]
    dabgen: list[Run]
    validate: list[Run]
    interpreter: list[Run]
    digest: str
    files: int
    floor_dabgen_client: list[Run]

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
            "validate_cpu_beyond_start_s": round(_median(r.cpu for r in self.validate)
                                                 - _median(r.cpu for r in self.interpreter), 2),
            "validate_cpu_runs_s": [round(r.cpu, 2) for r in self.validate],
            "validate_wall_s": round(_median(r.wall for r in self.validate), 2),
            "errors": sum(d["severity"] == "error" for d in last.get("diagnostics", [])),
            "roundtrip_differences": len(last.get("roundtrip_differences", [])),
            "files": self.files,
            "bundle_digest": self.digest,
            **({} if not self.floor_dabgen_client else {
                "floor_dabgen_client_s": round(_median(
                    r.wall for r in self.floor_dabgen_client), 2),
                "floor_dabgen_client_runs_s": [round(r.wall, 2)
                                               for r in self.floor_dabgen_client],
                "ratio_dabgen_client": round(dabgen_wall / _median(
                    r.wall for r in self.floor_dabgen_client), 2),
                "api_calls_floor_dabgen_client_equal": all(
                    r.api_calls == self.floor[-1].api_calls for r in self.floor_dabgen_client),
            }),
        }


def bench_size(jobs: int, args: argparse.Namespace, work: Path) -> SizeResult:
    snap = work / f"snap-{jobs}"
    distinct = build_snapshot(snap, jobs, args.tasks_per_job, args.shared)
    floors: list[Run] = []
    dabgens: list[Run] = []
    like_floors: list[Run] = []
    digests: set[tuple[str, int]] = set()
    with server_process(snap) as server:
        env = clean_env(server.url)
        server.counts()  # the CPU mark: the server's start-up is no run's
        for n in range(args.runs):
            progress(f"{jobs} jobs, run {n + 1}/{args.runs}: floor")
            run = measure(floor_argv(server.url, args.parallelism), env)
            run.api_calls = server.counts()
            run.server_cpu = server.cpu_s
            floors.append(run)
            if args.like_for_like:
                progress(f"{jobs} jobs, run {n + 1}/{args.runs}: floor, dabgen's client")
                run = measure(floor_argv(server.url, args.parallelism, dabgen_client=True), env)
                run.api_calls = server.counts()
                run.server_cpu = server.cpu_s
                like_floors.append(run)
            progress(f"{jobs} jobs, run {n + 1}/{args.runs}: dabgen")
            # Each run writes a folder of its own and nothing is deleted before the last size
            # has run. On an ext4 without a journal (this VM's root) the inode allocator
            # probes and skips every inode freed in the last 60 s (360 s while its table
            # block is dirty: `recently_deleted` in `find_inode_bit`), so deleting the last
            # run's 40,000 files made the next run's creations cost up to 20 s more kernel
            # CPU (perf: 62 % of its samples in that probe). The floor creates no files:
            # that cost measured the benchmark's clean-up, on dabgen's side alone.
            out = (args.bundle_dir or work) / f"run-{n + 1}" / f"bundle-{jobs}"
            run = measure(dabgen_argv("generate", "job", "--all", "--json", "--no-cli",
                                      "--out", str(out), "--parallelism",
                                      str(args.parallelism)), env)
            run.api_calls = server.counts()
            run.server_cpu = server.cpu_s
            dabgens.append(run)
            digests.add(tree_digest(out))
    if len(digests) != 1:
        raise SystemExit(f"{jobs} jobs: the runs wrote different bundles: {sorted(digests)}")
    (digest, files), = digests
    progress(f"{jobs} jobs: validate")
    # As many runs as the generate side, medians compared: one run of each swung the
    # difference by a third on this VM.
    validate = [measure(dabgen_argv("validate", str(out), "--no-cli", "--json"), clean_env())
                for _ in range(args.runs)]
    interpreter = [measure([sys.executable, "-c", "import json; print(json.dumps({}))"])
                   for _ in range(args.runs)]
    if args.save_bundle and jobs == min(args.jobs):
        shutil.rmtree(args.save_bundle, ignore_errors=True)
        shutil.copytree(out, args.save_bundle)
    return SizeResult(jobs, distinct, floors, dabgens, validate, interpreter, digest, files,
                      like_floors)


def _median(values: Iterator[float] | Any) -> float:
    return float(statistics.median(list(values)))



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
    like = [row for row in rows if "floor_dabgen_client_s" in row]
    if like:
        lines += ["", "| jobs | floor, dabgen's client | dabgen | ratio to it |",
                  "|---|---|---|---|"]
        lines += [f"| {row['jobs']:,} | {row['floor_dabgen_client_s']:.1f} s | "
                  f"{row['dabgen_s']:.1f} s | {row['ratio_dabgen_client']:.2f}x |"
                  for row in like]
    return "\n".join(lines)


def details(rows: list[dict[str, Any]]) -> str:
    out = []
    for row in rows:
        phases = ", ".join(f"{k} {v:.2f}" for k, v in row["phases_s"].items())
        out.append(
            f"{row['jobs']:,} jobs: floor runs {row['floor_runs_s']}, "
            + (f"floor (dabgen's client) runs {row['floor_dabgen_client_runs_s']}, "
               if "floor_dabgen_client_runs_s" in row else "")
            + f"dabgen runs {row['dabgen_runs_s']}; {cpu_budget(row)}; phases (s): {phases}; "
            f"validate CPU runs {row['validate_cpu_runs_s']} s; "
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
    parser.add_argument("--like-for-like", action="store_true",
                        help="also run the floor through dabgen's own client, and print "
                             "dabgen's ratio to it")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--save-bundle", type=Path,
                        help="keep the bundle of the smallest size here (to compare bytes)")
    parser.add_argument("--bundle-dir", type=Path,
                        help="write dabgen's bundle below this folder instead of the temporary "
                             "one (e.g. a tmpfs, to take the file system's cost out)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work below DIR (new or empty) and delete nothing: on a file system "
                             "where deleting slows the next creations (see bench_size), a "
                             "benchmark run right after another's clean-up would pay for it")
    args = parser.parse_args()
    args.jobs = [int(n) for n in str(args.jobs).split(",") if n.strip()]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        if any(args.keep.iterdir()):
            parser.error(f"--keep {args.keep} is not empty")
        rows = [bench_size(n, args, args.keep).row() for n in args.jobs]
    else:
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
