"""Every tool of ``dabgen-mcp``, called through the MCP protocol (in-process servers, see
conftest), against the test workspace (demo snapshot + extra routes, sqlite behind the SQL
API)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from mcp import Client

from tests.mcp.helpers import BIG_NOTEBOOK, REPO, TOKEN, USER_FOLDER, call, fail
from tests.mcp.workspace_routes import CLUSTER_ID, WAREHOUSE_ID
from tests.servers.workspace_server import USER_NAME

if TYPE_CHECKING:
    from tests.mcp.conftest import McpEnv

pytestmark = pytest.mark.anyio

READ_TOOLS = {"health", "list_jobs", "get_job", "list_notebooks", "export_notebook",
              "list_warehouses", "list_dbfs_files", "get_cluster", "analyze_notebook",
              "validate_bundle"}
OTHER_TOOLS = {"run_job", "execute_dbsql", "generate_bundle", "generate_bundle_from_job",
               "create_tests", "upload_bundle", "run_bundle_command", "sync_workspace_to_local"}


async def test_lists_exactly_the_18_tools_with_schemas(ro: Client) -> None:
    tools = {t.name: t for t in (await ro.list_tools()).tools}
    assert set(tools) == READ_TOOLS | OTHER_TOOLS and len(tools) == 18
    for tool in tools.values():
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema and tool.output_schema["type"] == "object"
        assert len(tool.description or "") > 150 and "\n" not in (tool.description or "")
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is (tool.name in READ_TOOLS)
    assert tools["get_job"].input_schema["required"] == ["job_id"]
    assert tools["execute_dbsql"].input_schema["properties"]["row_limit"]["maximum"] == 1000
    command = tools["run_bundle_command"].input_schema["properties"]["command"]
    assert command["enum"] == ["validate", "deploy", "run", "destroy"]


async def test_health_names_the_user_and_the_policy(ro: Client, mcp_env: McpEnv) -> None:
    health = await call(ro, "health")
    assert health["ok"] and health["user"] == USER_NAME and health["mode"] == "live"
    assert health["workspace"] == mcp_env.server.url and not health["allow_writes"]
    assert health["root"] == str(mcp_env.root.resolve())


async def test_list_and_get_jobs(ro: Client) -> None:
    listed = await call(ro, "list_jobs")
    assert [j["job_id"] for j in listed["jobs"]] == [1001, 1002, 1003, 1004]
    sales = await call(ro, "list_jobs", name_glob="*SALES*")
    assert [(j["job_id"], j["task_count"]) for j in sales["jobs"]] == [(1001, 4)]
    assert sales["jobs"][0]["schedule"] == "0 30 2 * * ?"
    assert (await call(ro, "list_jobs", limit=2))["truncated"] is True
    job = await call(ro, "get_job", job_id=1001)
    assert job["name"] == "Nightly Sales ETL" and job["task_count"] == 4
    assert job["job"]["settings"]["tasks"][0]["task_key"] == "ingest_orders"
    assert "job 424242 not found" in await fail(ro, "get_job", job_id=424242)
    assert "job_id" in await fail(ro, "get_job", job_id=-1)


async def test_list_notebooks_and_export(ro: Client) -> None:
    listed = await call(ro, "list_notebooks", path=USER_FOLDER, recursive=True)
    kinds = {o["path"]: (o["object_type"], o["language"]) for o in listed["objects"]}
    assert kinds[f"{USER_FOLDER}/sales/01_ingest_orders"] == ("NOTEBOOK", "PYTHON")
    assert kinds[f"{USER_FOLDER}/sales/03_aggregate_daily"] == ("NOTEBOOK", "SQL")
    assert kinds[f"{USER_FOLDER}/ml/evaluate.py"] == ("FILE", None)
    assert not listed["truncated"]
    assert (await call(ro, "list_notebooks", path=USER_FOLDER, limit=2))["truncated"]
    nb = await call(ro, "export_notebook", path=f"{USER_FOLDER}/sales/01_ingest_orders")
    assert nb["content"].startswith("# Databricks notebook source") and not nb["truncated"]
    assert 'dbutils.widgets.text("catalog", "main")' in nb["content"]
    big = await call(ro, "export_notebook", path=BIG_NOTEBOOK)
    assert big["truncated"] and big["size_bytes"] > 256 * 1024
    assert len(big["content"].encode()) == 256 * 1024
    assert "nope not found" in await fail(ro, "export_notebook", path=f"{USER_FOLDER}/nope")


async def test_execute_dbsql_runs_real_sql(ro: Client) -> None:
    grouped = await call(ro, "execute_dbsql", warehouse_id=WAREHOUSE_ID, statement=(
        "WITH t AS (SELECT region, amount FROM orders) "
        "SELECT region, count(*) AS n FROM t GROUP BY region ORDER BY region"))
    assert [c["name"] for c in grouped["columns"]] == ["region", "n"]
    assert grouped["rows"] == [["APAC", "83"], ["EU", "83"], ["US", "84"]]
    assert grouped["read_only"] and not grouped["truncated"]
    many = await call(ro, "execute_dbsql", warehouse_id=WAREHOUSE_ID,
                      statement="SELECT order_id FROM orders ORDER BY order_id", row_limit=100)
    assert many["row_count"] == 100 and many["truncated"]  # 3 chunks of 40 were followed
    assert many["rows"][-1] == ["100"]
    tables = await call(ro, "execute_dbsql", warehouse_id=WAREHOUSE_ID, statement="SHOW TABLES")
    assert tables["rows"] == [["customers"], ["orders"], ["scratch"]]
    assert "no such table" in await fail(ro, "execute_dbsql", warehouse_id=WAREHOUSE_ID,
                                         statement="SELECT * FROM missing_table")
    assert "does not exist" in await fail(ro, "execute_dbsql", warehouse_id="nope",
                                          statement="SELECT 1")


async def test_warehouses_dbfs_and_clusters(ro: Client) -> None:
    warehouses = (await call(ro, "list_warehouses"))["warehouses"]
    assert [(w["id"], w["serverless"]) for w in warehouses] == [
        (WAREHOUSE_ID, True), ("a1b2c3d4e5f60718", False)]
    raw = await call(ro, "list_dbfs_files", path="/mnt/raw")
    assert len(raw["files"]) == 5 and not raw["files"][0]["is_dir"] and not raw["truncated"]
    assert (await call(ro, "list_dbfs_files", path="dbfs:/mnt/raw", limit=2))["truncated"]
    assert "No file or directory" in await fail(ro, "list_dbfs_files", path="/nope")
    cluster = await call(ro, "get_cluster", cluster_id=CLUSTER_ID)
    assert cluster["workers"] == "autoscale 1-4" and cluster["state"] == "RUNNING"
    assert cluster["cluster"]["data_security_mode"] == "USER_ISOLATION"
    assert "does not exist" in await fail(ro, "get_cluster", cluster_id="0000-000000-nope")


async def test_analyze_notebook_in_workspace_and_on_disk(ro: Client, mcp_env: McpEnv) -> None:
    remote = await call(ro, "analyze_notebook",
                        workspace_path=f"{USER_FOLDER}/sales/01_ingest_orders")
    analysis = remote["analysis"]
    assert [w["name"] for w in analysis["widgets"]] == ["source", "catalog"]
    assert any(p["path"] == "s3://acme-landing/orders/" for p in analysis["paths"])
    local = mcp_env.root / "local_nb" / "train.py"
    local.parent.mkdir()
    local.write_text(
        "# Databricks notebook source\n# MAGIC %pip install lightgbm==4.3.0\n\n"
        "# COMMAND ----------\n\nimport mlflow\n"
        "key = dbutils.secrets.get(scope='ml', key='api')\n"
        "df = spark.readStream.table('main.raw.events')\n%run ./helpers\n")
    found = (await call(ro, "analyze_notebook", local_path="local_nb/train.py"))["analysis"]
    assert {lib["name"] for lib in found["libraries"]} >= {"lightgbm", "mlflow"}
    assert found["secrets"][0]["scope"] == "ml" and found["secrets"][0]["key"] == "api"
    assert found["streaming"] and found["tables"][0]["name"] == "main.raw.events"
    assert "exactly one" in await fail(ro, "analyze_notebook")


async def test_generate_from_job_then_validate(ro: Client, mcp_env: McpEnv) -> None:
    made = await call(ro, "generate_bundle_from_job", job_ids=[1001], out="from_job")
    assert made["ok"] and made["out"] == "from_job"
    assert made["api_calls"] == {"jobs/get": 1, "workspace/export": 4}  # this call's only
    assert "src/sales/01_ingest_orders.py" in made["files"]
    bundle = mcp_env.root / "from_job"
    assert (bundle / "resources" / "nightly_sales_etl.job.yml").is_file()
    report = await call(ro, "validate_bundle", bundle_dir="from_job")
    assert report["ok"] and report["validators_run"] == ["schema", "rules"]
    again = await fail(ro, "generate_bundle_from_job", job_ids=[1001], out="from_job")
    assert "not empty" in again
    (bundle / "src" / "sales" / "02_clean_orders.py").unlink()
    broken = await call(ro, "validate_bundle", bundle_dir=str(bundle))
    assert not broken["ok"]
    assert any("02_clean_orders" in d["summary"] for d in broken["diagnostics"])


async def test_generate_bundle_from_folder_and_from_notebooks(ro: Client, mcp_env: McpEnv
                                                              ) -> None:
    folder = await call(ro, "generate_bundle", folder=f"{USER_FOLDER}/sales", out="by_folder",
                        warehouse_id=WAREHOUSE_ID)
    assert folder["ok"] and "src/01_ingest_orders.py" in folder["files"]
    picked = await call(ro, "generate_bundle", out="by_paths", job_name="Ingest and check",
                        notebook_paths=[f"{USER_FOLDER}/sales/01_ingest_orders",
                                        f"{USER_FOLDER}/common/quality_checks"])
    assert picked["ok"], picked["diagnostics"]
    job = yaml.safe_load(next((mcp_env.root / "by_paths" / "resources").glob("*.yml"))
                         .read_text())["resources"]["jobs"]
    settings = next(iter(job.values()))
    assert settings["name"] == "Ingest and check"
    assert {p["name"] for p in settings["parameters"]} == {"source", "catalog", "table"}
    assert len(settings["tasks"]) == 2
    assert "not a notebook" in await fail(ro, "generate_bundle", out="bad",
                                          notebook_paths=[f"{USER_FOLDER}/ml/evaluate.py"])


async def test_create_tests_writes_a_scaffold_that_passes_and_can_fail(
        ro: Client, mcp_env: McpEnv) -> None:
    await call(ro, "generate_bundle_from_job", job_ids=[1001], out="tested")
    written = await call(ro, "create_tests", bundle_dir="tested")
    assert written["file"] == "tested/tests/test_dabgen_bundle.py"
    assert written["job_parameters"] == {"nightly_sales_etl": ["catalog", "run_date"]}
    bundle = mcp_env.root / "tested"
    passed = _pytest(bundle)
    assert passed.returncode == 0 and "8 passed" in passed.stdout, passed.stdout
    job_file = bundle / "resources" / "nightly_sales_etl.job.yml"
    config = yaml.safe_load(job_file.read_text())
    job = config["resources"]["jobs"]["nightly_sales_etl"]
    job["parameters"] = [p for p in job["parameters"] if p["name"] != "catalog"]
    job_file.write_text(yaml.safe_dump(config))
    failed = _pytest(bundle)
    assert failed.returncode == 1 and "no longer declares parameters ['catalog']" in failed.stdout
    assert "already exists" in await fail(ro, "create_tests", bundle_dir="tested")


def _pytest(bundle: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(bundle / "tests")], cwd=bundle, capture_output=True, text=True,
                          timeout=60, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


async def test_run_job_starts_a_run(rw: Client, mcp_env: McpEnv) -> None:
    run = await call(rw, "run_job", job_id=1001, job_parameters={"run_date": "2024-06-01"})
    assert run["state"] == "QUEUED" and run["run_page_url"].endswith(f"/run/{run['run_id']}")
    assert mcp_env.routes.runs[-1]["job_parameters"] == {"run_date": "2024-06-01"}
    assert "does not exist" in await fail(rw, "run_job", job_id=999999)


async def test_upload_bundle_imports_into_the_workspace(rw: Client, mcp_env: McpEnv) -> None:
    await call(rw, "generate_bundle_from_job", job_ids=[1001], out="to_upload")
    target = "/Workspace/Users/dabgen@example.com/bundles/nightly"
    done = await call(rw, "upload_bundle", bundle_dir="to_upload", workspace_folder=target)
    shown = {u["workspace_path"] for u in done["uploaded"]}
    assert f"{target}/databricks.yml" in shown and f"{target}/src/sales/01_ingest_orders" in shown
    listed = await call(rw, "list_notebooks", path=f"{target}/src/sales")
    kinds = {o["path"]: o["object_type"] for o in listed["objects"]}
    assert kinds[f"{target}/src/sales/01_ingest_orders"] == "NOTEBOOK"
    assert "already exists" in await fail(rw, "upload_bundle", bundle_dir="to_upload",
                                          workspace_folder=target)
    again = await call(rw, "upload_bundle", bundle_dir="to_upload", workspace_folder=target,
                       overwrite=True)
    assert len(again["uploaded"]) == len(done["uploaded"])


async def test_run_bundle_command_uses_the_cli(rw: Client, ro: Client, mcp_env: McpEnv) -> None:
    await call(rw, "generate_bundle_from_job", job_ids=[1002], out="deployable")
    deployed = await call(rw, "run_bundle_command", bundle_dir="deployable", command="deploy",
                          target="dev")
    assert deployed["ok"] and deployed["stdout"].strip() == "bundle deploy OK"
    assert TOKEN not in deployed["stderr"] and "***" in deployed["stderr"]
    assert deployed["command"] == ["databricks", "bundle", "deploy", "--target", "dev"]
    ran = await call(rw, "run_bundle_command", bundle_dir="deployable", command="run",
                     resource_key="revenue_dashboard_refresh")
    assert ran["command"][2:] == ["run", "revenue_dashboard_refresh", "--no-wait"]
    refused = await call(rw, "run_bundle_command", bundle_dir="deployable", command="destroy")
    assert not refused["ok"] and refused["exit_code"] == 1 and "--auto-approve" in refused["stderr"]
    destroyed = await call(rw, "run_bundle_command", bundle_dir="deployable", command="destroy",
                           auto_approve=True)
    assert destroyed["ok"]
    log = [json.loads(line) for line in mcp_env.cli_log.read_text().splitlines()]
    assert {entry["cwd"] for entry in log} == {str((mcp_env.root / "deployable").resolve())}
    assert "run needs the key" in await fail(rw, "run_bundle_command", bundle_dir="deployable",
                                             command="run")
    missing = await fail(ro, "run_bundle_command", bundle_dir="deployable", command="validate")
    assert "databricks CLI is not on PATH" in missing
    checked = await call(rw, "validate_bundle", bundle_dir="deployable", use_databricks_cli=True)
    assert "databricks-cli" in checked["validators_run"]


async def test_sync_workspace_to_local(rw: Client, mcp_env: McpEnv) -> None:
    synced = await call(rw, "sync_workspace_to_local", workspace_folder=f"{USER_FOLDER}/sales",
                        out="synced/sales")
    assert synced["files"] == [f"synced/sales/{name}" for name in (
        "01_ingest_orders.py", "02_clean_orders.py", "03_aggregate_daily.sql",
        "backfill_region.py")]
    text = (mcp_env.root / "synced" / "sales" / "03_aggregate_daily.sql").read_text()
    assert text.startswith("-- Databricks notebook source")
    assert "not empty" in await fail(rw, "sync_workspace_to_local",
                                     workspace_folder=f"{USER_FOLDER}/sales", out="synced/sales")
