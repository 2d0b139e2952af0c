"""dabgen's MCP server: Databricks tools for Claude and any MCP client."""
