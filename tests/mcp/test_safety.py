"""The safety policy: writes refused without --allow-writes (and allowed with it), SQL read
classification, and local paths confined to --root, through the protocol and as units."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from mcp import Client

from dabgen_ci.core.paths import PathRefused
from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.bundle_command import bundle_argv
from mcp_server.safety import classify_sql, confine
from tests.mcp.helpers import USER_FOLDER, call, fail
from tests.mcp.workspace_routes import WAREHOUSE_ID

if TYPE_CHECKING:
    from tests.mcp.conftest import McpEnv

READS = [
    "SELECT 1",
    "  select * from orders where region = 'EU';  ",
    "WITH t AS (SELECT 1 AS x) SELECT x FROM t",
    "SHOW TABLES",
    "SHOW CREATE TABLE main.sales.orders",
    "DESCRIBE HISTORY main.sales.orders",
    "EXPLAIN SELECT * FROM orders",
    "SELECT replace(name, 'a', 'b') FROM customers",
    "SELECT 'DROP TABLE x; --' AS s",
    "-- a comment; DROP TABLE x\nSELECT 1",
    "/* DELETE FROM x; */ SELECT `update` FROM t",
]
WRITES = [
    "DELETE FROM orders",
    "INSERT INTO orders VALUES (1, 'EU', 1.0)",
    "SELECT 1; DROP TABLE x",
    "select 1;drop table x;",
    "/* SELECT */ DELETE FROM orders",
    "WITH t AS (SELECT 1) INSERT INTO orders SELECT * FROM t",
    "SELECT * FROM t /* unterminated",
    "SELECT 'unterminated",
    "SELECT 'a\\'; DROP TABLE x; --'",  # a ; the engine may read outside the string
    "/* /* */ SHOW TABLES */ DROP TABLE x",  # nested comments hide the DROP from one reading
    "/* /* */ DROP TABLE x */ SELECT 1",  # the readings disagree: refused, never guessed
    "EXPLAIN ANALYZE DELETE FROM x",
    "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
    "OPTIMIZE main.sales.orders",
    "CREATE TABLE x AS SELECT 1",
    "",
    "   ;  ",
]


@pytest.mark.parametrize("statement", READS)
def test_reads_are_classified_as_reads(statement: str) -> None:
    assert classify_sql(statement).is_read, classify_sql(statement).reason


@pytest.mark.parametrize("statement", WRITES)
def test_everything_else_is_not_a_read(statement: str) -> None:
    verdict = classify_sql(statement)
    assert not verdict.is_read and verdict.reason


def test_confine_accepts_paths_inside_and_refuses_escapes(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", root / "link")
    assert confine(root, "a/new") == (root / "a" / "new").resolve()
    assert confine(root, "./a//new") == (root / "a" / "new").resolve()
    assert confine(root, str(root / "a")) == (root / "a").resolve()
    assert confine(root, ".") == root.resolve()
    escapes = ("../outside", "a/../../outside", str(tmp_path / "outside"), "link", "link/x",
               "/etc/passwd")
    for escape in escapes:
        with pytest.raises(PathRefused, match="outside the server root"):
            confine(root, escape)
    for unusable in ("a\x00b", "a/../a/new", ".git/config"):  # `..` is refused even inside
        with pytest.raises(BadInputError):
            confine(root, unusable)


def test_bundle_argv() -> None:
    assert bundle_argv("validate") == ["bundle", "validate"]
    assert bundle_argv("deploy", target="prod", profile="P", auto_approve=True) == [
        "bundle", "deploy", "--auto-approve", "--target", "prod", "--profile", "P"]
    assert bundle_argv("run", resource="etl") == ["bundle", "run", "etl", "--no-wait"]
    bad_calls: list[dict[str, Any]] = [
        {"command": "run"}, {"command": "deploy", "resource": "x"}, {"command": "rm -rf"}]
    for bad in bad_calls:
        with pytest.raises(BadInputError):
            bundle_argv(**bad)


# -- through the protocol ------------------------------------------------------------------

WRITE_CALLS = [
    ("run_job", {"job_id": 1001}),
    ("upload_bundle", {"bundle_dir": "b", "workspace_folder": "/Workspace/Shared/x"}),
    ("run_bundle_command", {"bundle_dir": "b", "command": "deploy"}),
    ("run_bundle_command", {"bundle_dir": "b", "command": "run", "resource_key": "k"}),
    ("run_bundle_command", {"bundle_dir": "b", "command": "destroy", "auto_approve": True}),
    ("sync_workspace_to_local", {"workspace_folder": USER_FOLDER, "out": "synced"}),
    ("execute_dbsql", {"warehouse_id": WAREHOUSE_ID, "statement": "DELETE FROM scratch"}),
    ("execute_dbsql", {"warehouse_id": WAREHOUSE_ID,
                       "statement": "INSERT INTO scratch VALUES (9)"}),
    ("execute_dbsql", {"warehouse_id": WAREHOUSE_ID, "statement": "SELECT 1; DROP TABLE scratch"}),
    ("execute_dbsql", {"warehouse_id": WAREHOUSE_ID,
                       "statement": "/* SELECT */ DROP TABLE scratch"}),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("tool", "arguments"), WRITE_CALLS,
                         ids=[f"{t}-{i}" for i, (t, _) in enumerate(WRITE_CALLS)])
async def test_writes_are_refused_when_read_only(ro: Client, mcp_env: McpEnv, tool: str,
                                                 arguments: dict) -> None:
    before = (len(mcp_env.routes.runs), len(mcp_env.routes.statements),
              sorted(p.name for p in mcp_env.root.iterdir()))
    message = await fail(ro, tool, **arguments)
    assert "read-only" in message and "--allow-writes" in message
    after = (len(mcp_env.routes.runs), len(mcp_env.routes.statements),
             sorted(p.name for p in mcp_env.root.iterdir()))
    assert after == before and not mcp_env.cli_log.exists()


@pytest.mark.anyio
async def test_writes_are_allowed_with_allow_writes(rw: Client, mcp_env: McpEnv) -> None:
    deleted = await call(rw, "execute_dbsql", warehouse_id=WAREHOUSE_ID,
                         statement="DELETE FROM scratch WHERE id = 0")
    assert deleted["rows"] == [["1"]] and not deleted["read_only"]
    inserted = await call(rw, "execute_dbsql", warehouse_id=WAREHOUSE_ID,
                          statement="INSERT INTO scratch VALUES (7), (8)")
    assert inserted["rows"] == [["2"]]
    count = await call(rw, "execute_dbsql", warehouse_id=WAREHOUSE_ID,
                       statement="SELECT count(*) FROM scratch")
    assert count["rows"] == [["4"]]
    multi = await fail(rw, "execute_dbsql", warehouse_id=WAREHOUSE_ID,
                       statement="SELECT 1; DROP TABLE scratch")
    assert "one statement at a time" in multi  # reached the engine, which refused it
    run = await call(rw, "run_job", job_id=1001)
    assert run["run_id"] == mcp_env.routes.runs[-1]["run_id"]
    synced = await call(rw, "sync_workspace_to_local", workspace_folder=f"{USER_FOLDER}/sql",
                        out="synced_sql")
    assert synced["files"] == ["synced_sql/refresh_revenue.sql"]


@pytest.mark.anyio
async def test_read_only_server_still_runs_reads(ro: Client) -> None:
    rows = await call(ro, "execute_dbsql", warehouse_id=WAREHOUSE_ID,
                      statement="SELECT name FROM customers ORDER BY name")
    assert rows["rows"] == [["Ada"], ["Grace"]] and rows["read_only"]


@pytest.mark.anyio
async def test_local_paths_cannot_escape_the_root(ro: Client, mcp_env: McpEnv) -> None:
    outside = mcp_env.base / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.py").write_text("# Databricks notebook source\nx = 1\n")
    link = mcp_env.root / "escape_link"
    if not link.exists():
        os.symlink(outside, link)
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("validate_bundle", {"bundle_dir": "../outside"}),
        ("validate_bundle", {"bundle_dir": str(outside)}),
        ("validate_bundle", {"bundle_dir": "escape_link"}),
        ("analyze_notebook", {"local_path": "escape_link/secret.py"}),
        ("analyze_notebook", {"local_path": "/etc/passwd"}),
        ("create_tests", {"bundle_dir": "../outside"}),
        ("generate_bundle_from_job", {"job_ids": [1001], "out": "../outside/bundle"}),
        ("generate_bundle_from_job", {"job_ids": [1001], "out": "escape_link/bundle"}),
        ("generate_bundle", {"folder": f"{USER_FOLDER}/sales", "out": "/tmp/dabgen-escape"}),
    ]
    for tool, arguments in attempts:
        message = await fail(ro, tool, **arguments)
        assert "outside the server root" in message, (tool, arguments, message)
    assert sorted(p.name for p in outside.iterdir()) == ["secret.py"]
    assert not Path("/tmp/dabgen-escape").exists()
