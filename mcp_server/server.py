"""Build the dabgen MCP server: configuration → tool context → the tools of the registry.

Every tool is a thin adapter over dabgen_ci; this module decides how they are exposed: each
row of :data:`~mcp_server.registry.TOOLS` is registered with its context bound (the model
never sees ``ctx``), failures that dabgen_ci anticipates become MCP tool errors carrying its
one actionable line (redacted, no traceback), and every result is held to the size cap.
The workspace is opened by the first tool that needs it, so the handshake and the local
tools need neither credentials nor databricks-sdk, and ``health`` can explain what is wrong.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel

from dabgen_ci.errors import DabgenError
from mcp_server import bounds
from mcp_server.context import Caps, ToolContext, workspace_for
from mcp_server.registry import TOOLS, ToolSpec

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
    """What the command line decides (``dabgen-mcp --root … --allow-writes …``)."""

    root: Path
    snapshot: Path | None = None
    profile: str | None = None
    allow_writes: bool = False


def context_for(config: ServerConfig, env: Mapping[str, str] | None = None,
                caps: Caps | None = None) -> ToolContext:
    """The tools' context for ``config``; ``env`` (default: this process's) is what the
    databricks CLI runs with and what errors are redacted against."""
    return ToolContext(root=config.root, workspace=workspace_for(config.snapshot, config.profile),
                       env=os.environ if env is None else env, allow_writes=config.allow_writes,
                       profile=config.profile, caps=caps or Caps())


def build_server(config: ServerConfig, *, env: Mapping[str, str] | None = None) -> MCPServer:
    """The server for ``config`` with exactly the tools of the registry."""
    return server_for(context_for(config, env))


def server_for(ctx: ToolContext, tools: Sequence[ToolSpec] = TOOLS) -> MCPServer:
    """An MCP server exposing ``tools``, each called with ``ctx``."""
    server: MCPServer = MCPServer("dabgen", instructions=INSTRUCTIONS, log_level="WARNING")
    for spec in tools:
        annotations = ToolAnnotations(read_only_hint=spec.access == "read",
                                      destructive_hint=spec.access == "destructive",
                                      open_world_hint=True)
        server.add_tool(BoundTool(spec, ctx), name=spec.name, description=spec.description,
                        annotations=annotations, structured_output=True)
    return server


class BoundTool:
    """A tool function with its context bound: what MCPServer introspects and calls.

    Its signature is the function's without ``ctx`` (annotations evaluated), so the input
    and output schemas are exactly the function's; a call maps anticipated failures to one
    redacted line and cuts the result to ``ctx.caps.result_bytes``.
    """

    def __init__(self, spec: ToolSpec, ctx: ToolContext) -> None:
        signature = inspect.signature(spec.function, eval_str=True)
        arguments = list(signature.parameters.values())[1:]  # ctx is not the model's to give
        self.__signature__ = signature.replace(parameters=arguments)
        self.__name__ = spec.name
        self.__doc__ = spec.description
        self._function = spec.function
        self._ctx = ctx

    def __call__(self, **arguments: Any) -> Any:
        ctx = self._ctx
        try:
            return capped(self._function(ctx, **arguments), ctx.caps.result_bytes)
        except DabgenError as exc:
            raise ToolError(ctx.redact(str(exc))) from None
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise ToolError(ctx.redact(f"local file error{where}: {exc.strerror or exc}")
                            ) from None


def capped(result: Any, max_bytes: int = bounds.MAX_RESULT_BYTES) -> Any:
    """A tool's result within ``max_bytes`` of JSON, ``truncated`` set when it had to be cut
    (every result model has the field)."""
    if not isinstance(result, BaseModel) or "truncated" not in type(result).model_fields:
        return result
    data, cut = bounds.bound(result.model_dump(mode="json"), max_bytes)
    if not cut:
        return result
    return type(result).model_validate({**data, "truncated": True})
