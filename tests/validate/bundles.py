"""A realistic valid bundle written to a directory, and helpers to vary it in tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

DATABRICKS_YML = """\
bundle:
  name: sales_etl

include:
  - resources/*.yml

variables:
  warehouse_id:
    description: SQL warehouse of the report task
    default: 4b9b953939869799
  catalog:
    default: dev_catalog
  node_type:
    default: i3.xlarge

targets:
  dev:
    default: true
    mode: development
    workspace:
      host: https://example.cloud.databricks.com
  prod:
    mode: production
    workspace:
      host: https://example.cloud.databricks.com
      root_path: /Workspace/Shared/.bundle/${bundle.name}/${bundle.target}
    variables:
      catalog: prod_catalog
      warehouse_id: 1234567890abcdef
    resources:
      jobs:
        sales_etl:
          job_clusters:
            - job_cluster_key: etl_cluster
              new_cluster:
                num_workers: 8
"""

ETL_JOB_YML = """\
resources:
  jobs:
    sales_etl:
      name: sales-etl-${bundle.target}
      max_concurrent_runs: 1
      tags:
        team: data
      parameters:
        - name: run_date
          default: ""
      job_clusters:
        - job_cluster_key: etl_cluster
          new_cluster:
            spark_version: 15.4.x-scala2.12
            node_type_id: ${var.node_type}
            num_workers: 2
            spark_conf:
              spark.databricks.delta.preview.enabled: "true"
              spark.hadoop.fs.azure.account.oauth2.client.secret: "{{secrets/kv/sp-secret}}"
            spark_env_vars:
              DB_PASSWORD: "{{secrets/kv/db-password}}"
      tasks:
        - task_key: ingest
          job_cluster_key: etl_cluster
          notebook_task:
            notebook_path: ../src/ingest.py
            base_parameters:
              catalog: ${var.catalog}
        - task_key: transform
          depends_on:
            - task_key: ingest
          job_cluster_key: etl_cluster
          spark_python_task:
            python_file: ../src/transform.py
            parameters: ["--catalog", "${var.catalog}"]
        - task_key: report
          depends_on:
            - task_key: transform
          sql_task:
            warehouse_id: ${var.warehouse_id}
            file:
              path: ../src/report.sql
        - task_key: per_region
          depends_on:
            - task_key: transform
          for_each_task:
            inputs: '["emea", "amer"]'
            concurrency: 2
            task:
              task_key: per_region_iteration
              job_cluster_key: etl_cluster
              notebook_task:
                notebook_path: ../src/region.py
                base_parameters:
                  region: "{{input}}"
        - task_key: score
          depends_on:
            - task_key: per_region
          job_cluster_key: etl_cluster
          python_wheel_task:
            package_name: sales_model
            entry_point: score
          libraries:
            - whl: ../dist/sales_model-0.1.0-py3-none-any.whl
"""

CLEANUP_JOB_YML = """\
resources:
  jobs:
    cleanup:
      name: cleanup
      tasks:
        - task_key: run_etl
          run_job_task:
            job_id: ${resources.jobs.sales_etl.id}
"""

FILES = {
    "databricks.yml": DATABRICKS_YML,
    "resources/etl.job.yml": ETL_JOB_YML,
    "resources/cleanup.job.yml": CLEANUP_JOB_YML,
    "src/ingest.py": "# Databricks notebook source\nprint('ingest')\n",
    "src/region.py": "# Databricks notebook source\ndbutils.widgets.get('region')\n",
    "src/transform.py": "import sys\nprint(sys.argv)\n",
    "src/report.sql": "SELECT 1;\n",
    "dist/sales_model-0.1.0-py3-none-any.whl": "PK\x03\x04",
}


def write_bundle(root: Path, overrides: Mapping[str, str | None] | None = None) -> Path:
    """Write the valid bundle, replacing (or, with ``None``, omitting) some files."""
    files = {**FILES, **(overrides or {})}
    for rel, text in files.items():
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found")
