"""One bundle's sync as two pure steps: triage, then plan (the flow reads files between).

:func:`triage` decides each job's status from the base record and the workspace alone, so
the repository's YAML is resolved only for jobs the workspace changed (at 10,000 jobs with
5 % drift, 500 resources are read, not 10,000) and a source file is read only when its
workspace content differs from the base. :func:`plan_sync` then merges, edits and returns
every file to write or delete with the drift report. Nothing is written when nothing
drifted: not even the base record (it moves forward with the next sync that changes
something).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dabgen_ci.core.bundle.keys import resource_key
from dabgen_ci.core.bundle.layout import resource_file
from dabgen_ci.core.bundle.merge import same
from dabgen_ci.core.bundle.sources import canonical_path
from dabgen_ci.core.json_types import JsonMapping, JsonObject
from dabgen_ci.core.sync.assemble import (
    assemble,
    attach_sources,
    declare_used,
    merge_bundle_sources,
)
from dabgen_ci.core.sync.base import JobRecord, normalise_settings
from dabgen_ci.core.sync.edit import BundleDocs
from dabgen_ci.core.sync.forms import SyncVariables
from dabgen_ci.core.sync.fresh import fresh_bundle
from dabgen_ci.core.sync.jobs import JobContext, deleted_job, dropped_job, merge_job, new_job
from dabgen_ci.core.sync.locate import JobLocation, locate_jobs
from dabgen_ci.core.sync.model import (
    BundleSpec,
    BundleSync,
    JobStatus,
    Ours,
    RepoBundle,
    Theirs,
    Triage,
)
from dabgen_ci.core.sync.report import JobDrift
from dabgen_ci.core.sync.sources import files_to_read, layout_sources, source_refs

__all__ = ["BundleSpec", "BundleSync", "Ours", "RepoBundle", "Theirs", "Triage", "plan_sync",
           "triage"]


def triage(spec: BundleSpec, repo: RepoBundle, theirs: Theirs) -> Triage:
    everywhere = locate_jobs(repo.texts, repo.base)
    located = {i: w for i, w in everywhere.items() if not spec.excluded(w.file)}
    status: dict[int, JobStatus] = {}
    for job_id in sorted({*everywhere, *repo.base.jobs, *theirs.jobs}):
        record = repo.base.jobs.get(job_id)
        if job_id in everywhere and job_id not in located:
            continue  # its resource file is excluded: the job is left alone entirely
        if record is not None and job_id not in located and spec.excluded(_file_of(record)):
            continue
        status[job_id] = _status(job_id in located, record, theirs.jobs.get(job_id))
    refs = source_refs(theirs.jobs)
    layout = layout_sources(refs, theirs.exported, theirs.missing, repo.base)
    needs = tuple(i for i, s in status.items() if s in ("drifted", "bootstrap")
                  or (s == "deleted" and i not in repo.base.jobs))  # its name, for the report
    users = {canonical_path(r.workspace_path): [int(i) for i in r.referenced_by] for r in refs}
    return Triage(located, status, layout, needs, tuple(files_to_read(layout, repo.base)),
                  users)


def plan_sync(spec: BundleSpec, repo: RepoBundle, theirs: Theirs, found: Triage,
              ours: Ours) -> BundleSync:
    if repo.root_file is None:
        return fresh_bundle(spec, theirs)
    keys = _keys(found, theirs, repo)
    variables = SyncVariables(ours.variables)
    docs = BundleDocs(repo.texts, repo.root_file, spec.target, variables)
    plan = _Plan(spec, repo, theirs, found, ours, docs,
                 JobContext(keys, variables, found.layout.locals_by_path))
    for job_id, state in found.status.items():
        plan.job(job_id, state)
    sources = merge_bundle_sources(spec, repo, found, ours, plan.drifts)
    drifts = attach_sources(plan.drifts, sources, theirs, found, repo.base)
    declare_used(docs, variables, plan.new_files)
    return assemble(spec, repo, found, docs, drifts, plan.records, plan.new_files,
                    plan.deleted_files, sources, plan.notes)


@dataclass
class _Plan:
    """What each job's status adds to the sync: drift, base records, files, notes."""

    spec: BundleSpec
    repo: RepoBundle
    theirs: Theirs
    found: Triage
    ours: Ours
    docs: BundleDocs
    ctx: JobContext
    drifts: list[JobDrift] = field(default_factory=list)
    records: dict[int, JobRecord | None] = field(default_factory=dict)  # None: drop it
    new_files: dict[str, str] = field(default_factory=dict)
    deleted_files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def job(self, job_id: int, state: JobStatus) -> None:
        body = self.theirs.jobs.get(job_id) or {}
        settings = normalise_settings(body.get("settings") or {})
        record = self.repo.base.jobs.get(job_id)
        where = self.found.located.get(job_id)
        if state in ("drifted", "bootstrap") and where is not None:
            self._merge(job_id, where, record, settings)
        elif state == "new":
            self._new(job_id, settings)
        elif state == "deleted" and where is not None:
            self._deleted(job_id, where, record)
        elif state == "deleted_known" and where is not None:
            self.notes.append(f"Job {job_id} (`{where.file}`) is still deleted in the "
                              "workspace; its resource stays (`sync.remove_deleted` is false).")
        elif state == "dropped" and record is not None:
            self._dropped(job_id, record, settings)
        elif state == "gone":
            self.records[job_id] = None

    def _merge(self, job_id: int, where: JobLocation, record: JobRecord | None,
               settings: JsonObject) -> None:
        drift = merge_job(self.docs, self.ctx, job_id, where,
                          record.settings if record else None, self.ours.resources[job_id],
                          settings)
        self.drifts += [drift] if drift else []
        self.records[job_id] = JobRecord(job_id, where.key, settings)

    def _new(self, job_id: int, settings: JsonObject) -> None:
        key = self.ctx.key_for_job_id[job_id]
        file, text, drift = new_job(self.ctx, job_id, key, settings)
        if self.spec.excluded(file):
            return
        self.new_files[file] = text
        self.drifts.append(drift)
        self.records[job_id] = JobRecord(job_id, key, settings)

    def _deleted(self, job_id: int, where: JobLocation, record: JobRecord | None) -> None:
        known = record.settings if record else self.ours.resources.get(job_id, {})
        name = str(known.get("name") or where.key)
        drift, empty = deleted_job(self.docs, job_id, where, name, self.spec.remove_deleted)
        self.drifts.append(drift)
        self.deleted_files += [where.file] if empty else []
        self.records[job_id] = None if self.spec.remove_deleted else JobRecord(
            job_id, where.key, record.settings if record else {}, deleted=True)

    def _dropped(self, job_id: int, record: JobRecord, settings: JsonObject) -> None:
        if same(settings, normalise_settings(record.settings)):
            return
        self.drifts.append(dropped_job(job_id, record.key, str(settings.get("name")),
                                       record.settings, settings))
        self.records[job_id] = JobRecord(job_id, record.key, settings)


