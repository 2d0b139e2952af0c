"""Structured outputs of the tools: each becomes the tool's ``outputSchema``.

Records that come straight from dabgen_ci (a bundle's diagnostics, a notebook analysis, raw
API JSON) stay plain JSON objects; everything the tools shape themselves is typed here.
Every result says whether it was cut (``truncated``): by the tool's own limits, or by the
server's size cap on every result (:mod:`mcp_server.bounds`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CUT = "true when something was left out to bound the size of this result"


class Health(BaseModel):
    ok: bool
    mode: Literal["live", "snapshot"]
    workspace: str = Field(description="host of the live workspace or the snapshot directory")
    user: str | None = Field(description="the authenticated user (live only)")
    allow_writes: bool
    root: str = Field(description="local directory every file tool is confined to")
    message: str
    truncated: bool = Field(default=False, description=CUT)


class JobSummary(BaseModel):
    job_id: int
    name: str
    task_count: int
    tags: dict[str, str] = {}
    schedule: str | None = None
    creator: str | None = None


class JobList(BaseModel):
    jobs: list[JobSummary]
    truncated: bool = Field(description="true when more jobs matched than `limit`")


class JobDetail(BaseModel):
    job_id: int
    name: str
    task_count: int
    job: dict[str, Any] = Field(description="the jobs/get (2.2) body, unchanged")
    truncated: bool = Field(description="true when tasks were dropped to bound the size")


class RunStarted(BaseModel):
    job_id: int
    run_id: int
    number_in_job: int | None = None
    run_page_url: str | None = None
    state: str | None = None
    truncated: bool = Field(default=False, description=CUT)


class WorkspaceObject(BaseModel):
    path: str
    object_type: str
    language: str | None = None


class ObjectList(BaseModel):
    path: str
    objects: list[WorkspaceObject]
    truncated: bool


class ExportedNotebook(BaseModel):
    path: str
    is_notebook: bool
    file_type: str
    size_bytes: int
    content: str = Field(description="UTF-8 text (undecodable bytes replaced)")
    truncated: bool = Field(description="true when content was cut at max_bytes")


class Column(BaseModel):
    name: str
    type: str


class SqlResult(BaseModel):
    statement_id: str
    read_only: bool = Field(description="whether the statement was classified as a read")
    columns: list[Column]
    rows: list[list[str | None]] = Field(description="values as strings, JSON_ARRAY format")
    row_count: int
    truncated: bool = Field(description="true when rows were cut at row_limit or size")


class Warehouse(BaseModel):
    id: str
    name: str
    state: str | None = None
    cluster_size: str | None = None
    warehouse_type: str | None = None
    serverless: bool = False


class WarehouseList(BaseModel):
    warehouses: list[Warehouse]
    truncated: bool


class DbfsFile(BaseModel):
    path: str
    is_dir: bool
    file_size: int = 0
    modification_time: int | None = None


class DbfsList(BaseModel):
    path: str
    files: list[DbfsFile]
    truncated: bool


class Cluster(BaseModel):
    cluster_id: str
    cluster_name: str | None = None
    state: str | None = None
    spark_version: str | None = None
    node_type_id: str | None = None
    workers: str = Field(description="fixed size or autoscale range")
    cluster: dict[str, Any] = Field(description="the clusters/get body, unchanged")
    truncated: bool = Field(default=False, description=CUT)


class Analysis(BaseModel):
    source: str = Field(description="workspace path or local path that was analysed")
    language: str
    analysis: dict[str, Any] = Field(description="libraries, widgets, parameter reads, "
                                     "dependencies, tables, paths, streaming, ML, secrets")
    truncated: bool = Field(default=False, description=CUT)


class BundleResult(BaseModel):
    """The spine's GenerateResult, as its ``to_dict`` shapes it."""

    model_config = ConfigDict(extra="allow")
    ok: bool
    out: str
    bundle_name: str
    files: list[str]
    jobs: list[dict[str, Any]]
    diagnostics: list[dict[str, Any]]
    notes: list[str] = []
    truncated: bool = Field(default=False, description=CUT)


class Validation(BaseModel):
    model_config = ConfigDict(extra="allow")
    ok: bool
    target: str | None
    diagnostics: list[dict[str, Any]]
    validators_run: list[str]
    validators_skipped: dict[str, str]
    truncated: bool = Field(default=False, description=CUT)


class TestsWritten(BaseModel):
    file: str
    notebooks: list[str]
    job_parameters: dict[str, list[str]]
    run_with: str
    truncated: bool = Field(default=False, description=CUT)


class Uploaded(BaseModel):
    local: str
    workspace_path: str


class UploadResult(BaseModel):
    workspace_folder: str
    uploaded: list[Uploaded]
    folders_created: list[str]
    skipped: list[str] = Field(description="local files not uploaded, with the reason")
    truncated: bool = Field(default=False, description=CUT)


class CommandResult(BaseModel):
    command: list[str] = Field(description="the argument list that ran")
    exit_code: int | None
    ok: bool
    timed_out: bool
    stdout: str
    stderr: str
    truncated: bool = Field(description="true when stdout/stderr were cut to their tail")


class SyncResult(BaseModel):
    workspace_folder: str
    out: str
    files: list[str]
    missing: dict[str, str]
    truncated: bool
