"""Fixtures for the MCP tests: a live test workspace, a fake ``databricks`` CLI, and
``dabgen-mcp`` servers in this process (read-only and with --allow-writes), each reached
through the real MCP client (``mcp.Client(server)``).

The servers are built from a ``dabgen-mcp`` command line (the binary's own argument
parser) and given their CLI environment through the tool context, so the read-only and the
write-enabled server — whose ``PATH`` differ in the fake ``databricks`` — coexist in one
process. databricks-sdk's unified auth reads the process environment, which the module's
``mcp_env`` points at the test workspace. The stdio process contract and streamable HTTP
are tested against the real binary in ``test_stdio.py`` and ``test_http.py``.

Tests use anyio's pytest plugin (``@pytest.mark.anyio``); the clients are module-scoped so
each module builds each server once.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer

from mcp_server.__main__ import parse_args
from mcp_server.server import build_server
from tests.mcp.helpers import BIG_NOTEBOOK, REPO, TOKEN, write_fake_databricks
from tests.mcp.workspace_routes import ExtraRoutes
from tests.servers.workspace_server import WorkspaceServer

DEMO_SNAPSHOT = REPO / "dabgen_ci" / "data" / "demo_workspace"


@dataclass
class McpEnv:
    base: Path
    snapshot: Path
    root: Path
    bin_dir: Path
    cli_log: Path
    server: WorkspaceServer
    routes: ExtraRoutes

    def env(self, *, with_cli: bool) -> dict[str, str]:
        path = os.environ.get("PATH", "")
        return {
            "PYTHONPATH": str(REPO),
            "PATH": f"{self.bin_dir}{os.pathsep}{path}" if with_cli else path,
            "HOME": str(self.base / "home"),
            "DATABRICKS_HOST": self.server.url,
            "DATABRICKS_TOKEN": TOKEN,
            "DATABRICKS_CONFIG_FILE": str(self.base / "no-databrickscfg"),
            "FAKE_DATABRICKS_LOG": str(self.cli_log),
        }

    def build(self, *args: str, with_cli: bool = False,
              env: dict[str, str] | None = None) -> MCPServer:
        """The server ``dabgen-mcp --root ROOT *args`` builds, with the CLI environment
        ``env`` (default: :meth:`env`)."""
        config, _ = parse_args(["--root", str(self.root), *args])
        return build_server(config, env=self.env(with_cli=with_cli) if env is None else env)


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def mcp_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpEnv]:
    base = tmp_path_factory.mktemp("mcp")
    snapshot = Path(shutil.copytree(DEMO_SNAPSHOT, base / "snap"))
    big = snapshot / "workspace" / BIG_NOTEBOOK.lstrip("/")
    big.parent.mkdir(parents=True)
    big.with_suffix(".py").write_text("# Databricks notebook source\n" + "x = 1\n" * 60_000)
    root, bin_dir = base / "root", base / "bin"
    for directory in (root, bin_dir, base / "home"):
        directory.mkdir()
    write_fake_databricks(bin_dir)
    with WorkspaceServer(snapshot, token=TOKEN) as server, pytest.MonkeyPatch.context() as mp:
        routes = ExtraRoutes(server, snapshot)
        mcp_env = McpEnv(base, snapshot, root, bin_dir, base / "cli.log", server, routes)
        for name in [n for n in os.environ if n.startswith("DATABRICKS_")]:
            mp.delenv(name)
        for name in ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CONFIG_FILE"):
            mp.setenv(name, mcp_env.env(with_cli=False)[name])  # the SDK's unified auth
        yield mcp_env


@pytest.fixture(scope="module")
async def ro(mcp_env: McpEnv) -> AsyncIterator[Client]:
    """A read-only server with no databricks CLI on its PATH."""
    async with Client(mcp_env.build()) as client:
        yield client


@pytest.fixture(scope="module")
async def rw(mcp_env: McpEnv) -> AsyncIterator[Client]:
    """A server started with --allow-writes and the fake databricks CLI on its PATH."""
    async with Client(mcp_env.build("--allow-writes", with_cli=True)) as client:
        yield client
