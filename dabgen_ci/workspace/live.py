"""A live workspace read through databricks-sdk, as raw JSON.

The SDK's typed models drop fields they do not know, so every call goes through
``client.api_client.do`` and returns the API's own JSON; the SDK still gives us unified auth
(profile, ``DATABRICKS_HOST``/``DATABRICKS_TOKEN``, OAuth M2M...) and its retries on 429/503.
SDK exceptions never leave this module: they become :mod:`dabgen_ci.errors` with one
actionable line that names the host and never a credential.
"""

from __future__ import annotations

import base64
import threading
from collections import Counter
from collections.abc import Iterator

from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config

from dabgen_ci.core.workspace_objects import DESIGNER_FILE, DESIGNER_SUFFIX
from dabgen_ci.errors import NotFoundError, PermissionDeniedError, WorkspaceError
from dabgen_ci.workspace.base import ExportedObject, ObjectInfo
from dabgen_ci.workspace.sdk_errors import SDK_FAILURES, classify, scrub
from dabgen_ci.workspace.snapshot import PAGED_ARRAYS, SOURCE_LANGUAGES, has_notebook_header

DEFAULT_RETRY_TIMEOUT_SECONDS = 300
_JSON = {"Accept": "application/json"}


class LiveSource:
    """:class:`~dabgen_ci.workspace.base.WorkspaceSource` over a ``WorkspaceClient``."""

    def __init__(self, client: WorkspaceClient) -> None:
        self._client = client
        self._host = client.config.host or "the workspace"
        self._retry_seconds = client.config.retry_timeout_seconds or DEFAULT_RETRY_TIMEOUT_SECONDS
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    @classmethod
    def from_config(
        cls,
        *,
        profile: str | None = None,
        host: str | None = None,
        token: str | None = None,
        retry_timeout_seconds: int = DEFAULT_RETRY_TIMEOUT_SECONDS,
    ) -> LiveSource:
        """Resolve credentials the way every Databricks tool does (SDK unified auth)."""
        try:
            config = Config(
                profile=profile,
                host=host,
                token=token,
                retry_timeout_seconds=retry_timeout_seconds,
                product="dabgen",
            )
        except ValueError as e:
            where = host or (f"profile {profile}" if profile else "the default workspace")
            reason = scrub(str(e).split(". Config:")[0], token)
            raise WorkspaceError(
                f"authentication failed for {where}: check DATABRICKS_TOKEN or --profile ({reason})"
            ) from None
        return cls(WorkspaceClient(config=config))

    def describe(self) -> str:
        return self._host

    # -- calls --------------------------------------------------------------------------

    def _get(self, endpoint: str, query: dict[str, object], what: str) -> dict:
        with self._lock:
            self.calls[endpoint] += 1
        api = "/api/2.2/" if endpoint.startswith("jobs/") else "/api/2.0/"
        try:
            return self._client.api_client.do("GET", api + endpoint, query=query, headers=_JSON)
        except SDK_FAILURES as e:
            raise self._translate(e, what) from None

    def _translate(self, err: BaseException, what: str) -> WorkspaceError:
        """One actionable line for an SDK failure (``from None``: SDK text may echo headers)."""
        host, secs = self._host, self._retry_seconds
        failure = classify(err, self._client.config.token)
        messages = {
            "rate_limited": f"rate limited by {host} after retrying for {secs} s; try again later",
            "unavailable": f"{host} is temporarily unavailable after retrying for {secs} s; "
                           "try again later",
            "not_json": f"{host} answered {what} with something that is not JSON",
            "unreachable": f"cannot reach {host} (retried for {secs} s): check DATABRICKS_HOST "
                           "and the network",
            "auth": f"authentication failed for {host}: check DATABRICKS_TOKEN or --profile",
        }
        if failure.kind == "permission":
            return PermissionDeniedError(f"permission denied reading {what} on {host}: "
                                         f"{failure.message} (ask for at least CAN VIEW on it)")
        if failure.kind == "not_found":
            return NotFoundError(f"{what} not found on {host}")
        return WorkspaceError(messages.get(failure.kind) or (
            f"{host} failed reading {what} ({failure.status}: {failure.message}); "
            "try again later"))

    # -- WorkspaceSource ----------------------------------------------------------------

    def get_job(self, job_id: int) -> dict:
        """``jobs/get`` with every page of every paged array merged, order kept."""
        query: dict[str, object] = {"job_id": job_id}
        job = self._get("jobs/get", query, f"job {job_id}")
        token = job.pop("next_page_token", None)
        seen = set()
        while token:
            if token in seen:
                raise WorkspaceError(f"{self._host} repeated page token paging job {job_id}")
            seen.add(token)
            page = self._get("jobs/get", {**query, "page_token": token}, f"job {job_id}")
            _merge_page(job.setdefault("settings", {}), page.get("settings") or {})
            token = page.get("next_page_token")
        job.pop("has_more", None)
        return job

    def list_jobs(self, *, name: str | None = None) -> Iterator[dict]:
        query: dict[str, object] = {"expand_tasks": "true", "limit": 100}
        if name is not None:
            query["name"] = name
        while True:
            body = self._get("jobs/list", query, "the job list")
            yield from body.get("jobs", [])
            if not body.get("next_page_token"):
                return
            query["page_token"] = body["next_page_token"]

    def get_status(self, path: str) -> ObjectInfo:
        return _object_info(self._get("workspace/get-status", {"path": path}, path))

    def list_dir(self, path: str) -> list[ObjectInfo]:
        body = self._get("workspace/list", {"path": path}, path)
        return [_object_info(o) for o in body.get("objects", [])]

    def export(self, path: str) -> ExportedObject:
        """One ``export?format=AUTO`` call: notebooks in their stored format, files raw.

        A Lakeflow Designer notebook reports no export format, so AUTO cannot be trusted
        with it; like the Databricks CLI (``notebook.FixedExportFormat``), a path named
        ``*.designer.ipynb`` is looked up and, when it is a ``DESIGNER_FILE``, exported as
        JUPYTER.
        """
        designer = path.lower().endswith(DESIGNER_SUFFIX) and \
            self.get_status(path).object_type == DESIGNER_FILE
        body = self._get("workspace/export",
                         {"path": path, "format": "JUPYTER" if designer else "AUTO"}, path)
        content = base64.b64decode(body.get("content") or "")
        file_type = body.get("file_type") or ("ipynb" if designer else "")
        is_notebook = file_type == "ipynb" or (
            file_type in SOURCE_LANGUAGES and has_notebook_header(content)
        )
        return ExportedObject(path, content, file_type, is_notebook)


def _merge_page(settings: dict, page: dict) -> None:
    for key in PAGED_ARRAYS:
        if page.get(key):
            settings.setdefault(key, []).extend(page[key])


def _object_info(body: dict) -> ObjectInfo:
    return ObjectInfo(body.get("path", ""), body.get("object_type", ""), body.get("language"))




