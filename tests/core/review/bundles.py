"""A small bundle every lint rule is quiet on, and a way to break it one rule at a time."""

from __future__ import annotations

from pathlib import Path

GOOD = {
    "databricks.yml": """\
bundle:
  name: sales
include:
  - resources/*.yml
variables:
  warehouse_id:
    default: 4b9f1c2d3e5a6b7c
targets:
  dev:
    mode: development
    default: true
  prod:
    mode: production
    workspace:
      root_path: /Workspace/Shared/.bundle/sales
    run_as:
      service_principal_name: 9f0c7a1e-2b3d-4c5e-8f9a-0b1c2d3e4f5a
""",
    "resources/etl.job.yml": """\
# dabgen: job 1001
resources:
  jobs:
    etl:
      name: Sales ETL
      email_notifications:
        on_failure:
          - team@example.com
      schedule:
        quartz_cron_expression: 0 0 2 * * ?
        timezone_id: UTC
      job_clusters:
        - job_cluster_key: main
          new_cluster:
            spark_version: 15.4.x-scala2.12
            node_type_id: i3.xlarge
            num_workers: 2
      tasks:
        - task_key: ingest
          job_cluster_key: main
          notebook_task:
            notebook_path: ../src/ingest.py
        - task_key: report
          depends_on:
            - task_key: ingest
          sql_task:
            warehouse_id: ${var.warehouse_id}
            file:
              path: ../src/report.sql
""",
    "src/ingest.py": "# Databricks notebook source\nprint('ingest')\n",
    "src/report.sql": "SELECT 1\n",
}


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def edited(file: str, old: str, new: str) -> dict[str, str]:
    """GOOD with one replacement in one file (the text must be there exactly once)."""
    assert GOOD[file].count(old) == 1, old
    return {**GOOD, file: GOOD[file].replace(old, new)}


def line_of(files: dict[str, str], file: str, text: str) -> int:
    lines = files[file].splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)
