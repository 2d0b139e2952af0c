"""Streamable HTTP smoke test: ``dabgen-mcp --http 127.0.0.1:PORT`` serves the same tools
(the real binary: the transport is the process's); a bad address is a usage error."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from mcp import Client

from mcp_server.__main__ import parse_args
from tests.mcp.helpers import call, server_command

if TYPE_CHECKING:
    from tests.mcp.conftest import McpEnv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen[bytes], log: Path, seconds: float = 20.0
              ) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"dabgen-mcp exited early: {log.read_text()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"dabgen-mcp did not listen on {port} within {seconds} s")


@pytest.fixture
def http_url(mcp_env: McpEnv) -> Iterator[str]:
    port = _free_port()
    argv = [*server_command(), "--root", str(mcp_env.root), "--http", f"127.0.0.1:{port}"]
    log = mcp_env.base / f"http-{port}.log"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(argv, env=mcp_env.env(with_cli=False), cwd=mcp_env.root,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=stderr)
    try:
        _wait_for(port, proc, log)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.anyio
async def test_streamable_http_serves_the_tools(http_url: str, mcp_env: McpEnv) -> None:
    async with Client(http_url) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert len(names) == 18 and {"health", "execute_dbsql", "create_tests"} <= names
        health = await call(client, "health")
        assert health["ok"] and health["workspace"] == mcp_env.server.url


def test_bad_http_address_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse's exit status is the process's: ``main`` lets ``SystemExit`` through."""
    with pytest.raises(SystemExit) as done:
        parse_args(["--http", "localhost"])
    assert done.value.code == 2 and "expected HOST:PORT" in capsys.readouterr().err
