"""Fixtures shared across the suite: the embedded demo snapshot and a workspace server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.workspace_server import WorkspaceServer

ROOT = Path(__file__).resolve().parent.parent
DEMO_SNAPSHOT = ROOT / "dabgen_ci" / "data" / "demo_workspace"


@pytest.fixture
def demo_snapshot(tmp_path: Path) -> Path:
    """A private copy of the demo snapshot that a test may modify."""
    copy = tmp_path / "snap"
    shutil.copytree(DEMO_SNAPSHOT, copy)
    return copy


@pytest.fixture
def workspace(demo_snapshot: Path) -> Iterator[WorkspaceServer]:
    """The demo snapshot served over the Databricks REST API on 127.0.0.1."""
    with WorkspaceServer(demo_snapshot) as server:
        yield server
