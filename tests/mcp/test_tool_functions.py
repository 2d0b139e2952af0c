"""Tool functions called directly with a context: the decisions that are hard to reach
through the protocol — each cap at its edge (a small ``Caps``), a write refused before the
workspace is even opened, the CLI environment and profile taken from the context (two
contexts in one process), this call's API calls only. Contexts are built on the snapshot
source or on the local workspace server (real databricks-sdk over HTTP)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from dabgen_ci.errors import BadInputError, PermissionDeniedError, WorkspaceError
from dabgen_ci.workspace.live import LiveSource
from dabgen_ci.workspace.ops import LiveOps
from mcp_server import tools_bundles, tools_delivery, tools_workspace
from mcp_server.context import Caps, LazyWorkspace, ToolContext, WorkspacePair, workspace_for
from tests.mcp.helpers import TOKEN, USER_FOLDER, write_fake_databricks
from tests.mcp.workspace_routes import WAREHOUSE_ID, ExtraRoutes
from tests.servers.workspace_server import WorkspaceServer


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "root"
    path.mkdir()
    return path


def on_snapshot(root: Path, snapshot: Path, **fields: Any) -> ToolContext:
    return ToolContext(root=root, workspace=workspace_for(snapshot, None), env={}, **fields)


def unopened() -> LazyWorkspace:
    """A workspace whose opening fails the test: what must happen before it never does."""

    def opener() -> WorkspacePair:
        raise AssertionError("the workspace was opened")

    return LazyWorkspace(opener, mode="live", label="the workspace")


def on_server(server: WorkspaceServer) -> LazyWorkspace:
    """The live adapters on the local workspace server, credentials given explicitly."""

    def opener() -> WorkspacePair:
        from databricks.sdk import WorkspaceClient

        client = WorkspaceClient(host=server.url, token=server.token, auth_type="pat")
        return LiveSource(client), LiveOps(client)

    return LazyWorkspace(opener, mode="live", label=server.url)


# -- workspace tools --------------------------------------------------------------------------


def test_health_on_a_snapshot_and_when_the_workspace_cannot_open(
        tmp_path: Path, root: Path, demo_snapshot: Path) -> None:
    (tmp_path / "via_link").symlink_to(root, target_is_directory=True)
    healthy = tools_workspace.health(on_snapshot(tmp_path / "via_link", demo_snapshot,
                                                 allow_writes=True))
    assert healthy.ok and healthy.mode == "snapshot" and healthy.user is None
    assert healthy.workspace == f"snapshot {demo_snapshot}" and healthy.allow_writes
    assert healthy.root == str(root.resolve())  # the real directory, links resolved

    def opener() -> WorkspacePair:
        raise WorkspaceError("no usable Databricks credentials for profile prod")

    broken = ToolContext(root=root, env={},
                         workspace=LazyWorkspace(opener, mode="live", label="prod"))
    sick = tools_workspace.health(broken)
    assert not sick.ok and sick.mode == "live" and sick.workspace == "prod"
    assert sick.message == "no usable Databricks credentials for profile prod"
    assert not sick.allow_writes


def test_get_job_keeps_the_first_tasks_only_over_both_caps(root: Path,
                                                           demo_snapshot: Path) -> None:
    cut = tools_workspace.get_job(on_snapshot(root, demo_snapshot,
                                              caps=Caps(job_bytes=1, kept_tasks=2)), 1001)
    assert cut.truncated and cut.task_count == 4
    assert [t["task_key"] for t in cut.job["settings"]["tasks"]] == [
        "ingest_orders", "clean_orders"]
    few_tasks = tools_workspace.get_job(on_snapshot(root, demo_snapshot,
                                                    caps=Caps(job_bytes=1, kept_tasks=4)), 1001)
    assert not few_tasks.truncated and len(few_tasks.job["settings"]["tasks"]) == 4
    small = tools_workspace.get_job(on_snapshot(root, demo_snapshot,
                                                caps=Caps(kept_tasks=2)), 1001)
    assert not small.truncated and len(small.job["settings"]["tasks"]) == 4


def test_list_jobs_limit_is_exact(root: Path, demo_snapshot: Path) -> None:
    ctx = on_snapshot(root, demo_snapshot)
    everything = tools_workspace.list_jobs(ctx, limit=4)
    assert len(everything.jobs) == 4 and not everything.truncated
    three = tools_workspace.list_jobs(ctx, limit=3)
    assert [j.job_id for j in three.jobs] == [1001, 1002, 1003] and three.truncated


def test_writes_are_refused_before_the_workspace_is_opened(root: Path) -> None:
    ctx = ToolContext(root=root, workspace=unopened(), env={})
    refusals = [
        lambda: tools_workspace.run_job(ctx, 1001),
        lambda: tools_workspace.execute_dbsql(ctx, "DELETE FROM orders", WAREHOUSE_ID),
        lambda: tools_delivery.upload_bundle(ctx, ".", "/Workspace/Shared/x"),
        lambda: tools_delivery.sync_workspace_to_local(ctx, USER_FOLDER, "out"),
        lambda: tools_delivery.run_bundle_command(ctx, ".", "deploy"),
    ]
    for refused in refusals:
        with pytest.raises(PermissionDeniedError, match=r"read-only.*--allow-writes"):
            refused()
    assert list(root.iterdir()) == []
    with pytest.raises(AssertionError, match="opened"):  # a read goes to the workspace
        tools_workspace.execute_dbsql(ctx, "SELECT 1", WAREHOUSE_ID)


def test_execute_dbsql_keeps_rows_within_the_sql_cap(root: Path, workspace: WorkspaceServer,
                                                     demo_snapshot: Path) -> None:
    ExtraRoutes(workspace, demo_snapshot)
    statement = "SELECT name FROM customers ORDER BY name"
    ctx = ToolContext(root=root, workspace=on_server(workspace), env={},
                      caps=Caps(sql_bytes=len(json.dumps(["Ada"]))))
    cut = tools_workspace.execute_dbsql(ctx, statement, WAREHOUSE_ID)
    assert cut.rows == [["Ada"]] and cut.row_count == 1 and cut.truncated
    whole = tools_workspace.execute_dbsql(ToolContext(root=root, workspace=ctx.workspace,
                                                      env={}), statement, WAREHOUSE_ID)
    assert whole.rows == [["Ada"], ["Grace"]] and not whole.truncated


# -- bundle tools -----------------------------------------------------------------------------


def test_analyze_notebook_local_file_checks(root: Path) -> None:
    ctx = ToolContext(root=root, workspace=unopened(), env={}, caps=Caps(notebook_bytes=64))
    (root / "small.sql").write_text("-- Databricks notebook source\nSELECT * FROM a.b.c\n")
    (root / "big.py").write_text("# Databricks notebook source\n" + "x = 1\n" * 20)
    (root / "folder").mkdir()
    found = tools_bundles.analyze_notebook(ctx, local_path="small.sql")
    assert found.source == "small.sql" and found.analysis["tables"][0]["name"] == "a.b.c"
    with pytest.raises(BadInputError, match=r"big\.py is larger than 64 bytes"):
        tools_bundles.analyze_notebook(ctx, local_path="big.py")
    with pytest.raises(BadInputError, match="folder is not a file"):
        tools_bundles.analyze_notebook(ctx, local_path="folder")
    with pytest.raises(BadInputError, match="exactly one"):
        tools_bundles.analyze_notebook(ctx, workspace_path="/x", local_path="small.sql")


def test_each_generate_call_reports_its_own_api_calls(root: Path, demo_snapshot: Path) -> None:
    ctx = on_snapshot(root, demo_snapshot)
    first = tools_bundles.generate_bundle_from_job(ctx, [1001], "one")
    second = tools_bundles.generate_bundle_from_job(ctx, [1001], "two")
    calls = {"jobs/get": 1, "workspace/export": 4}  # an extra field of the result model
    assert first.model_dump()["api_calls"] == second.model_dump()["api_calls"] == calls
    assert (first.out, second.out) == ("one", "two")
    assert ctx.source().calls["jobs/get"] == 2  # the source counts both


def test_generate_bundle_needs_exactly_one_kind_of_input(root: Path) -> None:
    ctx = ToolContext(root=root, workspace=unopened(), env={})
    for arguments in ({}, {"folder": USER_FOLDER, "notebook_paths": [f"{USER_FOLDER}/a"]}):
        with pytest.raises(BadInputError, match="exactly one of folder or notebook_paths"):
            # The point: arguments the signature refuses, as an MCP client may send them.
            tools_bundles.generate_bundle(ctx, "out", **arguments)  # type: ignore[arg-type]
    assert list(root.iterdir()) == []


# -- the databricks CLI, from the context's environment ---------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH finds the fake ``databricks`` and that holds credentials."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    write_fake_databricks(bin_dir)
    return {"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin", "DATABRICKS_HOST": "http://x",
            "DATABRICKS_TOKEN": TOKEN, "FAKE_DATABRICKS_LOG": str(tmp_path / "cli.log")}


def test_two_contexts_in_one_process_run_their_own_cli(
        root: Path, demo_snapshot: Path, cli_env: dict[str, str], tmp_path: Path) -> None:
    tools_bundles.generate_bundle_from_job(on_snapshot(root, demo_snapshot), [1002], "b")
    with_cli = ToolContext(root=root, workspace=unopened(), env=cli_env, allow_writes=True,
                           profile="prod")
    without = ToolContext(root=root, workspace=unopened(), env={"PATH": "/usr/bin:/bin"},
                          allow_writes=True)
    deployed = tools_delivery.run_bundle_command(with_cli, "b", "deploy", target="dev")
    assert deployed.ok and deployed.stdout.strip() == "bundle deploy OK"
    assert deployed.command == ["databricks", "bundle", "deploy", "--target", "dev",
                                "--profile", "prod"]
    assert TOKEN not in deployed.stderr and "***" in deployed.stderr  # the context's token
    with pytest.raises(BadInputError, match="databricks CLI is not on PATH"):
        tools_delivery.run_bundle_command(without, "b", "validate")
    checked = tools_bundles.validate_bundle(with_cli, "b", use_databricks_cli=True)
    assert "databricks-cli" in checked.validators_run
    unchecked = tools_bundles.validate_bundle(without, "b", use_databricks_cli=True)
    assert unchecked.validators_skipped["databricks-cli"] == "databricks CLI not on PATH"
    assert not unchecked.ok
    log = [json.loads(line) for line in (tmp_path / "cli.log").read_text().splitlines()]
    assert [entry["argv"][:2] for entry in log] == [["bundle", "deploy"],
                                                    ["bundle", "validate"]]


# -- delivery tools ---------------------------------------------------------------------------


def test_upload_bundle_stops_at_the_file_cap_and_says_which(
        root: Path, workspace: WorkspaceServer, demo_snapshot: Path) -> None:
    ExtraRoutes(workspace, demo_snapshot)
    ctx = ToolContext(root=root, workspace=on_server(workspace), env={}, allow_writes=True,
                      caps=Caps(upload_files=3))
    made = tools_bundles.generate_bundle_from_job(ctx, [1001], "b")
    done = tools_delivery.upload_bundle(ctx, "b", "/Workspace/Shared/up")
    assert len(done.uploaded) == 3
    beyond = [s for s in done.skipped if s.endswith(": more than 3 files")]
    assert len(beyond) == len(made.files) - 3 and len(done.skipped) == len(beyond)
    assert workspace.requests["POST /api/2.0/workspace/import"] == 3


def test_sync_stops_at_the_object_cap(root: Path, demo_snapshot: Path) -> None:
    ctx = on_snapshot(root, demo_snapshot, allow_writes=True, caps=Caps(sync_objects=2))
    synced = tools_delivery.sync_workspace_to_local(ctx, USER_FOLDER, "out")
    assert synced.truncated and len(synced.files) == 2
    assert sorted(p.name for p in (root / "out").rglob("*") if p.is_file()) == sorted(
        Path(f).name for f in synced.files)
    with pytest.raises(BadInputError, match="out is not empty; pass overwrite"):
        tools_delivery.sync_workspace_to_local(ctx, USER_FOLDER, "out")
    whole = tools_delivery.sync_workspace_to_local(on_snapshot(root, demo_snapshot,
                                                               allow_writes=True),
                                                   USER_FOLDER, "out", overwrite=True)
    assert not whole.truncated and len(whole.files) == 7
