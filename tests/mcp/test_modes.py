"""The other ways to start ``dabgen-mcp``: on a snapshot directory, and with credentials
the workspace rejects (health explains, tools fail with one actionable line). In-process
servers built from the command line, as in conftest."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from mcp import Client

from tests.mcp.helpers import TOKEN, call, fail

if TYPE_CHECKING:
    from tests.mcp.conftest import McpEnv

pytestmark = pytest.mark.anyio


async def test_snapshot_mode_reads_jobs_and_refuses_live_only_tools(
        mcp_env: McpEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: v for k, v in mcp_env.env(with_cli=False).items()
           if k not in ("DATABRICKS_HOST", "DATABRICKS_TOKEN")}
    for name in ("DATABRICKS_HOST", "DATABRICKS_TOKEN"):
        monkeypatch.delenv(name)
    server = mcp_env.build("--workspace-snapshot", str(mcp_env.snapshot), env=env)
    requests_before = sum(mcp_env.server.requests.values())
    async with Client(server) as client:
        health = await call(client, "health")
        assert health["ok"] and health["mode"] == "snapshot" and health["user"] is None
        assert [j["job_id"] for j in (await call(client, "list_jobs"))["jobs"]] == [
            1001, 1002, 1003, 1004]
        made = await call(client, "generate_bundle_from_job", job_ids=[1003], out="offline")
        assert made["ok"] and made["api_calls"]["jobs/get"] == 1
        for tool, arguments in (("list_warehouses", {}), ("get_cluster", {"cluster_id": "c"}),
                                ("list_dbfs_files", {}),
                                ("execute_dbsql", {"statement": "SELECT 1",
                                                   "warehouse_id": "w"})):
            assert "not available with a snapshot" in await fail(client, tool, **arguments)
    assert sum(mcp_env.server.requests.values()) == requests_before  # never went live


async def test_rejected_credentials_are_explained(mcp_env: McpEnv,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    rejected = "dapi" + "f" * 32
    monkeypatch.setenv("DATABRICKS_TOKEN", rejected)
    server = mcp_env.build(env={**mcp_env.env(with_cli=False), "DATABRICKS_TOKEN": rejected})
    async with Client(server) as client:
        health = await call(client, "health")
        assert not health["ok"] and "authentication failed" in health["message"]
        message = await fail(client, "list_jobs")
        assert "authentication failed" in message and "DATABRICKS_TOKEN" in message
        assert "f" * 32 not in message and TOKEN not in message
        local = mcp_env.root / "no_auth_needed.sql"
        local.write_text("-- Databricks notebook source\nSELECT * FROM main.sales.orders\n")
        found = await call(client, "analyze_notebook", local_path="no_auth_needed.sql")
        assert found["analysis"]["tables"][0]["name"] == "main.sales.orders"
