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

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from dabgen_ci.core.bundle.convert import plan_bundle
from dabgen_ci.core.bundle.keys import resource_key
from dabgen_ci.core.bundle.layout import render_bundle, resource_file
from dabgen_ci.core.bundle.merge import same
from dabgen_ci.core.bundle.sources import SourceRef, canonical_path, workspace_refs
from dabgen_ci.core.sync import base as records
from dabgen_ci.core.sync.base import BaseRecord, JobRecord, normalise_settings
from dabgen_ci.core.sync.edit import BundleDocs, declare_variable
from dabgen_ci.core.sync.forms import SyncVariables
from dabgen_ci.core.sync.jobs import (
    JobContext,
    bind_note,
    deleted_job,
    dropped_job,
    merge_job,
    new_job,
)
from dabgen_ci.core.sync.locate import JobLocation, locate_jobs
from dabgen_ci.core.sync.report import BundleReport, JobDrift, SourceChange
from dabgen_ci.core.sync.sources import (
    SourceLayout,
    SourceOutcome,
    files_to_read,
    layout_sources,
    merge_sources,
)
from dabgen_ci.core.workspace_objects import ExportedObject

JobStatus = Literal["new", "deleted", "unchanged", "drifted", "bootstrap", "dropped", "gone",
                    "deleted_known"]
_VAR_REF = re.compile(r"\$\{var\.([A-Za-z0-9_-]+)\}")


@dataclass(frozen=True)
class BundleSpec:
    """A configured bundle, as the sync needs it."""

    name: str
    dir: str
    target: str | None = None
    remove_deleted: bool = False
    exclude: tuple[str, ...] = ()

    def excluded(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, glob) for glob in self.exclude)


@dataclass(frozen=True)
class RepoBundle:
    """What the repository holds for a bundle (read by the flow)."""

    texts: Mapping[str, str]  # YAML files outside src/ and .dabgen/, bundle-relative
    root_file: str | None
    base: BaseRecord
    files: frozenset[str]  # every file of the bundle directory
    records: Mapping[str, bytes] = field(default_factory=dict)  # .dabgen/ files as they are


@dataclass(frozen=True)
class Theirs:
    """The workspace now, for one bundle's jobs."""

    jobs: Mapping[int, Mapping]  # job id → jobs/get body
    exported: Mapping[str, ExportedObject]
    missing: Mapping[str, str]


@dataclass(frozen=True)
class Triage:
    located: Mapping[int, JobLocation]
    status: Mapping[int, JobStatus]
    layout: SourceLayout
    needs_ours: tuple[int, ...]
    needs_files: tuple[str, ...]


@dataclass(frozen=True)
class Ours:
    """The repository side, read for what the triage asked."""

    resources: Mapping[int, Mapping]  # job id → its resource resolved for the target
    variables: Mapping[str, object]  # declared variables' values for the target
    files: Mapping[str, bytes | None]


@dataclass(frozen=True)
class BundleSync:
    writes: dict[str, bytes]
    deletes: tuple[str, ...]
    report: BundleReport


def triage(spec: BundleSpec, repo: RepoBundle, theirs: Theirs) -> Triage:
    located = {i: w for i, w in locate_jobs(repo.texts, repo.base).items()
               if not spec.excluded(w.file)}
    status: dict[int, JobStatus] = {}
    for job_id in sorted({*located, *repo.base.jobs, *theirs.jobs}):
        record = repo.base.jobs.get(job_id)
        if record is not None and job_id not in located and spec.excluded(_file_of(record)):
            continue
        status[job_id] = _status(job_id in located, record, theirs.jobs.get(job_id))
    layout = layout_sources(_refs(theirs.jobs), theirs.exported, theirs.missing, repo.base)
    needs = tuple(i for i, s in status.items() if s in ("drifted", "bootstrap")
                  or (s == "deleted" and i not in repo.base.jobs))  # its name, for the report
    return Triage(located, status, layout, needs, tuple(files_to_read(layout, repo.base)))


