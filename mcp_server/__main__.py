"""``dabgen-mcp``: parse the command line and serve over stdio (default) or streamable HTTP.

    dabgen-mcp [--workspace-snapshot SNAP | --profile P] [--root DIR] [--allow-writes]
               [--http HOST:PORT]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcp_server.server import ServerConfig


def parse_args(argv: Sequence[str] | None = None) -> tuple[ServerConfig, tuple[str, int] | None]:
    parser = argparse.ArgumentParser(
        prog="dabgen-mcp",
        description="MCP server with dabgen's Databricks tools (read-only unless "
                    "--allow-writes).")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workspace-snapshot", metavar="SNAP", type=Path,
                       help="serve a snapshot directory instead of a live workspace")
    where.add_argument("--profile", metavar="P",
                       help="~/.databrickscfg profile (default: SDK unified auth, e.g. "
                            "DATABRICKS_HOST and DATABRICKS_TOKEN)")
    parser.add_argument("--root", metavar="DIR", type=Path, default=Path.cwd(),
                        help="local directory the file tools are confined to (default: cwd)")
    parser.add_argument("--allow-writes", action="store_true",
                        help="allow run_job, upload_bundle, bundle deploy/run/destroy, "
                             "sync_workspace_to_local and non-read SQL")
    parser.add_argument("--http", metavar="HOST:PORT",
                        help="serve streamable HTTP at http://HOST:PORT/mcp instead of stdio")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"--root {args.root} is not a directory")
    if args.workspace_snapshot is not None and not args.workspace_snapshot.is_dir():
        parser.error(f"--workspace-snapshot {args.workspace_snapshot} is not a directory")
    http = _host_port(parser, args.http) if args.http else None
    from mcp_server.server import ServerConfig  # the SDKs load only once the usage is valid

    config = ServerConfig(root=args.root.resolve(), snapshot=args.workspace_snapshot,
                          profile=args.profile, allow_writes=args.allow_writes)
    return config, http


def _host_port(parser: argparse.ArgumentParser, text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        parser.error(f"--http {text!r}: expected HOST:PORT, e.g. 127.0.0.1:8765")
    return host.strip("[]"), int(port)


def main(argv: Sequence[str] | None = None) -> int:
    config, http = parse_args(argv)
    from mcp_server.server import build_server

    server = build_server(config)
    if http is None:
        server.run("stdio")
    else:
        host, port = http
        print(f"dabgen-mcp: serving http://{host}:{port}/mcp", file=sys.stderr, flush=True)
        server.run("streamable-http", host=host, port=port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
