"""Benchmark: the bundle JSON schema check of a 100-job × 10-task bundle.

The timing that used to be an assertion in ``tests/validate/test_schema.py`` (a wall-clock
bound failed on a loaded machine and proved nothing about correctness, which
``tests/validate/test_schema_fast.py`` checks on the same bundle). The validators are
compiled before timing, as in a long-running process.

    python benchmarks/bench_schema_check.py [--jobs 100] [--tasks 10] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dabgen_ci.validate import schema  # noqa: E402
from tests.validate.test_schema import _big_bundle  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    config = _big_bundle(args.jobs, args.tasks)
    schema.bundle_validator()
    schema.fast_validator()
    seconds, findings = [], 0
    for _ in range(args.runs):
        start = time.perf_counter()
        findings = len(schema.check_file(config, None, "resources/big.yml"))
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"jobs": args.jobs, "tasks_per_job": args.tasks, "runs": args.runs,
                      "findings": findings, "median_seconds": round(statistics.median(seconds), 4),
                      "max_seconds": round(max(seconds), 4)}))


if __name__ == "__main__":
    main()
