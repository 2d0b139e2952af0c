"""``ClaudeAgentOptions`` for a refinement: context, tools, limits, and the two permission gates.

Decisions, so a reader need not rediscover them:

- Domain context: the canonical text is the repository's ``CLAUDE.md``; the package ships a
  copy (``dabgen_ci/agent/CLAUDE.md``, kept identical by a test) because the bundle being
  refined lives in a user's repository, not ours. It is appended to Claude Code's system
  prompt, unless a ``CLAUDE.md`` with the same text is already on the bundle's path (the CLI
  reads those itself with ``setting_sources=["project"]``, as it reads the user's own).
- Tools: only Read/Write/Edit/Glob/Grep exist; Bash, web and sub-agent tools are absent and
  also disallowed. The dabgen MCP server runs read-only (never ``--allow-writes``) with
  ``--root`` at the bundle, and only its read-only tools are permitted.
- Two gates share :func:`~dabgen_ci.agent.permissions.decide`: ``can_use_tool`` and a
  ``PreToolUse`` hook. Project settings could otherwise auto-approve calls, and project
  hooks (shell commands from ``.claude/settings.json`` on a PR branch) are disabled by a
  flag setting.
- ``verbatim_prompts``: ``@path`` text in a request or comment is not expanded into a file.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from claude_agent_sdk import ClaudeAgentOptions, HookMatcher
from claude_agent_sdk.types import (
    PermissionResult,
    PermissionResultAllow,
    PermissionResultDeny,
    ToolPermissionContext,
)

from dabgen_ci.agent.permissions import (
    DISALLOWED_TOOLS,
    FILE_TOOLS,
    MCP_SERVER_NAME,
    decide,
)
from dabgen_ci.agent.prompt import SYSTEM_RULES
from dabgen_ci.agent.settings import AgentSettings, DenialLog
from dabgen_ci.config import AgentConfig

# The CLI must not phone home or update itself; these are the switches it honours.
QUIET_ENV = {
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "DISABLE_AUTOUPDATER": "1",
    "CLAUDE_CODE_DISABLE_AUTO_MEMORY": "1",
    "CLAUDE_CODE_DISABLE_BACKGROUND_TASKS": "1",
}
FLAG_SETTINGS = {"disableAllHooks": True}


def domain_context() -> str:
    return resources.files("dabgen_ci.agent").joinpath("CLAUDE.md").read_text("utf-8")


def system_append(bundle_dir: Path) -> str:
    context = domain_context()
    for folder in (bundle_dir.resolve(), *bundle_dir.resolve().parents):
        candidate = folder / "CLAUDE.md"
        if candidate.is_file() and candidate.read_text("utf-8", "replace") == context:
            return SYSTEM_RULES
    return f"{context}\n{SYSTEM_RULES}"


def mcp_servers(bundle_dir: Path, settings: AgentSettings) -> dict[str, Any]:
    """The dabgen MCP server over stdio, read-only, rooted at the bundle."""
    script = Path(sys.executable).with_name("dabgen-mcp")
    # -I: the server starts in the bundle dir, whose files must not shadow our modules.
    command, args = ((str(script), []) if script.is_file()
                     else (sys.executable, ["-I", "-m", "mcp_server"]))
    args = [*args, "--root", str(bundle_dir.resolve())]
    if settings.workspace_snapshot is not None:
        args += ["--workspace-snapshot", str(Path(settings.workspace_snapshot).resolve())]
    elif settings.databricks_profile:
        args += ["--profile", settings.databricks_profile]
    return {MCP_SERVER_NAME: {"type": "stdio", "command": command, "args": args}}


def build_options(bundle_dir: Path, config: AgentConfig, env: Mapping[str, str],
                  settings: AgentSettings, denials: DenialLog) -> ClaudeAgentOptions:
    root = bundle_dir.resolve()
    return ClaudeAgentOptions(
        cwd=str(root),
        setting_sources=["project"],
        system_prompt={"type": "preset", "preset": "claude_code",
                       "append": system_append(root)},
        tools=list(FILE_TOOLS),
        disallowed_tools=list(DISALLOWED_TOOLS),
        permission_mode="default",
        can_use_tool=_can_use_tool(root, denials),
        hooks={"PreToolUse": [HookMatcher(matcher=None, hooks=[_pre_tool_use(root, denials)],
                                          on_failure="block")]},
        settings=json.dumps(FLAG_SETTINGS),
        mcp_servers=mcp_servers(root, settings) if settings.use_mcp else {},
        strict_mcp_config=True,
        verbatim_prompts=True,
        max_turns=config.max_turns,
        max_budget_usd=config.max_budget_usd,
        model=config.model,
        cli_path=settings.cli_path,
        env={**dict(env), **QUIET_ENV},
        stderr=settings.stderr,
    )


def _can_use_tool(root: Path, denials: DenialLog) -> Callable[..., Any]:
    async def can_use_tool(tool_name: str, tool_input: dict[str, Any],
                           context: ToolPermissionContext) -> PermissionResult:
        decision = decide(tool_name, tool_input, root)
        if decision.allow:
            return PermissionResultAllow()
        denials.add(tool_name, decision.reason)
        return PermissionResultDeny(message=decision.reason)
    return can_use_tool


def _pre_tool_use(root: Path, denials: DenialLog) -> Callable[..., Any]:
    async def pre_tool_use(hook_input: Any, tool_use_id: str | None,
                           context: Any) -> dict[str, Any]:
        name = str(hook_input.get("tool_name", ""))
        decision = decide(name, hook_input.get("tool_input") or {}, root)
        if decision.allow:
            return {}  # no opinion: the normal permission flow (and can_use_tool) follows
        denials.add(name, decision.reason)
        return {"hookSpecificOutput": {"hookEventName": "PreToolUse",
                                       "permissionDecision": "deny",
                                       "permissionDecisionReason": decision.reason}}
    return pre_tool_use
