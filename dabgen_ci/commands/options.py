"""Options shared by every command that reads a workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from dabgen_ci.workspace import open_source
from dabgen_ci.workspace.base import WorkspaceSource


def source_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--workspace-snapshot SNAP`` or ``--profile P`` (else databricks-sdk unified auth)."""
    func = click.option(
        "--profile",
        metavar="P",
        help="Databricks config profile (default: unified auth from the environment).",
    )(func)
    return click.option(
        "--workspace-snapshot",
        "snapshot",
        metavar="SNAP",
        type=click.Path(path_type=Path, file_okay=False),
        help="Read jobs and notebooks from a snapshot directory instead of a workspace.",
    )(func)


def source_from(snapshot: Path | None, profile: str | None) -> WorkspaceSource:
    return open_source(snapshot=snapshot, profile=profile)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(func)
