"""Startup is a process contract: what a fresh interpreter imports before it answers.

``dabgen --help`` and ``dabgen validate`` must not import databricks-sdk, PyGithub, mcp or
claude-agent-sdk (each costs a second or more of imports on a small machine), and
``dabgen-mcp`` must answer ``initialize`` and ``tools/list`` before databricks-sdk is
imported: the first workspace tool pays for it. Measured with ``python -X importtime``,
whose report a process writes to stderr as each module is imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.conftest import DEMO_SNAPSHOT
from tests.servers.workspace_server import WorkspaceServer

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "demo_bundle"
HEAVY = ("databricks.sdk", "github", "mcp", "claude_agent_sdk")
DABGEN = "import sys; from dabgen_ci.cli import main; sys.argv[0] = 'dabgen'; main()"


def imported(importtime_report: str) -> list[str]:
    """Module names in a ``-X importtime`` report, in import order."""
    return [line.rsplit("|", 1)[1].strip() for line in importtime_report.splitlines()
            if line.startswith("import time:") and line.count("|") == 2
            and not line.endswith("| imported package")]


def heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def run_dabgen(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", DABGEN, *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={**env, "PYTHONPATH": str(ROOT)})
    return proc, imported(proc.stderr)


def test_the_report_names_what_was_imported(tmp_path: Path) -> None:
    """The check can fail: importing databricks-sdk shows up in the report."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import databricks.sdk"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert "databricks.sdk" in heavy(imported(proc.stderr))


def test_help_imports_no_sdk(tmp_path: Path) -> None:
    proc, modules = run_dabgen("--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "generate" in proc.stdout and "validate" in proc.stdout
    assert "dabgen_ci.cli" in modules
    assert heavy(modules) == []


def test_validate_imports_no_sdk(tmp_path: Path) -> None:
    bundle = Path(shutil.copytree(GOLDEN, tmp_path / "bundle"))
    proc, modules = run_dabgen("validate", str(bundle), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert "OK: 0 error(s)" in proc.stdout
    assert "dabgen_ci.validate.rules" in modules
    assert heavy(modules) == []


@pytest.mark.anyio
async def test_mcp_handshake_before_databricks_sdk(tmp_path: Path) -> None:
    """initialize and tools/list are answered with no databricks-sdk in the process; the
    first workspace tool imports it (live mode, against the local workspace server)."""
    log_path = tmp_path / "importtime.log"
    with WorkspaceServer(Path(shutil.copytree(DEMO_SNAPSHOT, tmp_path / "snap"))) as server:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-X", "importtime", "-m", "mcp_server", "--root", str(tmp_path)],
            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
                 "HOME": str(tmp_path), "DATABRICKS_HOST": server.url,
                 "DATABRICKS_TOKEN": server.token,
                 "DATABRICKS_CONFIG_FILE": str(tmp_path / "no-databrickscfg")},
            cwd=str(tmp_path))
        with log_path.open("w") as log:
            async with stdio_client(params, errlog=log) as (read, write), \
                    ClientSession(read, write) as session:
                await session.initialize()
                tools = await session.list_tools()
                at_handshake = imported(log_path.read_text())
                jobs = await session.call_tool("list_jobs", {})
                after_first_tool = imported(log_path.read_text())
    assert "list_jobs" in {t.name for t in tools.tools}
    assert "mcp_server.server" in at_handshake
    assert [m for m in heavy(at_handshake) if m.startswith("databricks")] == []
    assert not jobs.is_error
    # The first workspace tool imports the SDK's client, not its service modules.
    assert "databricks.sdk.core" in heavy(after_first_tool)
    assert "databricks.sdk.service.catalog" not in after_first_tool


LATE_FULL_SDK = """
import sys
from dabgen_ci.workspace.live import LiveSource
light = sorted(m for m in sys.modules if m.startswith("databricks.sdk.service."))
from databricks.sdk import WorkspaceClient
import databricks.sdk.core
from dabgen_ci.workspace import sdk
print(light, "databricks.sdk.service.catalog" in sys.modules,
      databricks.sdk.core.ApiClient is sdk.ApiClient,
      WorkspaceClient.__module__, databricks.sdk.AccountClient.__name__)
"""


def test_the_whole_sdk_is_there_when_asked_for(tmp_path: Path) -> None:
    """dabgen's adapters load databricks-sdk's client without its service modules
    (dabgen_ci.workspace.sdk); code that asks for the rest later gets the whole package."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    proc = subprocess.run([sys.executable, "-c", LATE_FULL_SDK], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path,
                          env={**env, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    light, rest = proc.stdout.strip().split("] ")
    assert "databricks.sdk.service.catalog" not in light
    assert rest == "True True databricks.sdk AccountClient"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
