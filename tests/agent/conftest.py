"""Fixtures for the agent tests: a generated bundle, a scripted Messages API, a hermetic env.

The agent under test is the real ``claude`` CLI bundled with claude-agent-sdk, started by the
SDK; only the model is replaced, by :class:`~tests.servers.anthropic_server.AnthropicServer`
on 127.0.0.1. Proxies point at a closed port so any traffic not bound for 127.0.0.1 fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dabgen_ci.agent.settings import AgentSettings
from dabgen_ci.cli import DabgenGroup
from dabgen_ci.commands.refine import refine
from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
from dabgen_ci.flows.select import JobSelection
from dabgen_ci.workspace.snapshot import SnapshotSource
from tests.servers.anthropic_server import AnthropicServer, Turn

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "dabgen_ci" / "data" / "demo_workspace"
JOB_FILE = "resources/nightly_sales_etl.job.yml"
_AMBIENT = ("ANTHROPIC_", "CLAUDE_CODE_", "CLAUDE_CONFIG_DIR", "CLAUDECODE")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (directories as ``b"<dir>"``), for byte-exact comparisons."""
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        out[rel] = b"<dir>" if path.is_dir() else path.read_bytes()
    return out


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(_AMBIENT):
            monkeypatch.delenv(name)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    out = tmp_path / "bundle"
    result = generate_jobs(SnapshotSource(DEMO), JobSelection(ids=(1001,)),
                           GenerateOptions(out=out, run_cli=False), None)
    assert result.ok, result.diagnostics
    return out


@pytest.fixture
def scripted_api() -> Iterator[Callable[[list[Turn]], AnthropicServer]]:
    """``api = scripted_api([turn(...), ...])``: started now, stopped after the test."""
    started: list[AnthropicServer] = []

    def start(turns: list[Turn]) -> AnthropicServer:
        started.append(AnthropicServer(turns).start())
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def agent_env(tmp_path: Path) -> Callable[[AnthropicServer], dict[str, str]]:
    def make(api: AnthropicServer) -> dict[str, str]:
        home = tmp_path / "home"
        (home / ".claude").mkdir(parents=True, exist_ok=True)
        return {
            "ANTHROPIC_API_KEY": "sk-test-not-a-real-key",
            "ANTHROPIC_BASE_URL": api.url,
            "CLAUDE_CONFIG_DIR": str(home / ".claude"),
            "HOME": str(home),
            "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
        }
    return make


@pytest.fixture
def settings() -> AgentSettings:
    return AgentSettings(workspace_snapshot=DEMO, timeout_seconds=60)


@contextmanager
def unchanged(*paths: Path) -> Iterator[None]:
    """Assert that files and directories are byte-for-byte the same after the block."""
    before = {p: tree(p) if p.is_dir() else p.read_bytes() for p in paths}
    yield
    for p, old in before.items():
        assert (tree(p) if p.is_dir() else p.read_bytes()) == old, p


def command_group() -> DabgenGroup:
    """``refine`` under the real top-level error handler (the lead registers it in cli.py)."""
    group = DabgenGroup()
    group.add_command(refine)
    return group
