"""Workspace tools: read jobs, notebooks, warehouses, clusters, DBFS; run SQL and jobs.

Each tool is a module-level function taking the :class:`~mcp_server.context.ToolContext`
first (registered by :mod:`mcp_server.registry`); it calls the workspace adapters of
dabgen_ci, bounds what it returns (list limits, export bytes, SQL rows, ``ctx.caps``) and
says so when it cut something. The docstring is the model-facing description.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Annotated, Any

from pydantic import Field

from dabgen_ci.errors import DabgenError
from dabgen_ci.flows.select import JobSelection, matches
from mcp_server import models, safety
from mcp_server.context import ToolContext

JobId = Annotated[int, Field(gt=0, description="numeric job id, e.g. 1001")]
Limit = Annotated[int, Field(ge=1, le=1000, description="maximum number of entries returned")]
WorkspacePath = Annotated[str, Field(min_length=1, description=(
    "absolute workspace path, e.g. /Workspace/Users/me@example.com/project"))]


def health(ctx: ToolContext) -> models.Health:
    """Check that dabgen-mcp can reach its workspace and report how it is configured:
    live workspace host or snapshot directory, the authenticated user, whether writes
    are allowed, and the local root that every file tool is confined to. Call it first
    when another tool fails with an authentication or connection error."""
    mode, root = ctx.workspace.mode, str(ctx.root)
    try:
        ops = ctx.ops()
        me = ops.current_user()
    except DabgenError as exc:
        return models.Health(ok=False, mode=mode, workspace=ctx.workspace.label, user=None,
                             allow_writes=ctx.allow_writes, root=root, message=str(exc))
    user = (me or {}).get("userName")
    message = f"connected to {ops.describe()}" + (f" as {user}" if user else "")
    return models.Health(ok=True, mode=mode, workspace=ops.describe(), user=user,
                         allow_writes=ctx.allow_writes, root=root, message=message)


def list_jobs(
    ctx: ToolContext,
    name_glob: Annotated[str | None, Field(description=(
        "case-insensitive glob on the job name, e.g. '*sales*'; omit for all jobs"))] = None,
    limit: Limit = 50,
) -> models.JobList:
    """List the Databricks jobs of the workspace with their id, name, number of tasks,
    tags, schedule and creator, optionally filtered by a name glob. Use the job_id with
    get_job to see a job's full definition or with generate_bundle_from_job to turn it
    into a bundle. The list stops at `limit` and says when it was truncated."""
    selection = JobSelection(all=True, name_globs=(name_glob,) if name_glob else ())
    found: list[models.JobSummary] = []
    for item in ctx.source().list_jobs():
        settings = item.get("settings") or {}
        if not matches(settings, selection):
            continue
        if len(found) == limit:
            return models.JobList(jobs=found, truncated=True)
        found.append(_job_summary(item))
    return models.JobList(jobs=found, truncated=False)


def get_job(ctx: ToolContext, job_id: JobId) -> models.JobDetail:
    """Read one job's complete definition as the Jobs API 2.2 returns it (settings,
    tasks, job clusters, parameters, schedule, notifications), all pages merged. Very
    large jobs are cut to their first tasks to bound the size, and the output says so."""
    job = ctx.source().get_job(job_id)
    settings = job.get("settings") or {}
    tasks = settings.get("tasks") or []
    kept = ctx.caps.kept_tasks
    truncated = len(json.dumps(job)) > ctx.caps.job_bytes and len(tasks) > kept
    if truncated:
        job = {**job, "settings": {**settings, "tasks": tasks[:kept]}}
    return models.JobDetail(job_id=job_id, name=str(settings.get("name", "")),
                            task_count=len(tasks), job=job, truncated=truncated)


def run_job(
    ctx: ToolContext,
    job_id: JobId,
    job_parameters: Annotated[dict[str, str] | None, Field(description=(
        "job-level parameter values by name; omit to use the job's defaults"))] = None,
) -> models.RunStarted:
    """Start a run of an existing job now (Jobs API run-now) and return the run id, the
    run page URL and its first state. This is a write: it is refused unless dabgen-mcp
    was started with --allow-writes. It does not wait for the run to finish."""
    ctx.require_writes(f"run_job (starting job {job_id})")
    ops = ctx.ops()
    started = ops.run_now(job_id, job_parameters)
    run_id = int(started["run_id"])
    run = ops.get_run(run_id)
    state = (run.get("status") or {}).get("state") or \
        (run.get("state") or {}).get("life_cycle_state")
    return models.RunStarted(job_id=job_id, run_id=run_id,
                             number_in_job=started.get("number_in_job"),
                             run_page_url=run.get("run_page_url"), state=state)


def list_notebooks(
    ctx: ToolContext,
    path: WorkspacePath = "/",
    recursive: Annotated[bool, Field(description="also list every sub-folder")] = False,
    limit: Limit = 200,
) -> models.ObjectList:
    """List the notebooks, files and folders at a workspace path (optionally every
    sub-folder too), each with its object type and notebook language. Use a notebook's
    path with export_notebook, analyze_notebook or generate_bundle. The list stops at
    `limit` entries and says when it was truncated."""
    source = ctx.source()
    found: list[models.WorkspaceObject] = []
    pending = deque([path])
    while pending:
        for info in source.list_dir(pending.popleft()):
            if len(found) == limit:
                return models.ObjectList(path=path, objects=found, truncated=True)
            found.append(models.WorkspaceObject(path=info.path, object_type=info.object_type,
                                                language=info.language))
            if recursive and info.object_type == "DIRECTORY":
                pending.append(info.path)
    return models.ObjectList(path=path, objects=found, truncated=False)


def export_notebook(
    ctx: ToolContext,
    path: WorkspacePath,
    max_bytes: Annotated[int, Field(ge=1024, le=1024 * 1024, description=(
        "maximum bytes of content returned"))] = 256 * 1024,
) -> models.ExportedNotebook:
    """Export one notebook (in its source format, with the Databricks header and
    COMMAND separators) or workspace file and return its text. Content longer than
    max_bytes is cut and the output says so."""
    exported = ctx.source().export(path)
    data = exported.content
    text = data[:max_bytes].decode("utf-8", "replace")
    return models.ExportedNotebook(path=exported.path, is_notebook=exported.is_notebook,
                                   file_type=exported.file_type, size_bytes=len(data),
                                   content=text, truncated=len(data) > max_bytes)


def execute_dbsql(
    ctx: ToolContext,
    statement: Annotated[str, Field(min_length=1, description="one SQL statement")],
    warehouse_id: Annotated[str, Field(min_length=1, description=(
        "SQL warehouse id (see list_warehouses)"))],
    row_limit: Annotated[int, Field(ge=1, le=1000)] = 100,
    timeout_seconds: Annotated[int, Field(ge=5, le=50, description=(
        "how long to wait before the statement is cancelled"))] = 30,
    catalog: str | None = None,
    schema: str | None = None,
) -> models.SqlResult:
    """Run one SQL statement on a Databricks SQL warehouse and return its columns and up
    to row_limit rows (values as strings). Only reads (SELECT, SHOW, DESCRIBE, EXPLAIN,
    WITH ... SELECT) run on a read-only server; anything else, and any text holding
    more than one statement, is refused unless dabgen-mcp was started with
    --allow-writes. The output says when rows were truncated."""
    verdict = safety.classify_sql(statement)
    if not verdict.is_read:
        ctx.require_writes(f"execute_dbsql ({verdict.reason})")
    result = ctx.ops().execute_statement(statement, warehouse_id, row_limit=row_limit,
                                         wait_seconds=timeout_seconds, catalog=catalog,
                                         schema=schema)
    rows, cut = _bounded_rows(result.rows, ctx.caps.sql_bytes)
    return models.SqlResult(
        statement_id=result.statement_id, read_only=verdict.is_read,
        columns=[models.Column(name=n, type=t) for n, t in result.columns],
        rows=rows, row_count=len(rows), truncated=result.truncated or cut)


def list_warehouses(ctx: ToolContext, limit: Limit = 100) -> models.WarehouseList:
    """List the SQL warehouses of the workspace with id, name, state, size, type and
    whether they are serverless. Use an id with execute_dbsql or as a bundle's
    warehouse_id variable."""
    found: list[models.Warehouse] = []
    for item in ctx.ops().list_warehouses():
        if len(found) == limit:
            return models.WarehouseList(warehouses=found, truncated=True)
        found.append(_warehouse(item))
    return models.WarehouseList(warehouses=found, truncated=False)


def list_dbfs_files(
    ctx: ToolContext,
    path: Annotated[str, Field(min_length=1, description="DBFS path, e.g. / or /mnt/raw")]
    = "/",
    limit: Limit = 200,
) -> models.DbfsList:
    """List the files and folders at a DBFS path with size and modification time
    (milliseconds since the epoch). The list stops at `limit` and says when it did."""
    files = ctx.ops().list_dbfs(path)
    entries = [models.DbfsFile(path=f.get("path", ""), is_dir=bool(f.get("is_dir")),
                               file_size=int(f.get("file_size") or 0),
                               modification_time=f.get("modification_time"))
               for f in files[:limit]]
    return models.DbfsList(path=path, files=entries, truncated=len(files) > limit)


def get_cluster(
    ctx: ToolContext,
    cluster_id: Annotated[str, Field(min_length=1, description=(
        "cluster id, e.g. 0923-164208-meows279 (a task's existing_cluster_id)"))],
) -> models.Cluster:
    """Read an all-purpose cluster's definition and state: runtime version, node type,
    workers or autoscale range, access mode, plus the unchanged clusters/get body. Use
    it to decide how a task on an existing cluster should run in a bundle."""
    body = ctx.ops().get_cluster(cluster_id)
    return models.Cluster(cluster_id=str(body.get("cluster_id", cluster_id)),
                          cluster_name=body.get("cluster_name"), state=body.get("state"),
                          spark_version=body.get("spark_version"),
                          node_type_id=body.get("node_type_id"), workers=_workers(body),
                          cluster=body)


def _job_summary(item: dict[str, Any]) -> models.JobSummary:
    settings = item.get("settings") or {}
    schedule = (settings.get("schedule") or {}).get("quartz_cron_expression")
    return models.JobSummary(
        job_id=int(item.get("job_id", 0)), name=str(settings.get("name", "")),
        task_count=len(settings.get("tasks") or []),
        tags={str(k): str(v) for k, v in (settings.get("tags") or {}).items()},
        schedule=schedule, creator=item.get("creator_user_name"))


def _warehouse(item: dict[str, Any]) -> models.Warehouse:
    return models.Warehouse(
        id=str(item.get("id", "")), name=str(item.get("name", "")), state=item.get("state"),
        cluster_size=item.get("cluster_size"), warehouse_type=item.get("warehouse_type"),
        serverless=bool(item.get("enable_serverless_compute")))


def _workers(cluster: dict[str, Any]) -> str:
    autoscale = cluster.get("autoscale")
    if autoscale:
        return f"autoscale {autoscale.get('min_workers')}-{autoscale.get('max_workers')}"
    return f"{cluster.get('num_workers', 0)} fixed"


def _bounded_rows(rows: list[list[str | None]], max_bytes: int
                  ) -> tuple[list[list[str | None]], bool]:
    """Keep rows while their JSON stays under ``max_bytes``."""
    kept: list[list[str | None]] = []
    size = 0
    for row in rows:
        size += len(json.dumps(row))
        if size > max_bytes:
            return kept, True
        kept.append(row)
    return kept, False
