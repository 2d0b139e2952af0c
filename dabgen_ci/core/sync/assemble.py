"""The last step of a bundle's sync: source changes attached to jobs, new variables
declared, and every file to write or delete with the report (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from dabgen_ci.core.bundle.sources import canonical_path, workspace_refs
from dabgen_ci.core.json_types import JsonMapping
from dabgen_ci.core.sync import base as records
from dabgen_ci.core.sync.base import BaseRecord, JobRecord
from dabgen_ci.core.sync.edit import BundleDocs, declare_variable
from dabgen_ci.core.sync.forms import SyncVariables
from dabgen_ci.core.sync.model import BundleSpec, BundleSync, Ours, RepoBundle, Theirs, Triage
from dabgen_ci.core.sync.report import KIND_ORDER, BundleReport, JobDrift, SourceChange
from dabgen_ci.core.sync.sources import SourceOutcome, merge_sources

_VAR_REF = re.compile(r"\$\{var\.([A-Za-z0-9_-]+)\}")


def merge_bundle_sources(spec: BundleSpec, repo: RepoBundle, found: Triage, ours: Ours,
             drifts: list[JobDrift]) -> SourceOutcome:
    keep = {c.repository for d in drifts for c in d.conflicts if isinstance(c.repository, str)}
    keep = {path.removeprefix("../") for path in keep}
    skip = {path for path in [*found.layout.locals_by_path.values(),
                              *(r.local for r in repo.base.sources.values())]
            if spec.excluded(path)}
    return merge_sources(found.layout, repo.base, ours.files, keep=keep, skip=skip)


def _users(settings_by_job: Mapping[int, JsonMapping]) -> dict[str, list[int]]:
    users: dict[str, list[int]] = {}
    for job_id in sorted(settings_by_job):
        for ref in workspace_refs(settings_by_job[job_id]):
            users.setdefault(canonical_path(ref.workspace_path), []).append(job_id)
    return users


def attach_sources(drifts: list[JobDrift], sources: SourceOutcome, theirs: Theirs,
                    found: Triage, base: BaseRecord) -> list[JobDrift]:
    """Each source change is listed under every job that uses it."""
    if not sources.verdicts:
        return drifts
    users = dict(found.users)
    if any(v.canonical not in users for v in sources.verdicts):
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
    return JobDrift(drift.job_id, drift.key, drift.name, drift.file,
                    tuple(k for k in KIND_ORDER if k in kinds), drift.changes, drift.tasks_added,
                    drift.tasks_removed, changes, drift.conflicts, drift.kept, drift.note)


def declare_used(docs: BundleDocs, variables: SyncVariables, new_files: Mapping[str, str]
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


def assemble(spec: BundleSpec, repo: RepoBundle, found: Triage, docs: BundleDocs,
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
