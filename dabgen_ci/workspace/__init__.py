"""Workspace adapters: one protocol, a live source (databricks-sdk) and a snapshot directory."""

from __future__ import annotations

from pathlib import Path

from dabgen_ci.errors import BadInputError
from dabgen_ci.workspace.base import ExportedObject, ObjectInfo, WorkspaceSource

__all__ = ["ExportedObject", "ObjectInfo", "WorkspaceSource", "open_source"]


def open_source(*, snapshot: Path | None, profile: str | None) -> WorkspaceSource:
    """The source a command asked for: ``--workspace-snapshot DIR`` or the live workspace.

    The live source is imported lazily so offline commands never pay for the SDK import.
    """
    if snapshot is not None and profile is not None:
        raise BadInputError("--workspace-snapshot and --profile cannot be used together")
    if snapshot is not None:
        from dabgen_ci.workspace.snapshot import SnapshotSource

        return SnapshotSource(Path(snapshot))
    from dabgen_ci.workspace.live import LiveSource

    return LiveSource.from_config(profile=profile)
