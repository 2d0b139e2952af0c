"""A bundle folder with no bundle yet: the generator's bundle and its base record (pure)."""

from __future__ import annotations

from dabgen_ci.core.bundle.convert import plan_bundle
from dabgen_ci.core.bundle.layout import render_bundle, resource_file
from dabgen_ci.core.bundle.sources import canonical_path
from dabgen_ci.core.sync import base as records
from dabgen_ci.core.sync.base import BaseRecord, JobRecord, normalise_settings
from dabgen_ci.core.sync.jobs import bind_note
from dabgen_ci.core.sync.model import BundleSpec, BundleSync, Theirs
from dabgen_ci.core.sync.report import BundleReport, JobDrift
from dabgen_ci.core.sync.sources import layout_sources, source_refs


def fresh_bundle(spec: BundleSpec, theirs: Theirs) -> BundleSync:
    """No bundle yet: the generator's bundle of every managed job, and its base record."""
    bodies = [theirs.jobs[i] for i in sorted(theirs.jobs)]
    if not bodies:
        return BundleSync({}, (), BundleReport(spec.name, spec.dir))
    plan = plan_bundle(bodies, bundle_name=spec.name)
    rendered = render_bundle(plan, theirs.exported, missing=theirs.missing)
    writes = {f: b for f, b in rendered.files.items() if not spec.excluded(f)}
    sources = {canonical_path(ws): records.SourceRecord(local, records.sha256(writes[local]))
               for ws, local in rendered.local_paths.items() if local in writes}
    layout = layout_sources(source_refs(theirs.jobs), theirs.exported, theirs.missing,
                            BaseRecord())
    drifts = []
    for job in plan.jobs:
        assert job.job_id is not None
        settings = normalise_settings(job.settings)
        writes[records.job_file(job.job_id)] = records.job_record_bytes(
            JobRecord(job.job_id, job.key, settings))
        tasks = tuple(str(t.get("task_key")) for t in settings.get("tasks") or []
                      if isinstance(t, dict))
        drifts.append(JobDrift(job.job_id, job.key, job.name, resource_file(job.key),
                               ("added",), tasks_added=tasks,
                               note=bind_note(job.key, job.job_id)))
    writes[records.STATE_FILE] = records.state_bytes(layout.prefix, sources)
    report = BundleReport(spec.name, spec.dir, tuple(drifts), tuple(sorted(writes)), (),
                          tuple(rendered.diagnostics))
    return BundleSync(dict(sorted(writes.items())), (), report)