# -- triage helpers ------------------------------------------------------------------------

def _status(in_repo: bool, record: JobRecord | None, body: JsonMapping | None) -> JobStatus:
    if body is None:
        if in_repo:
            return "deleted_known" if record is not None and record.deleted else "deleted"
        return "gone"
    if not in_repo:
        return "new" if record is None else "dropped"
    if record is None or record.deleted:
        return "bootstrap"
    settings = normalise_settings(body.get("settings") or {})
    return "unchanged" if same(settings, normalise_settings(record.settings)) else "drifted"


def _file_of(record: JobRecord) -> str:
    return resource_file(record.key)


def _keys(found: Triage, theirs: Theirs, repo: RepoBundle) -> dict[int, str]:
    """Job id → resource key: the repository's for known jobs, a fresh unique one for new."""
    keys = {i: w.key for i, w in found.located.items()}
    keys.update({i: r.key for i, r in repo.base.jobs.items() if i not in keys})
    taken = set(keys.values()) | {f[len("resources/"):-len(".job.yml")] for f in repo.files
                                  if f.startswith("resources/") and f.endswith(".job.yml")}
    for job_id, state in found.status.items():
        if state == "new":
            name = str(((theirs.jobs[job_id].get("settings") or {}).get("name")) or "")
            keys[job_id] = resource_key(name, taken)
            taken.add(keys[job_id])
    return keys


