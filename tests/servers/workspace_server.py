"""A Databricks workspace on 127.0.0.1 that serves a snapshot directory over the REST API.

Driven through the real ``WorkspaceClient``: same paths, paging, error bodies and auth
answers as the real service (Jobs API 2.2, Workspace API 2.0, SCIM Me). The snapshot is read
on every request with :class:`~dabgen_ci.workspace.snapshot.SnapshotSource`, so a test may
change files between calls. One exception: a ``jobs/list`` page token points into the listing
its first page read (like the service's tokens, which carry the listing's state), so paging
through 10,000 jobs reads each job file once, not once per page.

Extend it by registering handlers (``srv.route("GET", "/api/2.0/clusters/get", fn)``); a
handler takes a :class:`Request` and returns a dict/list (JSON 200), bytes, or a
:class:`Response`, or raises :class:`ApiError`. ``srv.requests`` counts every request by
``"METHOD /path"``; ``srv.fail(prefix, status, times=N)`` injects errors.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

from dabgen_ci.errors import BadInputError, DabgenError, NotFoundError
from dabgen_ci.workspace.snapshot import SnapshotSource, jobs_get_page, jobs_list_item
from tests.servers.loopback import LoopbackServer

DEFAULT_ERROR_CODES = {
    400: "INVALID_PARAMETER_VALUE",
    401: 401,  # the real service answers auth failures with a numeric error_code
    403: "PERMISSION_DENIED",
    404: "RESOURCE_DOES_NOT_EXIST",
    409: "RESOURCE_CONFLICT",
    429: "REQUEST_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    503: "TEMPORARILY_UNAVAILABLE",
}
USER_NAME = "dabgen@example.com"
_EXT = {"PYTHON": "py", "SQL": "sql", "SCALA": "scala", "R": "r"}
_COMMENT = {"PYTHON": "#", "SQL": "--", "SCALA": "//", "R": "#"}
_LISTINGS_KEPT = 8  # listings a page token may still point into (oldest dropped first)


class ApiError(Exception):
    """Raised by a handler to answer ``{"error_code": ..., "message": ...}``."""

    def __init__(self, status: int, message: str, error_code: str | int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.error_code = status, message, error_code


class Request(NamedTuple):
    method: str
    path: str
    query: dict[str, str]
    headers: Message  # case-insensitive, as HTTP headers are
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


class Response(NamedTuple):
    status: int = 200
    body: Any = None  # dict/list → JSON, bytes → raw, None → empty
    headers: Mapping[str, str] | None = None


Handler = Callable[[Request], Any]


@dataclass
class _Fault:
    prefix: str
    response: Response
    remaining: int | None  # None: fail forever


def error(status: int, message: str, error_code: str | int | None = None) -> Response:
    code = error_code or DEFAULT_ERROR_CODES.get(status, "UNKNOWN")
    return Response(status, {"error_code": code, "message": message})


class WorkspaceServer(LoopbackServer):
    """``with WorkspaceServer(snapshot_dir) as srv: WorkspaceClient(host=srv.url, ...)``."""

    def __init__(
        self, snapshot_dir: Path, token: str = "test-token", *, user_name: str = USER_NAME
    ) -> None:
        self.snapshot = SnapshotSource(Path(snapshot_dir))
        self.token, self.user_name = token, user_name
        self.requests: Counter[str] = Counter()
        self.errors: list[BaseException] = []  # unexpected handler exceptions, for debugging
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._routes: dict[tuple[str, str], Handler] = {}
        self._listings: OrderedDict[int, list[dict]] = OrderedDict()
        self._listing_count = 0
        for path, handler in {
            "/api/2.2/jobs/get": self._jobs_get,
            "/api/2.2/jobs/list": self._jobs_list,
            "/api/2.0/workspace/get-status": self._get_status,
            "/api/2.0/workspace/list": self._list,
            "/api/2.0/workspace/export": self._export,
            "/api/2.0/preview/scim/v2/Me": self._me,
        }.items():
            self.route("GET", path, handler)

    # -- extension points ---------------------------------------------------------------

    def route(self, method: str, path: str, handler: Handler) -> None:
        self._routes[(method.upper(), path)] = handler

    def fail(
        self,
        endpoint_prefix: str,
        status: int,
        times: int | None = 1,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests (None: all) with ``status``.

        ``endpoint_prefix`` is matched against the path, or against ``"METHOD /path"`` when
        it starts with a method.
        """
        if body is None:
            body = error(status, f"injected failure {status}").body
        with self._lock:
            self._faults.append(_Fault(endpoint_prefix, Response(status, body, headers), times))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # -- dispatch -----------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        key = f"{req.method} {req.path}"
        with self._lock:
            self.requests[key] += 1
            fault = self._take_fault(key, req.path)
        if fault is not None:
            return fault
        if req.path.startswith("/.well-known/"):
            return error(404, f"No API found for '{key}'", "ENDPOINT_NOT_FOUND")
        denied = self._check_auth(req)
        if denied is not None:
            return denied
        handler = self._routes.get((req.method, req.path))
        if handler is None:
            return error(404, f"No API found for '{key}'", "ENDPOINT_NOT_FOUND")
        try:
            return _as_response(handler(req))
        except ApiError as e:
            return error(e.status, e.message, e.error_code)
        except BadInputError as e:
            return error(400, str(e))
        except NotFoundError as e:
            return error(404, str(e))
        except DabgenError as e:
            return error(500, str(e))
        except Exception as e:  # a bug in a handler: answer 500 and keep it for the test
            self.errors.append(e)
            return error(500, f"test server error: {e!r}")

    def _take_fault(self, key: str, path: str) -> Response | None:
        for fault in self._faults:
            target = key if " " in fault.prefix else path
            if target.startswith(fault.prefix) and fault.remaining != 0:
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault.response
        return None

    def _check_auth(self, req: Request) -> Response | None:
        auth = req.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            msg = "Credential was not sent or was of an unsupported type for this API."
            return error(401, msg)
        if auth.removeprefix("Bearer ") != self.token:  # the real service says 403 here
            return Response(403, {"error_code": 403, "message": "Invalid access token."})
        return None

    # -- jobs ---------------------------------------------------------------------------

    def _jobs_get(self, req: Request) -> dict:
        job_id = _int_param(req, "job_id")
        try:
            job = self.snapshot.get_job(job_id)
        except NotFoundError:
            raise ApiError(400, f"Job {job_id} does not exist.") from None
        page = _decode_token(req.query.get("page_token"))
        body, more = jobs_get_page(job, page)
        if more:
            body["next_page_token"] = _encode_token(page + 1)
        return body

    def _jobs_list(self, req: Request) -> dict:
        limit = _int_param(req, "limit", 20)
        if not 1 <= limit <= 100:
            raise ApiError(400, "limit must be between 1 and 100")
        token = req.query.get("page_token")
        offset, listing = _decode_list_token(token) if token else (_int_param(req, "offset", 0),
                                                                   None)
        listing, items = self._listing(req, listing)
        end = offset + limit
        body: dict[str, Any] = {"has_more": end < len(items)}
        if items[offset:end]:
            body["jobs"] = items[offset:end]
        if body["has_more"]:
            body["next_page_token"] = _encode_token(end, listing)
        if offset > 0:
            body["prev_page_token"] = _encode_token(max(0, offset - limit), listing)
        return body

    def _listing(self, req: Request, listing: int | None) -> tuple[int, list[dict]]:
        """The listing a page token points into, or a fresh read of the snapshot."""
        with self._lock:
            if listing is not None and listing in self._listings:
                return listing, self._listings[listing]
        expand = req.query.get("expand_tasks", "").lower() == "true"
        items = list(self.snapshot.list_jobs(name=req.query.get("name")))
        if not expand:
            items = [jobs_list_item(i, expand_tasks=False) for i in items]
        with self._lock:
            self._listing_count += 1
            listing = self._listing_count
            self._listings[listing] = items
            while len(self._listings) > _LISTINGS_KEPT:
                self._listings.popitem(last=False)
        return listing, items

    # -- workspace ----------------------------------------------------------------------

    def _locate(self, req: Request) -> tuple[Any, Path]:
        path = req.query.get("path")
        if not path:
            raise ApiError(400, "Path is required.")
        try:
            return self.snapshot.locate(path)
        except NotFoundError:
            raise ApiError(404, f"Path ({path}) doesn't exist.") from None

    def _get_status(self, req: Request) -> dict:
        return _object_json(*self._locate(req))

    def _list(self, req: Request) -> dict:
        info, _ = self._locate(req)
        if info.object_type != "DIRECTORY":
            raise ApiError(404, f"Path ({info.path}) doesn't exist.")
        children = [
            _object_json(*self.snapshot.locate(c.path)) for c in self.snapshot.list_dir(info.path)
        ]
        return {"objects": children} if children else {}

    def _export(self, req: Request) -> Any:
        info, disk = self._locate(req)
        fmt = req.query.get("format", "SOURCE").upper()
        if info.object_type == "DIRECTORY" or fmt not in ("AUTO", "SOURCE", "JUPYTER"):
            raise ApiError(400, f"test server cannot export {info.path} as {fmt}")
        content, ext = disk.read_bytes(), disk.suffix[1:]
        if info.object_type == "DESIGNER_FILE":  # get-status gives no export format for it
            if fmt != "JUPYTER":
                raise ApiError(400, f"{info.path} can only be exported as JUPYTER")
            ext = "ipynb"
        elif info.object_type == "NOTEBOOK":
            ext = ext.lower()
            if fmt == "JUPYTER" and ext != "ipynb":
                content, ext = _source_to_ipynb(content, info.language), "ipynb"
            elif fmt == "SOURCE" and ext == "ipynb":
                content, ext = _ipynb_to_source(content, info.language), _EXT[info.language]
        elif fmt == "JUPYTER":
            raise ApiError(400, f"{info.path} is not a notebook and cannot be exported as JUPYTER")
        if req.query.get("direct_download", "").lower() == "true":
            return Response(200, content, {"Content-Type": "application/octet-stream"})
        return {"content": base64.b64encode(content).decode(), "file_type": ext}

    def _me(self, req: Request) -> dict:
        return {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "4242424242424242",
            "userName": self.user_name,
            "displayName": self.user_name.split("@")[0],
            "active": True,
            "emails": [{"value": self.user_name, "type": "work", "primary": True}],
            "groups": [{"display": "users", "type": "direct", "value": "1"}],
        }


