"""Extra Databricks endpoints for the test workspace server, shaped like the real APIs.

SQL warehouses (list), clusters/get (2.1), DBFS list, Jobs run-now and runs/get (2.2),
Workspace mkdirs/import (imports land in the served snapshot, so a later list or export
sees them), and the Statement Execution API, which really runs the SQL on an in-memory
sqlite database, pages results in chunks and applies ``row_limit``/``truncated`` as the
service does.
"""

from __future__ import annotations

import base64
import functools
import itertools
import sqlite3
import threading
from pathlib import Path
from typing import Any

from tests.servers.workspace_server import ApiError, Request, WorkspaceServer

WAREHOUSE_ID = "4b9f1c2d3e5a6b7c"  # the warehouse the demo jobs use
CLUSTER_ID = "0923-164208-meows279"  # the demo jobs' existing cluster
CHUNK_ROWS = 40
SEED = """
CREATE TABLE orders (order_id INTEGER, region TEXT, amount REAL);
CREATE TABLE customers (customer_id INTEGER, name TEXT);
CREATE TABLE scratch (id INTEGER);
"""
WAREHOUSES = [
    {"id": WAREHOUSE_ID, "name": "Shared BI", "state": "RUNNING", "cluster_size": "Small",
     "warehouse_type": "PRO", "enable_serverless_compute": True, "num_clusters": 1,
     "auto_stop_mins": 10, "creator_name": "data-eng@acme.com"},
    {"id": "a1b2c3d4e5f60718", "name": "Ad hoc", "state": "STOPPED", "cluster_size": "2X-Small",
     "warehouse_type": "CLASSIC", "enable_serverless_compute": False, "num_clusters": 1},
]
CLUSTER = {
    "cluster_id": CLUSTER_ID, "cluster_name": "shared-analytics", "state": "RUNNING",
    "spark_version": "15.4.x-scala2.12", "node_type_id": "i3.xlarge",
    "driver_node_type_id": "i3.xlarge", "autoscale": {"min_workers": 1, "max_workers": 4},
    "autotermination_minutes": 60, "data_security_mode": "USER_ISOLATION",
    "creator_user_name": "data-eng@acme.com", "spark_conf": {"spark.sql.shuffle.partitions": "64"},
}
DBFS = {
    "/": [("/FileStore", True, 0), ("/mnt", True, 0), ("/tmp", True, 0)],
    "/mnt": [("/mnt/raw", True, 0)],
    "/mnt/raw": [(f"/mnt/raw/orders_{i:03d}.json", False, 1024 + i) for i in range(5)],
}


