"""A live workspace read through databricks-sdk, as raw JSON.

The SDK's typed models drop fields they do not know, so every call goes through
``client.api_client.do`` and returns the API's own JSON; the SDK still gives us unified auth
(profile, ``DATABRICKS_HOST``/``DATABRICKS_TOKEN``, OAuth M2M...) and its retries on 429/503.
SDK exceptions never leave this module: they become :mod:`dabgen_ci.errors` with one
actionable line that names the host and never a credential.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections import Counter
from collections.abc import Iterator

from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.core.workspace_objects import DESIGNER_FILE, DESIGNER_SUFFIX
from dabgen_ci.errors import NotFoundError, PermissionDeniedError, WorkspaceError
from dabgen_ci.workspace.base import ExportedObject, ObjectInfo
from dabgen_ci.workspace.paging import (
    MAX_JOB_PAGES,
    PageGuard,
    expect_field,
    expect_object,
)
from dabgen_ci.workspace.sdk import Client, Config, connect
from dabgen_ci.workspace.sdk_errors import SDK_FAILURES, classify, scrub
from dabgen_ci.workspace.snapshot import PAGED_ARRAYS, SOURCE_LANGUAGES, has_notebook_header

DEFAULT_RETRY_TIMEOUT_SECONDS = 300
_JSON = {"Accept": "application/json"}


class LiveSource:
    """:class:`~dabgen_ci.workspace.base.WorkspaceSource` over a ``WorkspaceClient``."""

    def __init__(self, client: Client) -> None:
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
        return cls(connect(config))

    def describe(self) -> str:
        return self._host

    # -- calls --------------------------------------------------------------------------

    def _get(self, endpoint: str, query: dict[str, object], what: str) -> JsonObject:
        with self._lock:
            self.calls[endpoint] += 1
        api = "/api/2.2/" if endpoint.startswith("jobs/") else "/api/2.0/"
        try:
            body = self._client.api_client.do("GET", api + endpoint, query=query,
                                              headers=_JSON)
        except SDK_FAILURES as e:
            raise self._translate(e, what) from None
        except RecursionError:
            raise WorkspaceError(f"{self._host} answered {what} with JSON nested too deeply "
                                 "to read") from None
        return expect_object(body, self._host, what)

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

    def get_job(self, job_id: int) -> JsonObject:
        """``jobs/get`` with every page of every paged array merged, order kept."""
        query: dict[str, object] = {"job_id": job_id}
        what = f"job {job_id}"
        job = self._get("jobs/get", query, what)
        settings = expect_field(job, "settings", dict, self._host, what)
        if settings is None:
            settings = job["settings"] = {}
        token = job.pop("next_page_token", None)
        pages = PageGuard(self._host, what, MAX_JOB_PAGES)
        while token:
            page = self._get("jobs/get", {**query, "page_token": pages.next(token)}, what)
            _merge_page(settings, expect_field(page, "settings", dict, self._host, what) or {},
                        self._host, what)
            token = page.get("next_page_token")
        job.pop("has_more", None)
        return job

    def list_jobs(self, *, name: str | None = None) -> Iterator[JsonObject]:
        query: dict[str, object] = {"expand_tasks": "true", "limit": 100}
        if name is not None:
            query["name"] = name
        what = "the job list"
        pages = PageGuard(self._host, what)
        while True:
            body = self._get("jobs/list", query, what)
            jobs = expect_field(body, "jobs", list, self._host, what) or []
            for item in jobs:
                yield expect_object(item, self._host, what)
            if not body.get("next_page_token"):
                return
            query["page_token"] = pages.next(body["next_page_token"])

    def get_status(self, path: str) -> ObjectInfo:
        return _object_info(self._get("workspace/get-status", {"path": path}, path))

    def list_dir(self, path: str) -> list[ObjectInfo]:
        body = self._get("workspace/list", {"path": path}, path)
        objects = expect_field(body, "objects", list, self._host, path) or []
        return [_object_info(expect_object(o, self._host, path)) for o in objects]

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
        encoded = expect_field(body, "content", str, self._host, path) or ""
        try:
            content = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise WorkspaceError(f"{self._host} answered the export of {path} with content "
                                 "that is not valid base64") from None
        file_type = str(expect_field(body, "file_type", str, self._host, path) or "") or (
            "ipynb" if designer else "")
        is_notebook = file_type == "ipynb" or (
            file_type in SOURCE_LANGUAGES and has_notebook_header(content)
        )
        return ExportedObject(path, content, file_type, is_notebook)

    def current_user_name(self) -> str | None:
        body = self._get("preview/scim/v2/Me", {}, "the current user")
        name = body.get("userName")
        return name if isinstance(name, str) and name else None


def _merge_page(settings: JsonObject, page: JsonObject, host: str, what: str) -> None:
    for key in PAGED_ARRAYS:
        values = expect_field(page, key, list, host, what)
        if values:
            first = expect_field(settings, key, list, host, what)
            settings[key] = [*(first or []), *values]


def _object_info(body: JsonObject) -> ObjectInfo:
    language = body.get("language")
    return ObjectInfo(str(body.get("path", "")), str(body.get("object_type", "")),
                      language if isinstance(language, str) else None)




