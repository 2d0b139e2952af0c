"""Every MCP tool result has a size cap and says when it cut: through the protocol (an
in-process server on the live test workspace) for a 20 MB job and a long job list, and the
cutting itself as a unit."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from mcp import Client

from mcp_server.bounds import MAX_RESULT_BYTES, bound, json_size
from mcp_server.server import ServerConfig, build_server
from tests.mcp.helpers import call, text_of
from tests.servers.workspace_server import WorkspaceServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def live(workspace: WorkspaceServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABRICKS_HOST", workspace.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", workspace.token)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", os.devnull)
    yield


@pytest.fixture
async def client(tmp_path: Path, live: None) -> AsyncIterator[Client]:
    async with Client(build_server(ServerConfig(root=tmp_path))) as connected:
        yield connected


async def _raw_size(client: Client, tool: str, **arguments: object) -> tuple[dict, int]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    structured = result.structured_content
    assert isinstance(structured, dict)
    text = text_of(result)
    return structured, max(json_size(structured), len(text.encode()))


async def test_get_job_of_20_mb_is_cut_and_says_so(client: Client,
                                                   workspace: WorkspaceServer) -> None:
    huge = "x" * (20 * 1024 * 1024)
    body = {"job_id": 4242, "settings": {"name": "Huge", "tasks": [
        {"task_key": "only", "notebook_task": {"notebook_path": "/Shared/nb",
                                               "base_parameters": {"blob": huge}}}]}}
    workspace.route("GET", "/api/2.2/jobs/get", lambda req: body)
    result, size = await _raw_size(client, "get_job", job_id=4242)
    assert size <= MAX_RESULT_BYTES + 4096
    assert result["truncated"] is True
    assert result["job_id"] == 4242 and result["name"] == "Huge" and result["task_count"] == 1
    task = result["job"]["settings"]["tasks"][0]
    assert task["task_key"] == "only"
    assert task["notebook_task"]["base_parameters"]["blob"].endswith("[cut by dabgen-mcp]")


async def test_a_small_job_is_whole(client: Client) -> None:
    result = await call(client, "get_job", job_id=1001)
    assert result["truncated"] is False
    assert result["job"]["settings"]["name"] == "Nightly Sales ETL"


async def test_a_list_of_long_job_names_is_cut(client: Client, demo_snapshot: Path) -> None:
    for job_id in range(5000, 5300):
        job = {"job_id": job_id, "settings": {"name": f"job {job_id} " + "n" * 10_000}}
        (demo_snapshot / "jobs" / f"{job_id}.json").write_text(json.dumps(job))
    result, size = await _raw_size(client, "list_jobs", limit=1000)
    assert size <= MAX_RESULT_BYTES + 4096
    assert result["truncated"] is True and result["jobs"]


async def test_every_tool_result_says_whether_it_was_cut(client: Client) -> None:
    tools = (await client.list_tools()).tools
    assert len(tools) == 18
    for tool in tools:
        assert "truncated" in (tool.output_schema or {}).get("properties", {}), tool.name


def test_bound_keeps_the_shape_and_the_beginning() -> None:
    value = {"a": "y" * 5000, "items": list(range(10_000)), "nested": {"k": ["z" * 100] * 50}}
    cut, was_cut = bound(value, 4096)
    assert was_cut and json_size(cut) <= 4096
    assert set(cut) == {"a", "items", "nested"}
    assert cut["items"] == list(range(len(cut["items"])))
    assert cut["a"].startswith("yyy") and cut["a"].endswith("[cut by dabgen-mcp]")
    assert bound(value, 4096) == (cut, True)  # deterministic


def test_bound_leaves_small_results_alone() -> None:
    value = {"a": [1, 2, 3], "b": "text"}
    assert bound(value, 4096) == (value, False)
