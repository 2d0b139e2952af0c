"""Fixtures for the workspace adapter tests: snapshot builders and an isolated SDK config."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.workspace_server import WorkspaceServer

PY_NOTEBOOK = b"# Databricks notebook source\nprint('hi')\n\n# COMMAND ----------\n\nx = 1\n"
SQL_NOTEBOOK = b"-- Databricks notebook source\nSELECT 1\n"
IPYNB = json.dumps(
    {
        "cells": [{"cell_type": "code", "source": ["print(1)\n"], "metadata": {}, "outputs": []}],
        "metadata": {"application/vnd.databricks.v1+notebook": {"language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 0,
    }
).encode()


def make_job(job_id: int, tasks: int = 1, *, name: str | None = None, clusters: int = 0) -> dict:
    """A jobs/get body with ``tasks`` tasks, ``clusters`` job clusters and unknown fields."""
    return {
        "job_id": job_id,
        "creator_user_name": "someone@example.com",
        "created_time": 1_700_000_000_000 + job_id,
        "settings": {
            "name": name or f"job {job_id}",
            "future_field": {"kept": True},
            "tasks": [
                {
                    "task_key": f"t{i:03d}",
                    "notebook_task": {"notebook_path": f"/nb/{i}"},
                    "unknown_task_field": i,
                }
                for i in range(tasks)
            ],
            **(
                {"job_clusters": [{"job_cluster_key": f"c{i}"} for i in range(clusters)]}
                if clusters
                else {}
            ),
        },
    }


def write_job(root: Path, job: dict) -> Path:
    file = root / "jobs" / f"{job['job_id']}.json"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(job), encoding="utf-8")
    return file


def write_object(root: Path, rel: str, content: bytes) -> Path:
    file = root / "workspace" / rel
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(content)
    return file


@pytest.fixture
def snap(tmp_path: Path) -> Path:
    """A small snapshot: two jobs, notebooks of each kind, a file, unicode and spaces."""
    root = tmp_path / "snap"
    write_job(root, make_job(7, 3, name="Daily ETL"))
    write_job(root, make_job(250, 250, clusters=120))
    write_object(root, "Users/me@x.com/etl.py", PY_NOTEBOOK)
    write_object(root, "Users/me@x.com/report.sql", SQL_NOTEBOOK)
    write_object(root, "Users/me@x.com/explore.ipynb", IPYNB)
    write_object(root, "Users/me@x.com/lib/util.py", b"def f():\n    return 1\n")
    write_object(
        root,
        "Users/me@x.com/Données brutes/my notebook.scala",
        b"// Databricks notebook source\nval x = 1\n",
    )
    write_object(root, "Users/me@x.com/conf.yml", b"a: 1\n")
    return root


@pytest.fixture
def sdk_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ambient Databricks credentials or config file may leak into a test."""
    for var in list(os.environ):
        if var.startswith(("DATABRICKS_", "ARM_", "GOOGLE_")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.fixture
def server(snap: Path, sdk_env: None) -> Iterator[WorkspaceServer]:
    with WorkspaceServer(snap) as srv:
        yield srv
