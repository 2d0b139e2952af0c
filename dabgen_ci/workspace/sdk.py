"""databricks-sdk's HTTP client, without the sixty service modules dabgen never calls.

dabgen speaks raw JSON through ``ApiClient.do`` (see :mod:`.live`): from the SDK it needs
:class:`Config` (unified auth), :class:`ApiClient` (auth headers, retries on 429/503) and
its error classes. But ``import databricks.sdk.<anything>`` first runs the package's
``__init__``, which imports every service module to build ``WorkspaceClient`` (thousands
of dataclasses): 1.1 s of CPU here, against 0.18 s for the modules dabgen uses. Every
command that reads a workspace paid it, and the MCP server's first workspace tool.

So, before the first SDK import, the package is registered *without running its
``__init__``*, and completes itself on first need: any name asked of it that is not there
yet (``from databricks.sdk import WorkspaceClient``, ``databricks.sdk.AccountClient``) runs
the real ``__init__`` in that same module object, once, and answers from it. Code that
wants the whole SDK (tests, a user's plug-in) sees no difference; it pays when it asks.
When the SDK was imported before dabgen, nothing is done.

Every SDK import in dabgen goes through this module (it must come first).
"""

from __future__ import annotations

import functools
import importlib.util
import pkgutil
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol
from urllib.parse import urlsplit

_PACKAGE = "databricks.sdk"


def _register_lazily() -> None:
    """Put ``databricks.sdk`` in :data:`sys.modules` with its ``__init__`` not run yet."""
    if _PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return  # not installed (or not a package): the import below fails with its own words
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader
    lock = threading.RLock()
    locations = list(spec.submodule_search_locations)

    @functools.cache
    def submodules() -> frozenset[str]:
        return frozenset(found.name for found in pkgutil.iter_modules(locations))
    state = {"ran": False}

    def complete(name: str) -> object:
        """PEP 562 hook: a name the package does not have yet runs its ``__init__`` once."""
        if (name.startswith("__") and name.endswith("__")) or name in submodules():
            # Introspection (copy, pickle, typing) runs nothing, and ``from . import
            # useragent`` asks for a submodule, which the import system then imports.
            raise AttributeError(name)
        with lock:  # another thread asking meanwhile waits for the names to be there
            if not state["ran"]:  # (the running ``__init__``'s own look-ups find what it
                state["ran"] = True  # defined so far, like any module being imported)
                loader.exec_module(package)
        try:
            return package.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {_PACKAGE!r} has no attribute {name!r}") from None

    package.__getattr__ = complete  # type: ignore[method-assign]
    sys.modules[_PACKAGE] = package
    parent: ModuleType | None = sys.modules.get(_PACKAGE.rpartition(".")[0])
    if parent is not None:
        parent.sdk = package  # type: ignore[attr-defined]  # as an import binds a submodule


_register_lazily()

# The modules dabgen uses, imported with the package registered above (order matters).
from databricks.sdk.config import Config  # noqa: E402
from databricks.sdk.core import ApiClient  # noqa: E402
from databricks.sdk.errors import (  # noqa: E402
    BadRequest,
    NotFound,
    PermissionDenied,
    ResourceConflict,
    TemporarilyUnavailable,
    TooManyRequests,
    Unauthenticated,
)
from databricks.sdk.errors.base import DatabricksError  # noqa: E402
from databricks.sdk.errors.platform import STATUS_CODE_MAPPING  # noqa: E402

__all__ = [
    "STATUS_CODE_MAPPING", "ApiClient", "BadRequest", "Client", "Config", "CoreClient",
    "DatabricksError",
    "NotFound", "PermissionDenied", "ResourceConflict", "TemporarilyUnavailable",
    "TooManyRequests", "Unauthenticated", "connect", "read_environment_once",
]


class Client(Protocol):
    """What dabgen's adapters use of a ``WorkspaceClient``: its configuration and the raw
    API client (a ``WorkspaceClient`` is one)."""

    @property
    def config(self) -> Config: ...

    @property
    def api_client(self) -> ApiClient: ...


@dataclass(frozen=True)
class CoreClient:
    """:class:`Client` without the service APIs."""

    config: Config
    api_client: ApiClient


def connect(config: Config) -> CoreClient:
    """A client for ``config``, built the way ``WorkspaceClient(config=...)`` builds its
    ``api_client`` (on a copy of the configuration), reading the proxy environment once."""
    config = config.copy()  # type: ignore[no-untyped-call]
    api_client = ApiClient(config)
    read_environment_once(api_client)
    return CoreClient(config, api_client)


def read_environment_once(api_client: ApiClient) -> None:
    """Make the client's ``requests`` session read the proxy environment once per host.

    ``requests`` looks up proxies, ``NO_PROXY`` and ``REQUESTS_CA_BUNDLE`` in
    ``os.environ`` on every request (``Session.merge_environment_settings``), walking the
    whole environment each time: 90 µs a request here, 300 µs with a CI runner's hundred
    variables, a tenth of the client's CPU per export, held under the GIL that the other
    downloads wait for. The answer depends only on the request's origin and the
    environment, which a run does not change, so it is kept per origin.

    The session is the SDK's private attribute: an SDK that moves it loses only the speed
    (``requests`` reads the environment per request, as before), not the command; the
    proxy test's read count fails then, so it does not go unnoticed.
    """
    session = getattr(getattr(api_client, "_api_client", None), "_session", None)
    merge = getattr(session, "merge_environment_settings", None)
    if session is None or merge is None:
        return
    session.merge_environment_settings = _EnvironmentOnce(merge)


class _EnvironmentOnce:
    """``Session.merge_environment_settings``, remembered per (origin, request settings)."""

    def __init__(self, merge: Callable[..., dict[str, Any]]) -> None:
        self._merge = merge
        self._known: dict[tuple[object, ...], dict[str, Any]] = {}

    def __call__(self, url: str, proxies: Mapping[str, str] | None, stream: object,
                 verify: object, cert: object) -> dict[str, Any]:
        if proxies:  # proxies given with the request itself: nothing general to keep
            return self._merge(url, proxies, stream, verify, cert)
        scheme, netloc, *_ = urlsplit(url)
        key = (scheme, netloc, stream, verify, cert)
        try:
            settings = self._known.get(key)
        except TypeError:  # an unhashable setting (a list as ``cert``): ask each time
            return self._merge(url, proxies, stream, verify, cert)
        if settings is None:
            settings = self._known[key] = self._merge(url, proxies, stream, verify, cert)
        # ``requests`` treats the answer as its own: each request gets its own proxies dict
        return {**settings, "proxies": dict(settings["proxies"])}