# -- helpers (pure) -------------------------------------------------------------------------


def _as_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    return Response(200, result)


def _int_param(req: Request, name: str, default: int | None = None) -> int:
    raw = req.query.get(name)
    if raw is None or raw == "":
        if default is None:
            raise ApiError(400, f"Missing required field: {name}")
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid value for {name}: {raw}") from None


def _encode_token(offset: int, listing: int | None = None) -> str:
    text = f"offset={offset}" if listing is None else f"offset={offset};listing={listing}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_list_token(token: str) -> tuple[int, int | None]:
    """A ``jobs/list`` token → (offset, listing it points into)."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        fields = dict(part.split("=", 1) for part in text.split(";"))
        listing = fields.get("listing")
        return int(fields["offset"]), int(listing) if listing is not None else None
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError):
        raise ApiError(400, f"Invalid page token: {token}") from None


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return int(text.removeprefix("offset="))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError(400, f"Invalid page token: {token}") from None


def _object_json(info: Any, disk: Path) -> dict:
    object_id = int(hashlib.sha256(info.path.encode()).hexdigest()[:13], 16)
    body: dict[str, Any] = {
        "object_type": info.object_type,
        "path": info.path,
        "object_id": object_id,
        "resource_id": str(object_id),
    }
    if info.language:
        body["language"] = info.language
    if info.object_type == "FILE":
        stat = disk.stat()
        modified = int(stat.st_mtime * 1000)
        body.update(size=stat.st_size, created_at=modified, modified_at=modified)
    return body


def _ipynb_to_source(content: bytes, language: str) -> bytes:
    c = _COMMENT[language]
    chunks = []
    for cell in json.loads(content).get("cells", []):
        text = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown":
            text = "\n".join(f"{c} MAGIC {line}".rstrip() for line in f"%md\n{text}".split("\n"))
        chunks.append(text)
    header = f"{c} Databricks notebook source\n"
    return (header + f"\n\n{c} COMMAND ----------\n\n".join(chunks)).encode()


def _source_to_ipynb(content: bytes, language: str) -> bytes:
    c = _COMMENT[language]
    body = content.decode().split("\n", 1)[1] if b"\n" in content else ""
    cells: list[dict[str, Any]] = [
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": chunk.strip("\n").splitlines(keepends=True),
        }
        for chunk in body.split(f"{c} COMMAND ----------")
    ]
    meta = {"application/vnd.databricks.v1+notebook": {"language": language.lower()}}
    nb = {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 0}
    return json.dumps(nb, indent=1).encode()


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every request thread
    request_queue_size = 128  # the default 5 drops SYNs from a thread pool (1 s retransmit)
    app: WorkspaceServer


class _HttpHandler(BaseHTTPRequestHandler):
    server: _HttpServer
    protocol_version = "HTTP/1.0"  # one request per connection: no thread outlives stop()
    timeout = 10

    def _serve(self) -> None:
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(self.command, unquote(split.path), query, self.headers, body)
        resp = self.server.app.handle(req)
        headers = dict(resp.headers or {})
        if isinstance(resp.body, bytes):
            payload = resp.body
        else:
            payload = b"" if resp.body is None else json.dumps(resp.body).encode()
            headers.setdefault("Content-Type", "application/json")
        self.send_response(resp.status)
        for name, value in {**headers, "Content-Length": str(len(payload))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read srv.requests
        pass


WorkspaceServer.http_server_class = _HttpServer
WorkspaceServer.handler_class = _HttpHandler