def plan_sync(spec: BundleSpec, repo: RepoBundle, theirs: Theirs, found: Triage,
              ours: Ours) -> BundleSync:
    if repo.root_file is None:
        return _fresh_bundle(spec, repo, theirs)
    keys = _keys(found, theirs, repo)
    variables = SyncVariables(ours.variables)
    ctx = JobContext(keys, variables, found.layout.locals_by_path)
    docs = BundleDocs(repo.texts, repo.root_file, spec.target, variables)
    drifts: list[JobDrift] = []
    job_records: dict[int, JobRecord | None] = {}
    new_files: dict[str, str] = {}
    deleted_files: list[str] = []
    notes: list[str] = []
    for job_id, state in found.status.items():
        body = theirs.jobs.get(job_id) or {}
        settings = normalise_settings(body.get("settings") or {})
        record = repo.base.jobs.get(job_id)
        where = found.located.get(job_id)
        if state in ("drifted", "bootstrap"):
            assert where is not None
            drift = merge_job(docs, ctx, job_id, where, record.settings if record else None,
                              ours.resources[job_id], settings)
            drifts += [drift] if drift else []
            job_records[job_id] = JobRecord(job_id, where.key, settings)
        elif state == "new":
            file, text, drift = new_job(ctx, job_id, keys[job_id], settings)
            if spec.excluded(file):
                continue
            new_files[file] = text
            drifts.append(drift)
            job_records[job_id] = JobRecord(job_id, keys[job_id], settings)
        elif state == "deleted":
            assert where is not None
            known = record.settings if record else ours.resources.get(job_id, {})
            name = str(known.get("name") or where.key)
            drift, empty = deleted_job(docs, job_id, where, name, spec.remove_deleted)
            drifts.append(drift)
            deleted_files += [where.file] if empty else []
            job_records[job_id] = None if spec.remove_deleted else JobRecord(
                job_id, where.key, record.settings if record else {}, deleted=True)
        elif state == "deleted_known":
            assert where is not None
            notes.append(f"Job {job_id} (`{where.file}`) is still deleted in the workspace; "
                         "its resource stays (`sync.remove_deleted` is false).")
        elif state == "dropped":
            assert record is not None
            if not same(settings, normalise_settings(record.settings)):
                drifts.append(dropped_job(job_id, record.key, str(settings.get("name")),
                                          record.settings, settings))
                job_records[job_id] = JobRecord(job_id, record.key, settings)
        elif state == "gone":
            job_records[job_id] = None
    sources = _sources(spec, repo, found, ours, drifts)
    drifts = _attach_sources(drifts, sources, theirs, found, repo.base)
    _declare_used(docs, variables, new_files)
    return _result(spec, repo, found, docs, drifts, job_records, new_files, deleted_files,
                   sources, notes)


# -- triage helpers ------------------------------------------------------------------------

def _status(in_repo: bool, record: JobRecord | None, body: Mapping | None) -> JobStatus:
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


def _refs(jobs: Mapping[int, Mapping]) -> list[SourceRef]:
    merged: dict[str, SourceRef] = {}
    for job_id in sorted(jobs):
        for ref in workspace_refs(jobs[job_id].get("settings") or {}):
            canonical = canonical_path(ref.workspace_path)
            known = merged.get(canonical, SourceRef(ref.workspace_path, ref.kind, ()))
            merged[canonical] = SourceRef(known.workspace_path, known.kind,
                                          (*known.referenced_by, str(job_id)))
    return [merged[k] for k in sorted(merged)]


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


# -- sources and variables -------------------------------------------------------------------

def _sources(spec: BundleSpec, repo: RepoBundle, found: Triage, ours: Ours,
             drifts: list[JobDrift]) -> SourceOutcome:
    keep = {c.repository for d in drifts for c in d.conflicts if isinstance(c.repository, str)}
    keep = {path.removeprefix("../") for path in keep}
    skip = {path for path in [*found.layout.locals_by_path.values(),
                              *(r.local for r in repo.base.sources.values())]
            if spec.excluded(path)}
    return merge_sources(found.layout, repo.base, ours.files, keep=keep, skip=skip)


def _users(settings_by_job: Mapping[int, Mapping]) -> dict[str, list[int]]:
    users: dict[str, list[int]] = {}
    for job_id in sorted(settings_by_job):
        for ref in workspace_refs(settings_by_job[job_id]):
            users.setdefault(canonical_path(ref.workspace_path), []).append(job_id)
    return users


def _attach_sources(drifts: list[JobDrift], sources: SourceOutcome, theirs: Theirs,
                    found: Triage, base: BaseRecord) -> list[JobDrift]:
    """Each source change is listed under every job that uses it."""
    users = _users({i: b.get("settings") or {} for i, b in theirs.jobs.items()})
    for path, jobs in _users({i: r.settings for i, r in base.jobs.items()}).items():
        users.setdefault(path, jobs)  # a source no job uses now: the jobs that used it
    by_job: dict[int, list[SourceChange]] = {}
    for verdict in sources.verdicts:
        jobs = users.get(verdict.canonical) or []
        for n, job_id in enumerate(jobs):
            others = tuple(j for j in jobs if j != job_id)
            by_job.setdefault(job_id, []).append(SourceChange(
                verdict.workspace_path, verdict.local, verdict.status,
                verdict.diff if n == 0 else "", others))
    out = []
    known = {d.job_id for d in drifts}
    for drift in drifts:
        changes = tuple(by_job.get(drift.job_id, ()))
        out.append(_with_sources(drift, changes) if changes else drift)
    for job_id in sorted(set(by_job) - known):
        where = found.located.get(job_id)
        if where is None:
            continue
        body = theirs.jobs.get(job_id) or {"settings": base.jobs[job_id].settings}
        name = str((body.get("settings") or {}).get("name") or where.key)
        out.append(_with_sources(JobDrift(job_id, where.key, name, where.file, ()),
                                 tuple(by_job[job_id])))
    return sorted(out, key=lambda d: d.job_id)


