"""Render a bundle while its sources are still arriving. Pure.

Exporting thousands of notebooks is mostly waiting on the workspace; rendering, writing and
parsing a job's resource file need only that job's own sources. So, as each export arrives,
this says which files can already be written: the source itself, when its local path cannot
depend on any other source, and the resource file of every job whose sources have all
arrived. The final rendering is still :func:`~dabgen_ci.core.bundle.layout.render_bundle`
over everything, which reuses each early resource file only if the final placement gives
its paths the same text — so the bytes never depend on arrival order.

A source's local path can depend on others when two could take the same name (a
case-insensitive clash, or a notebook ``x`` exported as ``x.py`` beside a file ``x.py``:
the later one gets ``_2``), or when it lies inside a folder that is exported whole (a dbt
project); those sources, and the jobs that use them, wait for the end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dabgen_ci.core.bundle.convert import BundlePlan, PlannedJob
from dabgen_ci.core.bundle.layout import (
    EarlyJob,
    RenderedBundle,
    deployed_bundles,
    deployed_roots,
    job_document,
    job_file,
    render_bundle,
    resource_file,
)
from dabgen_ci.core.bundle.placement import local_path, name_clash_key, placement_base
from dabgen_ci.core.bundle.sources import SourceRef, canonical_path
from dabgen_ci.core.bundle.variables import VariableRegistry
from dabgen_ci.core.workspace_objects import ExportedObject

if TYPE_CHECKING:
    from dabgen_ci.core.bundle.placement import _Base

Ready = list[tuple[str, bytes]]  # bundle-relative path → content, ready to write


class ProgressiveRender:
    """``arrived()`` per export (in any order), then ``finish()`` for the whole bundle."""

    def __init__(self, plan: BundlePlan, *, host: str | None = None) -> None:
        self._plan = plan
        self._host = host
        canonical = [canonical_path(s.workspace_path) for s in plan.sources]
        self._base = placement_base(plan.sources, deployed_roots(deployed_bundles(plan)))
        self._alone = placeable_alone(plan.sources, self._base)
        self._local: dict[str, str | None] = {}  # canonical path → local path (None: none)
        self._registry = VariableRegistry(plan.variables)
        self._waiting: dict[str, set[str]] = {}  # job key → sources not arrived yet
        self._users: dict[str, list[PlannedJob]] = {}  # canonical path → jobs waiting on it
        self._first_job: dict[str, int] = {}  # canonical path → first job (index) using it
        self.early: dict[str, EarlyJob] = {}
        self._documents: dict[str, dict[str, Any]] = {}  # resource file → its value, until taken
        known = set(canonical)
        for n, job in enumerate(plan.jobs):
            needs = {canonical_path(s.path) for s in job.slots} & known
            for path in needs:
                self._first_job.setdefault(path, n)
            if needs <= self._alone:
                self._waiting[job.key] = needs
                for path in needs:
                    self._users.setdefault(path, []).append(job)

    def export_order(self, paths: Iterable[str]) -> list[str]:
        """``paths`` in the order that completes jobs soonest: the sources of the first job,
        then those the second job adds, and so on (paths no job names keep their order, at
        the end). Exports finish roughly in the order they are asked for, so each job's
        resource file can be rendered, staged and parsed while later downloads are in
        flight, instead of all at once after the last shared notebook (sorted by path, a
        folder of shared notebooks would come last and hold back every job using it)."""
        last = len(self._plan.jobs)
        return sorted(paths, key=lambda p: self._first_job.get(canonical_path(p), last))

    def start(self) -> Ready:
        """Resource files of the jobs that need no source at all."""
        return [self._render(job) for job in self._plan.jobs
                if job.key in self._waiting and not self._waiting[job.key]]

    def arrived(self, workspace_path: str, exported: ExportedObject | None) -> Ready:
        """An export arrived (``None``: the object is missing): what can be written now."""
        path = canonical_path(workspace_path)
        if path not in self._alone or path in self._local:
            return []
        ready: Ready = []
        local = local_path(path, exported, self._base) if exported is not None else None
        if exported is not None and local is not None:
            ready.append((local, exported.content))
        self._local[path] = local
        for job in self._users.pop(path, ()):
            waiting = self._waiting[job.key]
            waiting.discard(path)
            if not waiting:
                ready.append(self._render(job))
        return ready

    def finish(self, exported: Mapping[str, ExportedObject],
               missing: Mapping[str, str]) -> RenderedBundle:
        """Every file of the bundle, exactly as ``render_bundle`` gives it."""
        return render_bundle(self._plan, exported, missing=missing, host=self._host,
                             early=self.early)

    def _render(self, job: PlannedJob) -> tuple[str, bytes]:
        written: dict[tuple[str, str], str] = {}

        def path_for(workspace_path: str, kind: str) -> str:
            found = self._local.get(canonical_path(workspace_path))
            text = f"../{found}" if found else workspace_path
            written[(workspace_path, kind)] = text
            return text

        known = self._registry.size()
        document = job_document(job, self._plan, path_for, self._registry)
        content = job_file(job, document)
        if self._registry.size() == known:  # a variable named here might be named otherwise
            paths = tuple((ws, kind, text) for (ws, kind), text in written.items())
            self.early[job.key] = EarlyJob(content, paths)
        rel = resource_file(job.key)
        self._documents[rel] = document
        return rel, content

    def take_document(self, rel: str) -> dict[str, Any] | None:
        """The value of a resource file :meth:`arrived` or :meth:`start` just returned (what
        reading its bytes back gives, see :func:`~dabgen_ci.core.bundle.layout.job_document`),
        handed over once so the renderer keeps none of them."""
        return self._documents.pop(rel, None)


def placeable_alone(sources: tuple[SourceRef, ...], base: _Base) -> set[str]:
    """Canonical paths of the sources whose local path no other source can influence."""
    folders = tuple(canonical_path(s.workspace_path).lower() + "/"
                    for s in sources if s.kind == "directory")
    files = [canonical_path(s.workspace_path) for s in sources if s.kind != "directory"]
    keys = {path: name_clash_key(path, base) for path in files}
    shared = Counter(keys.values())
    return {path for path, key in keys.items()
            if key is not None and shared[key] == 1 and not path.lower().startswith(folders)}
