"""The one tool table and how the server binds it: every tool a module-level function that
takes the context first, exposed under its table name with the table's access, its errors
redacted against the context's environment (not the process's), its result cut at the
context's cap. In-process servers on the demo snapshot."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client
from pydantic import BaseModel

from dabgen_ci.errors import NotFoundError, WorkspaceError
from mcp_server import models
from mcp_server.bounds import json_size
from mcp_server.context import Caps, LazyWorkspace, ToolContext, WorkspacePair, workspace_for
from mcp_server.registry import TOOLS, ToolSpec, describe
from mcp_server.server import server_for
from tests.mcp.helpers import call, fail

SECRET = "not-token-shaped-but-secret"  # redacted only because the context's env names it


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def ctx(tmp_path: Path, demo_snapshot: Path) -> Iterator[ToolContext]:
    root = tmp_path / "root"
    root.mkdir()
    yield ToolContext(root=root, workspace=workspace_for(demo_snapshot, None),
                      env={"DATABRICKS_TOKEN": SECRET})


def test_the_table_lists_18_module_level_functions_once() -> None:
    assert len(TOOLS) == 18 and len({spec.name for spec in TOOLS}) == 18
    for spec in TOOLS:
        assert spec.name == spec.function.__name__, spec.name
        assert spec.function.__module__ in {"mcp_server.tools_workspace",
                                            "mcp_server.tools_bundles",
                                            "mcp_server.tools_delivery"}
        assert "<locals>" not in spec.function.__qualname__
        assert spec.description == describe(spec.function) and "\n" not in spec.description


def test_every_tool_takes_the_context_first_and_only_there() -> None:
    for spec in TOOLS:
        parameters = list(inspect.signature(spec.function, eval_str=True).parameters.values())
        assert parameters[0].name == "ctx" and parameters[0].annotation is ToolContext
        assert all(p.annotation is not ToolContext for p in parameters[1:]), spec.name
        result = inspect.signature(spec.function, eval_str=True).return_annotation
        assert issubclass(result, BaseModel), spec.name


def test_access_splits_reads_writes_and_destructive_writes() -> None:
    by_access = {access: {s.name for s in TOOLS if s.access == access}
                 for access in ("read", "write", "destructive")}
    assert by_access["destructive"] == {"execute_dbsql", "run_bundle_command"}
    assert by_access["write"] == {"run_job", "generate_bundle", "generate_bundle_from_job",
                                  "create_tests", "upload_bundle", "sync_workspace_to_local"}
    assert len(by_access["read"]) == 10


@pytest.mark.anyio
async def test_the_server_exposes_the_table_without_ctx(ctx: ToolContext) -> None:
    async with Client(server_for(ctx)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert list(tools) == [spec.name for spec in TOOLS]  # the table's order
    for spec in TOOLS:
        tool = tools[spec.name]
        assert "ctx" not in tool.input_schema.get("properties", {})
        assert tool.description == spec.description
        hints = tool.annotations
        assert hints is not None
        assert hints.read_only_hint is (spec.access == "read")
        assert hints.destructive_hint is (spec.access == "destructive")
        assert hints.open_world_hint is True


def _leaky(ctx: ToolContext, job_id: int) -> models.JobDetail:
    """Fails with the context's secret in its message (a tool echoing a credential)."""
    raise NotFoundError(f"job {job_id} not found (token {SECRET})")


def _oserror(ctx: ToolContext) -> models.Health:
    """Fails reading a local file."""
    raise FileNotFoundError(2, "No such file or directory", str(ctx.root / "gone.yml"))


@pytest.mark.anyio
async def test_errors_are_one_line_redacted_by_the_context_env(ctx: ToolContext) -> None:
    specs = [ToolSpec("leaky", _leaky, "read", describe(_leaky)),
             ToolSpec("oserror", _oserror, "read", describe(_oserror))]
    async with Client(server_for(ctx, specs)) as client:
        assert [t.name for t in (await client.list_tools()).tools] == ["leaky", "oserror"]
        message = await fail(client, "leaky", job_id=7)
        assert message == "Error executing tool leaky: job 7 not found (token ***)"
        local = await fail(client, "oserror")
        assert local == (f"Error executing tool oserror: local file error "
                         f"({ctx.root / 'gone.yml'}): No such file or directory")
    other = ToolContext(root=ctx.root, workspace=ctx.workspace, env={})
    async with Client(server_for(other, specs)) as client:
        assert SECRET in await fail(client, "leaky", job_id=7)  # the env decides, not os


@pytest.mark.anyio
async def test_results_are_cut_at_the_context_cap(ctx: ToolContext) -> None:
    small = ToolContext(root=ctx.root, workspace=ctx.workspace, env={},
                        caps=Caps(result_bytes=2600))
    async with Client(server_for(small)) as client:
        job = await call(client, "get_job", job_id=1001)
    assert job["truncated"] is True and json_size(job) <= 2600
    assert job["job_id"] == 1001 and job["name"].startswith("Nightly Sales")
    assert job["job"]["settings"]["tasks"][0]["task_key"] == "ingest_orders"  # the beginning
    async with Client(server_for(ctx)) as client:
        whole = await call(client, "get_job", job_id=1001)
    assert whole["truncated"] is False and json_size(whole) > 2600
    assert whole["name"] == "Nightly Sales ETL"


@pytest.mark.anyio
async def test_the_handshake_opens_no_workspace(tmp_path: Path) -> None:
    """Listing the tools and the local tools never open the workspace; the first tool that
    needs it does (and its failure is that tool's error)."""
    opened: list[str] = []

    def opener() -> WorkspacePair:
        opened.append("opened")
        raise WorkspaceError("cannot reach the workspace")

    context = ToolContext(root=tmp_path, env={},
                          workspace=LazyWorkspace(opener, mode="live", label="the workspace"))
    async with Client(server_for(context)) as client:
        assert len((await client.list_tools()).tools) == 18
        (tmp_path / "nb.sql").write_text("-- Databricks notebook source\nSELECT * FROM a.b.c\n")
        found = await call(client, "analyze_notebook", local_path="nb.sql")
        assert found["analysis"]["tables"][0]["name"] == "a.b.c"
        assert opened == []
        assert (await fail(client, "list_jobs")).endswith(": cannot reach the workspace")
    assert opened == ["opened"]
