"""Workspace adapters: one protocol, a live source (databricks-sdk) and a snapshot directory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dabgen_ci.errors import BadInputError
from dabgen_ci.workspace.base import ExportedObject, ObjectInfo, WorkspaceSource

__all__ = ["ExportedObject", "ObjectInfo", "WorkspaceSource", "open_source",
           "workspace_configured"]


def open_source(*, snapshot: Path | None, profile: str | None) -> WorkspaceSource:
    """The source a command asked for: ``--workspace-snapshot DIR`` or the live workspace.

    The live source is imported lazily so offline commands never pay for the SDK import.
    """
    if snapshot is not None and profile is not None:
        raise BadInputError("--workspace-snapshot and --profile cannot be used together")
    if snapshot is not None:
        from dabgen_ci.workspace.snapshot import SnapshotSource

        return SnapshotSource(Path(snapshot))
    from dabgen_ci.workspace.live import DEFAULT_RETRY_TIMEOUT_SECONDS, LiveSource

    return LiveSource.from_config(
        profile=profile,
        retry_timeout_seconds=_retry_timeout(DEFAULT_RETRY_TIMEOUT_SECONDS),
    )


def workspace_configured(environ: Mapping[str, str]) -> bool:
    """Whether databricks-sdk unified auth has anything to go on (a host or a config file).

    Lets callers that can work without a workspace (the review's deploy plan) say "no
    credentials" instead of reporting an authentication failure nobody asked for.
    """
    if environ.get("DATABRICKS_HOST") or environ.get("DATABRICKS_CONFIG_PROFILE"):
        return True
    config_file = environ.get("DATABRICKS_CONFIG_FILE") or str(
        Path(environ.get("HOME") or "~").expanduser() / ".databrickscfg")
    return Path(config_file).is_file()


def _retry_timeout(default: int) -> int:
    """``DABGEN_RETRY_TIMEOUT_SECONDS``: how long to keep retrying 429/503 answers."""
    raw = os.environ.get("DABGEN_RETRY_TIMEOUT_SECONDS", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise BadInputError(
            f"DABGEN_RETRY_TIMEOUT_SECONDS={raw!r}: expected a whole number of seconds >= 1"
        )
    return int(raw)