class ExtraRoutes:
    """Registers the endpoints on ``srv``; keeps what a test may want to assert on."""

    def __init__(self, srv: WorkspaceServer, snapshot_dir: Path) -> None:
        self.srv, self.workspace = srv, snapshot_dir / "workspace"
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.executescript(SEED)
        self.db.executemany("INSERT INTO orders VALUES (?, ?, ?)",
                            [(i, ("EU", "US", "APAC")[i % 3], 10.0 + i) for i in range(1, 251)])
        self.db.executemany("INSERT INTO customers VALUES (?, ?)", [(1, "Ada"), (2, "Grace")])
        self.db.executemany("INSERT INTO scratch VALUES (?)", [(i,) for i in range(3)])
        self.db.commit()
        self.runs: list[dict] = []
        self.statements: list[str] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        for method, path, handler in (
            ("GET", "/api/2.0/sql/warehouses", lambda _: {"warehouses": WAREHOUSES}),
            ("GET", "/api/2.1/clusters/get", self._cluster),
            ("GET", "/api/2.0/dbfs/list", self._dbfs),
            ("POST", "/api/2.2/jobs/run-now", self._run_now),
            ("GET", "/api/2.2/jobs/runs/get", self._get_run),
            ("POST", "/api/2.0/workspace/mkdirs", self._mkdirs),
            ("POST", "/api/2.0/workspace/import", self._import),
            ("POST", "/api/2.0/sql/statements", self._statement),
        ):
            srv.route(method, path, handler)

    # -- compute, DBFS, jobs ----------------------------------------------------------------

    def _cluster(self, req: Request) -> dict:
        cluster_id = req.query.get("cluster_id")
        if cluster_id != CLUSTER_ID:
            raise ApiError(400, f"Cluster {cluster_id} does not exist", "INVALID_PARAMETER_VALUE")
        return CLUSTER

    def _dbfs(self, req: Request) -> dict:
        path = (req.query.get("path") or "/").removeprefix("dbfs:")
        entries = DBFS.get(path.rstrip("/") or "/")
        if entries is None:
            raise ApiError(404, f"No file or directory exists on path {path}.",
                           "RESOURCE_DOES_NOT_EXIST")
        return {"files": [{"path": p, "is_dir": d, "file_size": s,
                           "modification_time": 1_719_000_000_000} for p, d, s in entries]}

    def _run_now(self, req: Request) -> dict:
        body = req.json()
        job_id = body.get("job_id")
        if not (self.srv.snapshot.root / "jobs" / f"{job_id}.json").is_file():
            raise ApiError(400, f"Job {job_id} does not exist.", "INVALID_PARAMETER_VALUE")
        with self._lock:
            run = {"run_id": 5000 + len(self.runs) + 1, "job_id": job_id,
                   "number_in_job": len(self.runs) + 1,
                   "job_parameters": body.get("job_parameters") or {}}
            self.runs.append(run)
        return {"run_id": run["run_id"], "number_in_job": run["number_in_job"]}

    def _get_run(self, req: Request) -> dict:
        run = next((r for r in self.runs if str(r["run_id"]) == req.query.get("run_id")), None)
        if run is None:
            raise ApiError(400, f"Run {req.query.get('run_id')} does not exist.",
                           "INVALID_PARAMETER_VALUE")
        return {**run, "run_page_url": f"{self.srv.url}/?o=0#job/{run['job_id']}/run/"
                                       f"{run['run_id']}",
                "state": {"life_cycle_state": "PENDING", "state_message": "Waiting for cluster"},
                "status": {"state": "QUEUED"},
                "job_parameters": [{"name": k, "value": v}
                                   for k, v in run["job_parameters"].items()]}

    # -- workspace writes -------------------------------------------------------------------

    def _disk(self, path: object) -> Path:
        if not isinstance(path, str) or not path.startswith("/") or ".." in path.split("/"):
            raise ApiError(400, f"Invalid path: {path!r}")
        return self.workspace / path.lstrip("/")

    def _mkdirs(self, req: Request) -> dict:
        target = self._disk(req.json().get("path"))
        for parent in (target, *target.parents):
            if parent.is_file():
                raise ApiError(400, f"{parent.name} already exists and it is not a folder",
                               "RESOURCE_ALREADY_EXISTS")
        target.mkdir(parents=True, exist_ok=True)
        return {}

    def _import(self, req: Request) -> dict:
        body = req.json()
        target = self._disk(body.get("path"))
        if body.get("format", "SOURCE") != "AUTO":
            raise ApiError(400, "the test server imports format AUTO only")
        if not target.parent.is_dir():
            raise ApiError(404, f"The parent folder ({body['path'].rsplit('/', 1)[0]}) does "
                                "not exist.", "RESOURCE_DOES_NOT_EXIST")
        if target.exists() and not body.get("overwrite"):
            raise ApiError(400, f"Path ({body['path']}) already exists.",
                           "RESOURCE_ALREADY_EXISTS")
        target.write_bytes(base64.b64decode(body.get("content") or ""))
        return {}

    # -- statement execution ----------------------------------------------------------------

    def _statement(self, req: Request) -> dict:
        body = req.json()
        if body.get("warehouse_id") not in {w["id"] for w in WAREHOUSES}:
            raise ApiError(404, f"Warehouse {body.get('warehouse_id')} does not exist.",
                           "RESOURCE_DOES_NOT_EXIST")
        wait = str(body.get("wait_timeout", "10s"))
        if not wait.endswith("s") or not (wait == "0s" or 5 <= int(wait[:-1]) <= 50):
            raise ApiError(400, f"wait_timeout must be 0s or between 5s and 50s: {wait}")
        statement = str(body.get("statement", ""))
        statement_id = f"01ef-{next(self._ids):04d}"
        limit = int(body.get("row_limit") or 10_000)
        with self._lock:
            self.statements.append(statement)
            try:
                cursor = self.db.execute(_sqlite(statement))
                fetched = cursor.fetchmany(limit + 1) if cursor.description else []
                self.db.commit()
            except sqlite3.Error as exc:
                return {"statement_id": statement_id, "status": {
                    "state": "FAILED", "error": {"error_code": "BAD_REQUEST",
                                                 "message": f"[sqlite] {exc}"}}}
        if cursor.description is None:  # DML answers with the affected row count
            return self._answer(statement_id, ["num_affected_rows"], [(cursor.rowcount,)],
                                limit=1)
        names = [d[0] for d in cursor.description]
        return self._answer(statement_id, names, fetched, limit=limit)

    def _answer(self, statement_id: str, names: list[str], rows: list[tuple], *, limit: int
                ) -> dict:
        truncated, rows = len(rows) > limit, rows[:limit]
        data = [[None if v is None else str(v) for v in row] for row in rows]
        chunks = [data[i:i + CHUNK_ROWS] for i in range(0, len(data), CHUNK_ROWS)] or [[]]
        for index in range(1, len(chunks)):
            self.srv.route("GET", _chunk_path(statement_id, index),
                           functools.partial(_chunk_reply, statement_id, chunks, index))
        columns = [{"name": n, "position": i, "type_name": _type(rows, i),
                    "type_text": _type(rows, i)} for i, n in enumerate(names)]
        return {
            "statement_id": statement_id,
            "status": {"state": "SUCCEEDED"},
            "manifest": {
                "format": "JSON_ARRAY",
                "schema": {"column_count": len(columns), "columns": columns},
                "total_chunk_count": len(chunks), "total_row_count": len(data),
                "truncated": truncated,
                "chunks": [{"chunk_index": i, "row_offset": i * CHUNK_ROWS, "row_count": len(c)}
                           for i, c in enumerate(chunks)],
            },
            "result": _chunk(statement_id, chunks, 0),
        }


