"""Constants and assertions on MCP tool results, shared by the MCP test modules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mcp import Client

REPO = Path(__file__).resolve().parents[2]
TOKEN = "dapi" + "0123456789abcdef" * 2  # token-shaped, so redaction is really exercised
USER_FOLDER = "/Workspace/Users/data-eng@acme.com"
BIG_NOTEBOOK = f"{USER_FOLDER}/big/huge_notebook"


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    """The structured output of a successful call (fails the test with the error text)."""
    result = await client.call_tool(tool, arguments)
    text = result.content[0].text if result.content else ""
    assert not result.is_error, f"{tool} failed: {text}"
    assert isinstance(result.structured_content, dict)
    return result.structured_content


async def fail(client: Client, tool: str, **arguments: Any) -> str:
    """The message of a failed call: one line, no traceback, no credential."""
    result = await client.call_tool(tool, arguments)
    assert result.is_error, f"{tool} unexpectedly succeeded: {result.structured_content}"
    text = result.content[0].text
    assert "Traceback" not in text and TOKEN not in text
    return text


def server_command() -> list[str]:
    """The installed console script when there is one, else the module."""
    script = Path(sys.executable).parent / "dabgen-mcp"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mcp_server"]
