"""Run-time wiring of the agent that is not user configuration. SDK-free, so callers can
build it before knowing whether the agent can run at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class AgentSettings:
    """Where the MCP tools read from, which CLI runs, how long a round may take.

    User-facing knobs (model, turns, budget, rounds) are :class:`~dabgen_ci.config.AgentConfig`.
    """

    workspace_snapshot: Path | None = None  # MCP server reads a snapshot, else the live env
    databricks_profile: str | None = None
    use_mcp: bool = True
    cli_path: Path | None = None  # default: the CLI bundled with claude-agent-sdk
    timeout_seconds: float = 1800.0
    stderr: Callable[[str], None] | None = field(default=None, compare=False)


@dataclass
class DenialLog:
    """Tool calls refused by either permission gate, in order, as ``"Tool: reason"``."""

    entries: list[str] = field(default_factory=list)

    def add(self, tool: str, reason: str) -> None:
        line = f"{tool}: {reason}"
        if line not in self.entries:
            self.entries.append(line)