def _chunk_path(statement_id: str, index: int) -> str:
    return f"/api/2.0/sql/statements/{statement_id}/result/chunks/{index}"


def _chunk_reply(statement_id: str, chunks: list[list[list[str | None]]], index: int,
                 _request: Request) -> dict:
    return _chunk(statement_id, chunks, index)


def _chunk(statement_id: str, chunks: list[list[list[str | None]]], index: int) -> dict:
    body: dict[str, Any] = {"chunk_index": index, "row_offset": index * CHUNK_ROWS,
                            "row_count": len(chunks[index]), "data_array": chunks[index]}
    if index + 1 < len(chunks):
        body["next_chunk_index"] = index + 1
        body["next_chunk_internal_link"] = _chunk_path(statement_id, index + 1)
    return body


def _type(rows: list[tuple], column: int) -> str:
    sample = next((r[column] for r in rows if r[column] is not None), None)
    return {int: "BIGINT", float: "DOUBLE"}.get(type(sample), "STRING")


def _sqlite(statement: str) -> str:
    """Databricks SQL that sqlite lacks, translated (only what the tests use)."""
    if statement.strip().rstrip(";").strip().upper() == "SHOW TABLES":
        return "SELECT name AS tableName FROM sqlite_master WHERE type = 'table' ORDER BY name"
    return statement
