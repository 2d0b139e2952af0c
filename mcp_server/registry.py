"""The one table of dabgen-mcp's tools: name, function, access, description.

Everything the server exposes is listed here, in the order ``tools/list`` shows it, so a
reader sees the whole surface — and which tools read, write or may destroy — in one place.
The functions live in the three tool modules; each takes the
:class:`~mcp_server.context.ToolContext` first and its docstring is the model-facing
description (one paragraph, whitespace collapsed here).

``access`` becomes the MCP annotations (``readOnlyHint``, ``destructiveHint``). It does not
refuse anything by itself: whether a call writes can depend on its arguments (a SQL
statement, a bundle command), so each write tool checks ``ctx.require_writes`` itself.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Literal, NamedTuple

from pydantic import BaseModel

from mcp_server import tools_bundles, tools_delivery, tools_workspace

Access = Literal["read", "write", "destructive"]


class ToolSpec(NamedTuple):
    name: str
    function: Callable[..., BaseModel]  # function(ctx, **arguments)
    access: Access
    description: str


def _tool(name: str, function: Callable[..., BaseModel], access: Access) -> ToolSpec:
    return ToolSpec(name, function, access, describe(function))


def describe(function: Callable[..., object]) -> str:
    """The docstring as one line: what a model reads to decide when to call the tool."""
    return " ".join(inspect.cleandoc(function.__doc__ or "").split())


TOOLS: tuple[ToolSpec, ...] = (
    _tool("health", tools_workspace.health, "read"),
    _tool("list_jobs", tools_workspace.list_jobs, "read"),
    _tool("get_job", tools_workspace.get_job, "read"),
    _tool("list_notebooks", tools_workspace.list_notebooks, "read"),
    _tool("export_notebook", tools_workspace.export_notebook, "read"),
    _tool("list_warehouses", tools_workspace.list_warehouses, "read"),
    _tool("list_dbfs_files", tools_workspace.list_dbfs_files, "read"),
    _tool("get_cluster", tools_workspace.get_cluster, "read"),
    _tool("run_job", tools_workspace.run_job, "write"),
    _tool("execute_dbsql", tools_workspace.execute_dbsql, "destructive"),  # reads unless writes
    _tool("analyze_notebook", tools_bundles.analyze_notebook, "read"),
    _tool("validate_bundle", tools_bundles.validate_bundle, "read"),
    _tool("generate_bundle", tools_bundles.generate_bundle, "write"),  # local files
    _tool("generate_bundle_from_job", tools_bundles.generate_bundle_from_job, "write"),
    _tool("create_tests", tools_bundles.create_tests, "write"),
    _tool("upload_bundle", tools_delivery.upload_bundle, "write"),
    _tool("run_bundle_command", tools_delivery.run_bundle_command, "destructive"),
    _tool("sync_workspace_to_local", tools_delivery.sync_workspace_to_local, "write"),
)
