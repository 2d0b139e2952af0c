"""The benchmarks run end to end at a tiny size (their figures are not checked:
timing belongs in benchmarks/, not in tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_generate_smoke(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_generate.py"), "--jobs", "12,20",
         "--runs", "1", "--json", "--save-bundle", str(tmp_path / "bundle"), "--like-for-like"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    sizes = json.loads(done.stdout)["sizes"]
    assert [row["jobs"] for row in sizes] == [12, 20]
    for row in sizes:
        assert row["api_calls_minimal"] is True
        assert row["errors"] == 0 and row["roundtrip_differences"] == 0
        assert row["files"] == 1 + row["jobs"] + row["distinct_notebooks"]
        assert row["api_calls_dabgen"]["GET /api/2.2/jobs/list"] == 1
        assert row["ratio"] > 0 and row["peak_rss_mb"] > 0
        assert row["ratio_dabgen_client"] > 0  # the floor through dabgen's own client
        assert row["api_calls_floor_dabgen_client_equal"] is True
    assert (tmp_path / "bundle" / "databricks.yml").is_file()  # the smallest size, kept


def test_bench_sync_smoke(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_sync.py"), "--jobs", "12",
         "--runs", "1", "--json"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    row = json.loads(done.stdout)
    assert row["jobs"] == 12 and row["drifted_jobs"] == 1
    assert row["distinct_notebooks"] == 12 * 2 + 12  # own notebooks + the shared ones used
    assert row["api_calls_total"] == 1 + row["distinct_notebooks"]  # one list page + exports
    assert row["api_calls"] == row["api_calls_floor"]
    assert row["check_exit_code"] == 1  # drift found
    assert row["shards"]["same_bytes"] is True


def test_bench_flow_smoke(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_flow.py"), "--jobs", "20",
         "--runs", "2", "--json", "--out-root", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    row = json.loads(done.stdout)
    assert row["jobs"] == 20 and len(row["cpu_runs_s"]) == 2
    # One list page, one export per distinct notebook (40 own, 20 of the shared ones).
    assert row["api_calls"] == {"jobs/list": 1, "workspace/export": 60}
    assert 0 < row["cpu_per_job_ms"]["least"] <= row["cpu_per_job_ms"]["median"]
    assert list(tmp_path.iterdir()) == []  # its bundles are removed
