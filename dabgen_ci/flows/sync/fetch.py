"""The workspace side of a sync: one ``jobs/list`` pass, then one export per distinct source.

``jobs/list`` with ``expand_tasks`` returns every job's settings 100 at a time, so the
selectors of every bundle are evaluated on one pass and ``jobs/get`` is called only for jobs
with more than 100 tasks (the list truncates those). Sources are exported once each, in a
bounded pool (:func:`~dabgen_ci.flows.export.export_sources`). With a shard, the list is
still read whole (every shard must agree on which jobs are managed) but only the shard's
jobs are completed and exported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dabgen_ci.core.bundle.sources import canonical_path, workspace_refs
from dabgen_ci.core.json_types import JsonMapping
from dabgen_ci.core.sync.select import Selector, assign, shard_of
from dabgen_ci.core.sync.state import WorkspaceState
from dabgen_ci.flows.export import DEFAULT_PARALLELISM, export_sources
from dabgen_ci.progress import Progress
from dabgen_ci.workspace.base import WorkspaceSource


def fetch_workspace(source: WorkspaceSource, selectors: Iterable[Selector], *,
                    progress: Progress, shard: tuple[int, int] | None = None,
                    parallelism: int = DEFAULT_PARALLELISM) -> WorkspaceState:
    progress.start("fetch jobs")
    listed = {int(item["job_id"]): item for item in source.list_jobs()}
    owner = assign(((i, item.get("settings") or {}) for i, item in sorted(listed.items())),
                   selectors)
    mine = [i for i in sorted(owner) if shard is None or shard_of(i, shard[1]) == shard[0]]
    jobs = {i: source.get_job(i) if listed[i].get("has_more") else listed[i] for i in mine}
    progress.finish("fetch jobs", f"{len(jobs)} job(s)")
    files, folders = _sources(jobs)
    exported = export_sources(source, files, folders, progress=progress,
                              parallelism=parallelism)
    return WorkspaceState(owner, jobs, exported.exported, exported.missing, shard)


def _sources(jobs: Mapping[int, JsonMapping]) -> tuple[list[str], list[str]]:
    """Distinct workspace sources (``/Workspace/x`` ≡ ``/x``), first spelling kept."""
    files: dict[str, str] = {}
    folders: dict[str, str] = {}
    for job_id in sorted(jobs):
        for ref in workspace_refs(jobs[job_id].get("settings") or {}):
            chosen = folders if ref.kind == "directory" else files
            chosen.setdefault(canonical_path(ref.workspace_path), ref.workspace_path)
    return list(files.values()), list(folders.values())
