"""Confinement through the MCP protocol (in-process server, live workspace over HTTP):
``create_tests`` never writes through a link, ``out="."`` never replaces the root,
``sync_workspace_to_local`` never writes through a symlinked sub-folder, and
``validate_bundle`` never reads (or echoes) an include that leaves the bundle."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from mcp import Client

from mcp_server.server import ServerConfig, build_server
from tests.mcp.helpers import USER_FOLDER, call, fail
from tests.servers.workspace_server import WorkspaceServer

pytestmark = pytest.mark.anyio
SECRET = "dapi0123456789abcdef0123456789abcdef"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def live(workspace: WorkspaceServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """databricks-sdk unified auth pointed at the test workspace, for the in-process server."""
    monkeypatch.setenv("DATABRICKS_HOST", workspace.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", workspace.token)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", os.devnull)
    yield


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "root"
    path.mkdir()
    return path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "outside"
    path.mkdir()
    (path / "victim.py").write_text("keep me\n")
    return path


@pytest.fixture
async def client(root: Path, live: None) -> AsyncIterator[Client]:
    server = build_server(ServerConfig(root=root, allow_writes=True))
    async with Client(server) as connected:
        yield connected


async def _bundle(client: Client, out: str) -> None:
    await call(client, "generate_bundle_from_job", job_ids=[1001], out=out)


def listing(path: Path) -> dict[str, bytes | str]:
    return {p.relative_to(path).as_posix(): (f"-> {os.readlink(p)}" if p.is_symlink()
                                             else p.read_bytes())
            for p in sorted(path.rglob("*")) if p.is_symlink() or p.is_file()}


async def test_create_tests_refuses_a_symlinked_tests_folder(client: Client, root: Path,
                                                             outside: Path) -> None:
    await _bundle(client, "b")
    (root / "b" / "tests").symlink_to(outside, target_is_directory=True)
    message = await fail(client, "create_tests", bundle_dir="b")
    assert "outside" in message and "symbolic link" in message
    assert listing(outside) == {"victim.py": b"keep me\n"}


async def test_create_tests_refuses_a_dangling_test_file_link(client: Client, root: Path,
                                                              outside: Path) -> None:
    await _bundle(client, "b")
    (root / "b" / "tests").mkdir()
    (root / "b" / "tests" / "test_dabgen_bundle.py").symlink_to(outside / "created.py")
    message = await fail(client, "create_tests", bundle_dir="b", overwrite=True)
    assert "outside" in message
    assert not (outside / "created.py").exists()


async def test_create_tests_overwrite_never_replaces_a_linked_file(client: Client, root: Path,
                                                                   outside: Path) -> None:
    await _bundle(client, "b")
    (root / "b" / "tests").mkdir()
    (root / "b" / "tests" / "test_dabgen_bundle.py").symlink_to(outside / "victim.py")
    for overwrite in (False, True):
        await fail(client, "create_tests", bundle_dir="b", overwrite=overwrite)
    assert listing(outside) == {"victim.py": b"keep me\n"}
    # A link that stays inside the bundle is not written through either.
    (root / "b" / "tests" / "test_dabgen_bundle.py").unlink()
    (root / "b" / "tests" / "test_dabgen_bundle.py").symlink_to(root / "b" / "databricks.yml")
    before = (root / "b" / "databricks.yml").read_bytes()
    assert "symbolic link" in await fail(client, "create_tests", bundle_dir="b", overwrite=True)
    assert (root / "b" / "databricks.yml").read_bytes() == before


async def test_create_tests_writes_a_real_file(client: Client, root: Path) -> None:
    await _bundle(client, "b")
    written = await call(client, "create_tests", bundle_dir="b")
    assert written["file"] == "b/tests/test_dabgen_bundle.py"
    assert (root / "b" / "tests" / "test_dabgen_bundle.py").is_file()


async def test_out_dot_fills_the_root_and_never_replaces_it(client: Client,
                                                            root: Path) -> None:
    (root / "notes.txt").write_text("mine\n")
    inode = root.stat().st_ino
    assert "not empty" in await fail(client, "generate_bundle_from_job", job_ids=[1001],
                                     out=".")
    result = await call(client, "generate_bundle_from_job", job_ids=[1001], out=".",
                        force=True)
    assert result["out"] == "."
    assert root.stat().st_ino == inode
    assert (root / "notes.txt").read_text() == "mine\n"
    assert (root / "databricks.yml").is_file()
    assert not [p for p in root.iterdir() if p.name.startswith(".dabgen-")]


async def test_sync_never_writes_through_a_symlinked_subfolder(client: Client, root: Path,
                                                               outside: Path) -> None:
    (root / "synced").mkdir()
    (root / "synced" / "sales").symlink_to(outside, target_is_directory=True)
    message = await fail(client, "sync_workspace_to_local", workspace_folder=USER_FOLDER,
                         out="synced", overwrite=True)
    assert "outside" in message
    assert listing(outside) == {"victim.py": b"keep me\n"}
    assert listing(root / "synced") == {"sales": f"-> {outside}"}  # nothing half-written


async def test_sync_refuses_a_workspace_subfolder_that_is_a_link_out(
        client: Client, root: Path, outside: Path, demo_snapshot: Path) -> None:
    """The snapshot the workspace server serves holds a link to a folder outside it."""
    (outside / "token.py").write_text(f"# Databricks notebook source\ntoken = '{SECRET}'\n")
    (demo_snapshot / "workspace/Workspace/Users/data-eng@acme.com/linked").symlink_to(
        outside, target_is_directory=True)
    message = await fail(client, "sync_workspace_to_local", workspace_folder=USER_FOLDER,
                         out="synced")
    assert SECRET not in message and str(outside) not in message
    assert not any(SECRET.encode() in data for data in listing(root).values()
                   if isinstance(data, bytes))


async def test_validate_bundle_never_reads_an_include_out_of_the_bundle(
        client: Client, root: Path, tmp_path: Path) -> None:
    await _bundle(client, "b")
    leak = tmp_path / "root" / "x"  # inside the server root, outside the bundle
    leak.mkdir()
    (leak / "leaky-file-name.yml").write_text(
        f"variables:\n  stolen: {{default: {SECRET}}}\nresources: 1\n")
    databricks_yml = root / "b" / "databricks.yml"
    databricks_yml.write_text(databricks_yml.read_text().replace(
        "include:\n", "include:\n  - ../x/*.yml\n"))
    report = await call(client, "validate_bundle", bundle_dir="b")
    text = json.dumps(report)
    assert SECRET not in text and "leaky-file-name" not in text and "stolen" not in text
    [diag] = [d for d in report["diagnostics"] if "outside the bundle root" in d["summary"]]
    assert diag["severity"] == "error" and diag["file"] == "databricks.yml"
    assert report["ok"] is False
