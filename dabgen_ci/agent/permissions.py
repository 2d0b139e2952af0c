"""Which tool calls the agent may make. Pure: a tool name and input in, a decision out.

One decision function backs two gates, because either alone can be bypassed: the
``can_use_tool`` callback (consulted when the CLI would prompt) and a ``PreToolUse`` hook
(consulted before every call, so a permission rule from a project settings file cannot
auto-approve a write outside the bundle). Nothing here depends on the prompt: text in a
request or a PR comment can never widen what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dabgen_ci.core.paths import ABSOLUTE, GOES_UP, PathRefused, confine, lexical_problem, tidy

MCP_SERVER_NAME = "dabgen"
# Built-in tools the agent gets at all; everything else (Bash, WebFetch, Task...) is absent.
FILE_TOOLS: dict[str, tuple[str, ...]] = {
    "Read": ("file_path",),
    "Write": ("file_path",),
    "Edit": ("file_path",),
    "Glob": ("path",),
    "Grep": ("path",),
}
WRITE_TOOLS = frozenset({"Write", "Edit"})
# dabgen MCP tools that neither change a workspace nor write local files.
READ_ONLY_MCP_TOOLS = (
    "health", "list_jobs", "get_job", "list_notebooks", "export_notebook", "list_warehouses",
    "list_dbfs_files", "get_cluster", "analyze_notebook", "validate_bundle",
)
# Named so the CLI removes them from the model's context even if something re-enables them.
DISALLOWED_TOOLS = (
    "Bash", "BashOutput", "KillShell", "WebFetch", "WebSearch", "Task", "Agent",
    "NotebookEdit", "MultiEdit",
    *(f"mcp__{MCP_SERVER_NAME}__{name}" for name in (
        "run_job", "execute_dbsql", "generate_bundle", "generate_bundle_from_job",
        "create_tests", "upload_bundle", "run_bundle_command", "sync_workspace_to_local")),
)
# Inside the bundle, but never written by the agent: Claude Code settings (``.git`` is
# refused for reads too, by the one path rule).
_PROTECTED_PARTS = frozenset({".claude"})


@dataclass(frozen=True)
class Decision:
    allow: bool
    reason: str = ""


ALLOW = Decision(True)


def mcp_tool_name(tool: str) -> str:
    return f"mcp__{MCP_SERVER_NAME}__{tool}"


def decide(tool_name: str, tool_input: Mapping[str, Any], root: Path) -> Decision:
    """Allow a read-only dabgen MCP tool or a file tool confined to ``root``; deny the rest."""
    if tool_name in {mcp_tool_name(t) for t in READ_ONLY_MCP_TOOLS}:
        return ALLOW
    if tool_name not in FILE_TOOLS:
        return Decision(False, f"{tool_name} is not available to the dabgen agent")
    for field in FILE_TOOLS[tool_name]:
        value = tool_input.get(field)
        if value in (None, ""):
            continue
        problem = _path_problem(str(value), root, write=tool_name in WRITE_TOOLS)
        if problem:
            return Decision(False, problem)
    if tool_name == "Glob":
        pattern = tidy(str(tool_input.get("pattern") or "") or ".")
        if pattern.startswith("~") or lexical_problem(pattern, allow_self=True) in (
                GOES_UP, ABSOLUTE):
            return Decision(False, f"glob pattern {pattern!r} reaches outside the bundle")
    return ALLOW


def _path_problem(value: str, root: Path, *, write: bool) -> str | None:
    """The one confinement rule (:func:`dabgen_ci.core.paths.confine`): inside the bundle,
    no link out, never ``.git``; writes also never into ``.claude``."""
    try:
        confine(root, value, what="", where=f"the bundle directory {root.resolve()}",
                allow_absolute=True, allow_self=not write,
                reserved=_PROTECTED_PARTS if write else ())
    except PathRefused as exc:
        return str(exc).strip()
    return None