def _with_sources(drift: JobDrift, changes: tuple[SourceChange, ...]) -> JobDrift:
    kinds = list(drift.kinds)
    if "added" not in kinds:
        kinds.append("sources")
    if any(c.status == "conflict" for c in changes) and "conflict" not in kinds:
        kinds.append("conflict")
    order = ("added", "removed", "renamed", "settings", "sources", "conflict")
    return JobDrift(drift.job_id, drift.key, drift.name, drift.file,
                    tuple(k for k in order if k in kinds), drift.changes, drift.tasks_added,
                    drift.tasks_removed, changes, drift.conflicts, drift.kept, drift.note)


def _declare_used(docs: BundleDocs, variables: SyncVariables, new_files: Mapping[str, str]
                  ) -> None:
    """Declare the new variables that written values reference."""
    pending = {v.name: v for v in variables.variables()}
    if not pending:
        return
    texts: Iterable[str] = [*docs.changed_texts().values(), *new_files.values()]
    used = sorted({m for text in texts for m in _VAR_REF.findall(text) if m in pending})
    for name in used:
        var = pending[name]
        declare_variable(docs, name, var.description, var.default)


# -- results ------------------------------------------------------------------------------

def _result(spec: BundleSpec, repo: RepoBundle, found: Triage, docs: BundleDocs,
            drifts: list[JobDrift], job_records: Mapping[int, JobRecord | None],
            new_files: Mapping[str, str], deleted_files: list[str], sources: SourceOutcome,
            notes: list[str]) -> BundleSync:
    drifted = {d.job_id for d in drifts}
    unchanged = sum(s in ("unchanged", "drifted", "bootstrap") and i not in drifted
                    for i, s in found.status.items())
    if not drifts:
        report = BundleReport(spec.name, spec.dir, unchanged_jobs=unchanged, notes=tuple(notes))
        return BundleSync({}, (), report)
    writes: dict[str, bytes] = {f: t.encode() for f, t in docs.changed_texts().items()}
    writes.update({f: t.encode() for f, t in new_files.items()})
    writes.update(sources.writes)
    deletes = set(deleted_files) | set(sources.deletes)
    for job_id, record in job_records.items():
        if record is None:
            deletes.add(records.job_file(job_id))
        else:
            writes[records.job_file(job_id)] = records.job_record_bytes(record)
    merged_sources = {**repo.base.sources, **sources.records}
    for canonical in list(merged_sources):
        if canonical not in found.layout.sources and canonical in repo.base.sources \
                and not spec.excluded(repo.base.sources[canonical].local):
            del merged_sources[canonical]
    writes[records.STATE_FILE] = records.state_bytes(found.layout.prefix, merged_sources)
    writes = {f: b for f, b in writes.items() if not spec.excluded(f) and _differs(repo, f, b)}
    deletes = {f for f in deletes if f in repo.files and not spec.excluded(f)}
    report = BundleReport(spec.name, spec.dir, tuple(drifts), tuple(sorted(writes)),
                          tuple(sorted(deletes)), found.layout.diagnostics, unchanged,
                          tuple(notes))
    return BundleSync(dict(sorted(writes.items())), tuple(sorted(deletes)), report)


def _differs(repo: RepoBundle, file: str, content: bytes) -> bool:
    if file in repo.records:
        return repo.records[file] != content
    if file in repo.texts:
        return repo.texts[file].encode() != content
    return True


def _fresh_bundle(spec: BundleSpec, repo: RepoBundle, theirs: Theirs) -> BundleSync:
    """No bundle yet: the generator's bundle of every managed job, and its base record."""
    bodies = [theirs.jobs[i] for i in sorted(theirs.jobs)]
    if not bodies:
        return BundleSync({}, (), BundleReport(spec.name, spec.dir))
    plan = plan_bundle(bodies, bundle_name=spec.name)
    rendered = render_bundle(plan, theirs.exported, missing=theirs.missing)
    writes = {f: b for f, b in rendered.files.items() if not spec.excluded(f)}
    sources = {canonical_path(ws): records.SourceRecord(local, records.sha256(writes[local]))
               for ws, local in rendered.local_paths.items() if local in writes}
    layout = layout_sources(_refs(theirs.jobs), theirs.exported, theirs.missing, BaseRecord())
    drifts = []
    for job in plan.jobs:
        assert job.job_id is not None
        settings = normalise_settings(job.settings)
        writes[records.job_file(job.job_id)] = records.job_record_bytes(
            JobRecord(job.job_id, job.key, settings))
        tasks = tuple(str(t.get("task_key")) for t in settings.get("tasks") or []
                      if isinstance(t, dict))
        drifts.append(JobDrift(job.job_id, job.key, job.name, resource_file(job.key),
                               ("added",), tasks_added=tasks, note=bind_note(job.key, job.job_id)))
    writes[records.STATE_FILE] = records.state_bytes(layout.prefix, sources)
    report = BundleReport(spec.name, spec.dir, tuple(drifts), tuple(sorted(writes)), (),
                          tuple(rendered.diagnostics))
    return BundleSync(dict(sorted(writes.items())), (), report)
