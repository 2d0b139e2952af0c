"""The proxy environment is read once per host, and still obeyed (``sdk.read_environment_once``)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from dabgen_ci.workspace.live import LiveSource
from dabgen_ci.workspace.sdk import _EnvironmentOnce, read_environment_once
from tests.servers.loopback import LoopbackServer
from tests.servers.workspace_server import WorkspaceServer

ME = "/Users/me@x.com"
PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                   "ALL_PROXY", "no_proxy", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


class _Forward(BaseHTTPRequestHandler):
    """A forward proxy: ``GET http://host/path`` is fetched from ``host`` and relayed."""

    def do_GET(self) -> None:
        app: ForwardProxy = self.server.app  # type: ignore[attr-defined]
        app.seen.append(self.path)
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        upstream = urllib.request.Request(self.path, headers={
            k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-connection")})
        try:
            with direct.open(upstream) as answer:
                status, body, kind = answer.status, answer.read(), answer.headers["Content-Type"]
        except urllib.error.HTTPError as e:
            status, body, kind = e.code, e.read(), e.headers["Content-Type"]
        self.send_response(status)
        self.send_header("Content-Type", kind or "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class ForwardProxy(LoopbackServer):
    http_server_class = ThreadingHTTPServer
    handler_class = _Forward

    def __init__(self) -> None:
        self.seen: list[str] = []


@pytest.fixture
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def proxy(no_proxy_settings: None) -> Iterator[ForwardProxy]:
    with ForwardProxy() as running:
        yield running


def test_every_request_goes_through_the_proxy_the_environment_names(
    server: WorkspaceServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    read = []
    environ_proxies = requests.utils.get_environ_proxies

    def reading(url: str, no_proxy: str | None = None) -> dict[str, str]:
        read.append(url)
        return environ_proxies(url, no_proxy=no_proxy)

    source = LiveSource.from_config(host=server.url, token=server.token)
    monkeypatch.setattr(requests.sessions, "get_environ_proxies", reading)
    assert source.get_job(7)["job_id"] == 7
    exports = [source.export(f"{ME}/etl"), source.export(f"{ME}/report")]
    assert [e.path for e in exports] == [f"{ME}/etl", f"{ME}/report"]
    api = [url.removeprefix(server.url) for url in proxy.seen if "/api/" in url]
    assert [url.split("?")[0] for url in api] == [
        "/api/2.2/jobs/get", "/api/2.0/workspace/export", "/api/2.0/workspace/export"]
    assert len(read) == 1  # the environment was read for the first request only


def test_no_proxy_still_bypasses_the_proxy(
    server: WorkspaceServer, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    source = LiveSource.from_config(host=server.url, token=server.token)
    assert source.export(f"{ME}/etl").path == f"{ME}/etl"
    assert source.export(f"{ME}/report").path == f"{ME}/report"
    assert proxy.seen == []
    assert server.requests["GET /api/2.0/workspace/export"] == 2


@pytest.mark.parametrize("environment", [
    {},
    {"HTTPS_PROXY": "http://proxy.corp:3128", "HTTP_PROXY": "http://plain.corp:8080"},
    {"HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": ".azuredatabricks.net,10.0.0.0/8"},
    {"ALL_PROXY": "socks5://proxy.corp:1080", "no_proxy": "*"},
    {"REQUESTS_CA_BUNDLE": "/etc/corp-ca.pem"},
    {"CURL_CA_BUNDLE": "/etc/curl-ca.pem", "HTTPS_PROXY": "http://proxy.corp:3128"},
])
def test_the_remembered_settings_are_what_requests_would_read(
    environment: dict[str, str], no_proxy_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    session = requests.Session()
    once = _EnvironmentOnce(session.merge_environment_settings)
    urls = ["https://adb-1.2.azuredatabricks.net/api/2.2/jobs/list?limit=100",
            "https://adb-1.2.azuredatabricks.net/api/2.0/workspace/export?path=%2Fa",
            "https://dbc-9.cloud.databricks.com/api/2.0/workspace/export",
            "http://10.0.0.5:8080/api/2.2/jobs/get", "http://127.0.0.1:9/x"]
    for url in urls * 2:
        for stream, verify in ((False, None), (True, None), (False, False), (False, "/ca.pem")):
            assert once(url, {}, stream, verify, None) == session.merge_environment_settings(
                url, {}, stream, verify, None), (url, stream, verify)


def test_the_environment_is_read_once_per_origin_and_settings() -> None:
    asked: list[tuple[object, ...]] = []

    def merge(url: str, proxies: dict[str, str], stream: object, verify: object,
              cert: object) -> dict[str, Any]:
        asked.append((url, stream))
        return {"proxies": {"https": "http://p:1"}, "stream": stream, "verify": verify,
                "cert": cert}

    once = _EnvironmentOnce(merge)
    for path in ("/a", "/b?x=1", "/c"):
        once(f"https://one.example{path}", {}, False, None, None)
    once("https://two.example/a", {}, False, None, None)
    once("https://one.example/a", {}, True, None, None)
    once("https://one.example/a", {"https": "http://own:2"}, False, None, None)  # not kept
    once("https://one.example/a", {"https": "http://own:2"}, False, None, None)
    once("https://one.example/a", {}, False, None, ["cert.pem"])  # unhashable: asked each time
    once("https://one.example/a", {}, False, None, ["cert.pem"])
    assert asked == [("https://one.example/a", False), ("https://two.example/a", False),
                     ("https://one.example/a", True), *[("https://one.example/a", False)] * 4]
    first = once("https://one.example/a", {}, False, None, None)
    first["proxies"]["https"] = "changed by requests"
    assert once("https://one.example/a", {}, False, None, None)["proxies"] == {
        "https": "http://p:1"}


def test_an_sdk_that_moved_its_session_loses_only_the_speed() -> None:
    class Elsewhere:  # neither ``_api_client`` nor its ``_session`` where 0.x keeps them
        pass

    moved = Elsewhere()
    read_environment_once(moved)  # type: ignore[arg-type]
    assert vars(moved) == {}
