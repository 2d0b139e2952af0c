"""Constants, assertions on MCP tool results and a fake ``databricks`` CLI, shared by the
MCP test modules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.types import CallToolResult, TextContent

REPO = Path(__file__).resolve().parents[2]
TOKEN = "dapi" + "0123456789abcdef" * 2  # token-shaped, so redaction is really exercised
USER_FOLDER = "/Workspace/Users/data-eng@acme.com"
BIG_NOTEBOOK = f"{USER_FOLDER}/big/huge_notebook"
FAKE_DATABRICKS = """\
#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_DATABRICKS_LOG"], "a") as log:
    log.write(json.dumps({{"argv": args, "cwd": os.getcwd()}}) + "\\n")
if args[:2] == ["bundle", "validate"] and "-o" in args:
    print("{{}}")
    sys.exit(0)
if args[:2] == ["bundle", "destroy"] and "--auto-approve" not in args:
    print("Error: please specify --auto-approve to skip interactive confirmation",
          file=sys.stderr)
    sys.exit(1)
print("Authorization: Bearer " + os.environ.get("DATABRICKS_TOKEN", ""), file=sys.stderr)
print(" ".join(args[:2]) + " OK")
"""


def text_of(result: CallToolResult) -> str:
    """The text of a tool's answer, "" when it has none (dabgen's tools answer in text)."""
    if not result.content:
        return ""
    first = result.content[0]
    assert isinstance(first, TextContent), first
    return first.text


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    """The structured output of a successful call (fails the test with the error text)."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, f"{tool} failed: {text_of(result)}"
    assert isinstance(result.structured_content, dict)
    return result.structured_content


async def fail(client: Client, tool: str, **arguments: Any) -> str:
    """The message of a failed call: one line, no traceback, no credential."""
    result = await client.call_tool(tool, arguments)
    assert result.is_error, f"{tool} unexpectedly succeeded: {result.structured_content}"
    assert result.content
    text = text_of(result)
    assert "Traceback" not in text and TOKEN not in text
    return text


def server_command() -> list[str]:
    """The installed console script when there is one, else the module."""
    script = Path(sys.executable).parent / "dabgen-mcp"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mcp_server"]


def write_fake_databricks(bin_dir: Path) -> Path:
    """A ``databricks`` executable in ``bin_dir`` that logs each call (argv and cwd) to
    ``$FAKE_DATABRICKS_LOG`` and answers like the CLI: ``bundle validate -o json`` prints
    ``{}``, ``destroy`` without ``--auto-approve`` fails, anything else succeeds and echoes
    the token it was given on stderr (so redaction is exercised)."""
    fake = bin_dir / "databricks"
    fake.write_text(FAKE_DATABRICKS.format(python=sys.executable))
    fake.chmod(0o755)
    return fake
