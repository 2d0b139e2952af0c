"""Capture jobs and the workspace sources they reference as a snapshot directory.

A snapshot replays exactly what ``generate`` would read, so a bundle can be generated,
reviewed and tested offline (and bug reports can carry one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dabgen_ci.bundle_writer import SNAPSHOT, check_target
from dabgen_ci.core.bundle.sources import workspace_refs
from dabgen_ci.flows.export import export_sources
from dabgen_ci.progress import Progress
from dabgen_ci.workspace.base import WorkspaceSource
from dabgen_ci.workspace.snapshot_writer import write_snapshot


@dataclass(frozen=True)
class SnapshotResult:
    written: list[Path]
    missing: dict[str, str]  # workspace path → why it could not be exported


def take_snapshot(
    source: WorkspaceSource,
    job_ids: tuple[int, ...],
    out: Path,
    *,
    force: bool,
    progress: Progress,
) -> SnapshotResult:
    """Sources that do not exist are left out and reported: ``generate`` from the snapshot
    then flags the tasks that use them, exactly as it would against the workspace."""
    check_target(out, force=force, layout=SNAPSHOT)
    progress.start("fetch jobs", total=len(job_ids))
    jobs = []
    for job_id in job_ids:
        jobs.append(source.get_job(job_id))
        progress.advance()
    progress.finish("fetch jobs", f"{len(jobs)} job(s)")
    refs = [ref for job in jobs for ref in workspace_refs(job.get("settings") or {})]
    files = [r.workspace_path for r in refs if r.kind != "directory"]
    dirs = [r.workspace_path for r in refs if r.kind == "directory"]
    exported = export_sources(source, files, dirs, progress=progress)
    written = write_snapshot(out, jobs, exported.exported.values(), force=force)
    return SnapshotResult(written, dict(exported.missing))
