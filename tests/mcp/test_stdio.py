"""The process contract of ``dabgen-mcp`` over stdio, against the real binary: it speaks MCP
on stdin/stdout (the default transport), reaches the live workspace, keeps its read-only
default, and exits with status 0 when its client closes stdin.

Every other MCP test builds the server in-process (conftest); this is the one that needs
the process. The exit status is observed by a minimal parent that runs the binary with the
client's pipes and writes the child's status to a file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client import stdio
from mcp.client.stdio import stdio_client

from tests.mcp.helpers import TOKEN, server_command, text_of

if TYPE_CHECKING:
    from tests.mcp.conftest import McpEnv

pytestmark = pytest.mark.anyio
EXIT_STATUS_OF_CHILD = (
    "import subprocess, sys\n"
    "status = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str(status))\n"
    "sys.exit(status)\n"
)


async def test_dabgen_mcp_speaks_mcp_over_stdio_and_exits_cleanly(
        mcp_env: McpEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The client waits 2 s for the server to exit by itself before it kills it; on a loaded
    # machine that is a timing assumption, and the exit is what this test asserts.
    monkeypatch.setattr(stdio, "PROCESS_TERMINATION_TIMEOUT", 120.0)
    status_file, errlog = tmp_path / "status", tmp_path / "stderr.log"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-c", EXIT_STATUS_OF_CHILD, str(status_file), *server_command(),
              "--root", str(mcp_env.root)],
        env=mcp_env.env(with_cli=False), cwd=str(mcp_env.root))
    with errlog.open("w") as log:
        async with stdio_client(params, errlog=log) as (read, write), \
                ClientSession(read, write) as session:
            hello = await session.initialize()
            assert hello.server_info.name == "dabgen" and "--allow-writes" in (
                hello.instructions or "")
            names = {tool.name for tool in (await session.list_tools()).tools}
            assert len(names) == 18 and {"health", "run_job", "sync_workspace_to_local"} <= names
            jobs = await session.call_tool("list_jobs", {})
            assert not jobs.is_error and isinstance(jobs.structured_content, dict)
            assert [j["job_id"] for j in jobs.structured_content["jobs"]] == [
                1001, 1002, 1003, 1004]
            refused = await session.call_tool("run_job", {"job_id": 1001})
            text = text_of(refused)
            assert refused.is_error and "read-only" in text and "--allow-writes" in text
    assert status_file.read_text() == "0"
    stderr = errlog.read_text()
    assert "Traceback" not in stderr and TOKEN not in stderr
    assert mcp_env.routes.runs == []  # the refused run never reached the workspace
