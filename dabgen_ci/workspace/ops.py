"""Workspace operations beyond the spine's read protocol: user, warehouses, clusters, SQL,
DBFS, job runs and workspace import.

:class:`~dabgen_ci.workspace.base.WorkspaceSource` is what conversion needs; the MCP tools
also need these. They live in a second protocol so the spine's stays small. The live
implementation speaks raw JSON through ``client.api_client.do`` (same reasons as
:mod:`.live`: no fields dropped, SDK auth and retries kept); a snapshot has none of this
data, so :class:`SnapshotOps` says so in one actionable line instead of guessing.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple, Protocol, runtime_checkable

from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.errors import BadInputError, NotFoundError, PermissionDeniedError, WorkspaceError
from dabgen_ci.workspace.base import WorkspaceSource
from dabgen_ci.workspace.live import LiveSource
from dabgen_ci.workspace.paging import PageGuard, expect_object
from dabgen_ci.workspace.sdk import Client, Config, connect
from dabgen_ci.workspace.sdk_errors import SDK_FAILURES, classify
from dabgen_ci.workspace.snapshot import SnapshotSource

_JSON = {"Accept": "application/json", "Content-Type": "application/json"}
_CHUNK_PREFIX = "/api/2.0/sql/statements/"
MIN_WAIT_SECONDS, MAX_WAIT_SECONDS = 5, 50  # what the Statement Execution API accepts


class StatementResult(NamedTuple):
    """A finished statement: column (name, type) pairs and at most ``row_limit`` rows."""

    statement_id: str
    columns: list[tuple[str, str]]
    rows: list[list[str | None]]
    truncated: bool
    total_row_count: int | None


@runtime_checkable
class WorkspaceOps(Protocol):
    """Non-spine workspace operations. Errors are :mod:`dabgen_ci.errors` subclasses."""

    def describe(self) -> str: ...

    def current_user(self) -> JsonObject | None:
        """The SCIM ``Me`` body, or ``None`` where there are no users (a snapshot)."""
        ...

    def list_warehouses(self) -> Iterator[JsonObject]: ...

    def get_cluster(self, cluster_id: str) -> JsonObject: ...

    def execute_statement(
        self, statement: str, warehouse_id: str, *, row_limit: int, wait_seconds: int,
        catalog: str | None = None, schema: str | None = None,
    ) -> StatementResult: ...

    def list_dbfs(self, path: str) -> list[JsonObject]: ...

    def run_now(
        self, job_id: int, job_parameters: Mapping[str, str] | None = None
    ) -> JsonObject: ...

    def get_run(self, run_id: int) -> JsonObject: ...

    def mkdirs(self, path: str) -> None: ...

    def import_file(self, path: str, content: bytes, *, overwrite: bool) -> None:
        """``workspace/import`` with format AUTO: a source notebook becomes a notebook (its
        extension dropped), anything else a workspace file."""
        ...


def open_workspace(
    *, snapshot: Path | None, profile: str | None
) -> tuple[WorkspaceSource, WorkspaceOps]:
    """Both protocols over one connection: a snapshot directory or one SDK client."""
    if snapshot is not None and profile is not None:
        raise BadInputError("--workspace-snapshot and --profile cannot be used together")
    if snapshot is not None:
        source = SnapshotSource(Path(snapshot))
        return source, SnapshotOps(source)
    try:
        config = Config(profile=profile, product="dabgen")
    except ValueError:
        where = f"profile {profile}" if profile else "the default workspace"
        raise WorkspaceError(
            f"no usable Databricks credentials for {where}: set DATABRICKS_HOST and "
            "DATABRICKS_TOKEN or pass --profile"
        ) from None
    client = connect(config)
    return LiveSource(client), LiveOps(client)


class SnapshotOps:
    """A snapshot holds jobs and workspace files only; everything else is refused clearly."""

    def __init__(self, source: SnapshotSource) -> None:
        self._source = source

    def describe(self) -> str:
        return self._source.describe()

    def _unavailable(self, what: str) -> BadInputError:
        return BadInputError(
            f"{what} is not available with a snapshot ({self._source.root}); start dabgen-mcp "
            "against a live workspace (--profile, or DATABRICKS_HOST and DATABRICKS_TOKEN)"
        )

    def current_user(self) -> JsonObject | None:
        return None

    def list_warehouses(self) -> Iterator[JsonObject]:
        raise self._unavailable("listing SQL warehouses")

    def get_cluster(self, cluster_id: str) -> JsonObject:
        raise self._unavailable("reading a cluster")

    def execute_statement(
        self, statement: str, warehouse_id: str, *, row_limit: int, wait_seconds: int,
        catalog: str | None = None, schema: str | None = None,
    ) -> StatementResult:
        raise self._unavailable("running SQL")

    def list_dbfs(self, path: str) -> list[JsonObject]:
        raise self._unavailable("listing DBFS")

    def run_now(self, job_id: int, job_parameters: Mapping[str, str] | None = None) -> JsonObject:
        raise self._unavailable("running a job")

    def get_run(self, run_id: int) -> JsonObject:
        raise self._unavailable("reading a job run")

    def mkdirs(self, path: str) -> None:
        raise self._unavailable("creating workspace folders")

    def import_file(self, path: str, content: bytes, *, overwrite: bool) -> None:
        raise self._unavailable("importing into the workspace")


class LiveOps:
    """:class:`WorkspaceOps` over an SDK client (raw JSON, errors translated)."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._host = client.config.host or "the workspace"

    def describe(self) -> str:
        return self._host

    def _do(self, method: str, path: str, doing: str, *, query: JsonObject | None = None,
            body: JsonObject | None = None) -> JsonObject:
        try:
            answer = self._client.api_client.do(method, path, query=query, body=body,
                                                headers=_JSON) or {}
        except SDK_FAILURES as e:
            raise self._translate(e, doing) from None
        except RecursionError:
            raise WorkspaceError(f"{self._host} answered {doing} with JSON nested too "
                                 "deeply to read") from None
        return expect_object(answer, self._host, doing)

    def _translate(self, err: BaseException, doing: str) -> WorkspaceError | BadInputError:
        """One actionable line (``from None`` at the caller: SDK text may echo headers)."""
        host = self._host
        failure = classify(err, self._client.config.token)
        message, kind = failure.message, failure.kind
        if kind in ("rate_limited", "unavailable"):
            return WorkspaceError(f"{host} is busy ({message}) while {doing}; try again later")
        if kind == "unreachable":
            return WorkspaceError(f"cannot reach {host} while {doing}: check DATABRICKS_HOST "
                                  "and the network")
        if kind == "auth":
            return WorkspaceError(f"authentication failed for {host}: check DATABRICKS_TOKEN "
                                  "or --profile")
        if kind == "permission":
            return PermissionDeniedError(f"permission denied {doing} on {host}: {message}")
        if kind == "not_found":
            return NotFoundError(f"{message} ({doing} on {host})")
        if kind == "rejected":
            return BadInputError(f"{host} refused {doing}: {message}")
        return WorkspaceError(f"{host} failed {doing} ({failure.status}: {message}); "
                              "try again later")

    # -- reads ------------------------------------------------------------------------------

    def current_user(self) -> JsonObject | None:
        return self._do("GET", "/api/2.0/preview/scim/v2/Me", "reading the current user")

    def list_warehouses(self) -> Iterator[JsonObject]:
        query: dict[str, object] = {}
        pages = PageGuard(self._host, "the SQL warehouses")
        while True:
            body = self._do("GET", "/api/2.0/sql/warehouses", "listing SQL warehouses",
                            query=query)
            yield from body.get("warehouses") or []
            if not body.get("next_page_token"):
                return
            query["page_token"] = pages.next(body["next_page_token"])

    def get_cluster(self, cluster_id: str) -> JsonObject:
        return self._do("GET", "/api/2.1/clusters/get", f"reading cluster {cluster_id}",
                        query={"cluster_id": cluster_id})

    def list_dbfs(self, path: str) -> list[JsonObject]:
        body = self._do("GET", "/api/2.0/dbfs/list", f"listing {path}", query={"path": path})
        return list(body.get("files") or [])

    def get_run(self, run_id: int) -> JsonObject:
        return self._do("GET", "/api/2.2/jobs/runs/get", f"reading run {run_id}",
                        query={"run_id": run_id})

    def execute_statement(
        self, statement: str, warehouse_id: str, *, row_limit: int, wait_seconds: int,
        catalog: str | None = None, schema: str | None = None,
    ) -> StatementResult:
        """Run one statement, waiting up to ``wait_seconds`` (then it is cancelled)."""
        wait = min(max(wait_seconds, MIN_WAIT_SECONDS), MAX_WAIT_SECONDS)
        body: dict[str, object] = {
            "statement": statement, "warehouse_id": warehouse_id, "wait_timeout": f"{wait}s",
            "on_wait_timeout": "CANCEL", "row_limit": row_limit, "format": "JSON_ARRAY",
            "disposition": "INLINE",
        }
        body.update({k: v for k, v in (("catalog", catalog), ("schema", schema)) if v})
        doing = f"running SQL on warehouse {warehouse_id}"
        answer = self._do("POST", "/api/2.0/sql/statements", doing, body=body)
        _check_state(answer, wait)
        manifest = answer.get("manifest") or {}
        columns = [(str(c.get("name", "")), str(c.get("type_text") or c.get("type_name") or ""))
                   for c in (manifest.get("schema") or {}).get("columns") or []]
        result = answer.get("result") or {}
        rows = list(result.get("data_array") or [])
        link = result.get("next_chunk_internal_link")
        chunks = PageGuard(self._host, "the statement's result chunks")
        while link and len(rows) < row_limit:
            if not str(link).startswith(_CHUNK_PREFIX):
                raise WorkspaceError(f"{self._host} sent an unexpected result link {link!r}")
            chunk = self._do("GET", chunks.next(str(link)), doing)
            rows += chunk.get("data_array") or []
            link = chunk.get("next_chunk_internal_link")
        truncated = bool(manifest.get("truncated")) or len(rows) > row_limit or bool(link)
        return StatementResult(str(answer.get("statement_id", "")), columns, rows[:row_limit],
                               truncated, manifest.get("total_row_count"))

    # -- writes -----------------------------------------------------------------------------

    def run_now(self, job_id: int, job_parameters: Mapping[str, str] | None = None) -> JsonObject:
        body: dict[str, object] = {"job_id": job_id}
        if job_parameters:
            body["job_parameters"] = dict(job_parameters)
        return self._do("POST", "/api/2.2/jobs/run-now", f"starting job {job_id}", body=body)

    def mkdirs(self, path: str) -> None:
        self._do("POST", "/api/2.0/workspace/mkdirs", f"creating {path}", body={"path": path})

    def import_file(self, path: str, content: bytes, *, overwrite: bool) -> None:
        body = {"path": path, "format": "AUTO", "overwrite": overwrite,
                "content": base64.b64encode(content).decode("ascii")}
        self._do("POST", "/api/2.0/workspace/import", f"importing {path}", body=body)


def _check_state(answer: JsonObject, wait: int) -> None:
    status = answer.get("status") or {}
    state = status.get("state")
    if state == "SUCCEEDED":
        return
    if state == "FAILED":
        error = status.get("error") or {}
        raise BadInputError(f"the statement failed: {error.get('message') or 'no reason given'}")
    raise WorkspaceError(
        f"the statement did not finish within {wait} s (state {state}) and was cancelled; "
        "add a LIMIT, start the warehouse first, or raise timeout_seconds"
    )

