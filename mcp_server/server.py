"""Build the dabgen MCP server: configuration, the lazily opened workspace, error mapping.

Every tool is a thin adapter over dabgen_ci; this module decides how they are exposed:
descriptions come from the tool's docstring (one paragraph written for a model), failures
that dabgen_ci anticipates become MCP tool errors carrying its one actionable line (redacted,
no traceback), and the workspace is opened on first use so the local tools work, and
``health`` can explain what is wrong, without credentials.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel

from dabgen_ci.core.redact import Redactor
from dabgen_ci.errors import DabgenError
from dabgen_ci.workspace.base import WorkspaceSource
from dabgen_ci.workspace.ops import WorkspaceOps, open_workspace
from mcp_server import bounds, safety

F = TypeVar("F", bound=Callable[..., Any])

INSTRUCTIONS = (
    "dabgen turns Databricks jobs and notebooks into Databricks Asset Bundles. Explore with "
    "list_jobs/get_job/list_notebooks/export_notebook/analyze_notebook, build a bundle with "
    "generate_bundle_from_job or generate_bundle, check it with validate_bundle and "
    "create_tests. Local paths are relative to the server root. Writes (run_job, "
    "upload_bundle, run_bundle_command deploy/run/destroy, sync_workspace_to_local, "
    "non-read SQL) are refused unless the server was started with --allow-writes."
)


@dataclass(frozen=True)
class ServerConfig:
    root: Path
    snapshot: Path | None = None
    profile: str | None = None
    allow_writes: bool = False


@dataclass
class ToolContext:
    """What every tool group needs: the configuration and the shared workspace."""

    config: ServerConfig
    _pair: tuple[WorkspaceSource, WorkspaceOps] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def root(self) -> Path:
        return self.config.root.resolve()

    @property
    def mode(self) -> str:
        return "snapshot" if self.config.snapshot is not None else "live"

    def _open(self) -> tuple[WorkspaceSource, WorkspaceOps]:
        with self._lock:
            if self._pair is None:
                self._pair = open_workspace(snapshot=self.config.snapshot,
                                            profile=self.config.profile)
            return self._pair

    def source(self) -> WorkspaceSource:
        return self._open()[0]

    def ops(self) -> WorkspaceOps:
        return self._open()[1]

    def local(self, user_path: str, what: str = "path") -> Path:
        return safety.confine(self.root, user_path, what=what)

    def shown(self, path: Path) -> str:
        return safety.relative_to_root(self.root, path)

    def require_writes(self, action: str) -> None:
        safety.require_writes(self.config.allow_writes, action)


def _redactor() -> Redactor:
    return Redactor.from_env(os.environ)


def capped(result: Any) -> Any:
    """A tool's result within :data:`~mcp_server.bounds.MAX_RESULT_BYTES`, ``truncated``
    set when it had to be cut (every result model has the field)."""
    if not isinstance(result, BaseModel) or "truncated" not in type(result).model_fields:
        return result
    data, cut = bounds.bound(result.model_dump(mode="json"))
    if not cut:
        return result
    return type(result).model_validate({**data, "truncated": True})


def tool_errors(fn: F) -> F:
    """Anticipated failures → MCP tool errors with one redacted, actionable line; results
    over the size cap are cut and say so."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return capped(fn(*args, **kwargs))
        except DabgenError as exc:
            raise ToolError(_redactor().redact(str(exc))) from None
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise ToolError(f"local file error{where}: {exc.strerror or exc}") from None

    return wrapper  # type: ignore[return-value]


def add_tool(server: MCPServer, fn: Callable[..., Any], *, read_only: bool,
             destructive: bool = False) -> None:
    """Register ``fn`` under its own name; its docstring is the model-facing description."""
    description = " ".join(inspect.cleandoc(fn.__doc__ or "").split())
    annotations = ToolAnnotations(read_only_hint=read_only, destructive_hint=destructive,
                                  open_world_hint=True)
    server.add_tool(tool_errors(fn), name=fn.__name__, description=description,
                    annotations=annotations, structured_output=True)


def build_server(config: ServerConfig) -> MCPServer:
    """The server with exactly the 18 tools of the three groups."""
    from mcp_server import tools_bundles, tools_delivery, tools_workspace

    server: MCPServer = MCPServer("dabgen", instructions=INSTRUCTIONS, log_level="WARNING")
    context = ToolContext(config)
    for group in (tools_workspace, tools_bundles, tools_delivery):
        group.register(server, context)
    return server
