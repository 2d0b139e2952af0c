"""The spine use case: selected jobs → a validated, round-trip-checked bundle on disk.

Read top to bottom: select → plan (pure) → export sources → render (pure) → write → validate
→ round-trip. Each step reports through :class:`~dabgen_ci.progress.Progress` and is timed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dabgen_ci.bundle_writer import check_target, write_bundle
from dabgen_ci.core.bundle.convert import plan_bundle
from dabgen_ci.core.bundle.keys import resource_key
from dabgen_ci.core.bundle.layout import RenderedBundle, render_bundle
from dabgen_ci.core.diagnostics import Diagnostic, count, has_errors
from dabgen_ci.core.secrets import SecretAllowlist
from dabgen_ci.flows.export import DEFAULT_PARALLELISM, ExportResult, export_sources
from dabgen_ci.flows.roundtrip import roundtrip_diagnostics
from dabgen_ci.flows.select import JobSelection, select_jobs
from dabgen_ci.progress import NullProgress, Progress
from dabgen_ci.validate import validate_bundle
from dabgen_ci.workspace.base import WorkspaceSource


@dataclass
class GenerateResult:
    """Everything a caller reports: files, diagnostics, round-trip, API calls, timings."""

    out: Path
    bundle_name: str
    jobs: list[dict[str, object]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    validators_run: list[str] = field(default_factory=list)
    validators_skipped: dict[str, str] = field(default_factory=dict)
    roundtrip: list[Diagnostic] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rendered: RenderedBundle | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics) and not self.roundtrip

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "out": str(self.out),
            "bundle_name": self.bundle_name,
            "jobs": self.jobs,
            "files": self.files,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "validators_run": self.validators_run,
            "validators_skipped": self.validators_skipped,
            "roundtrip_differences": [d.to_dict() for d in self.roundtrip],
            "api_calls": self.api_calls,
            "timings_seconds": {k: round(v, 3) for k, v in self.timings.items()},
            "notes": self.notes,
        }


@dataclass(frozen=True)
class GenerateOptions:
    out: Path
    force: bool = False
    bundle_name: str | None = None
    run_cli: bool | None = None
    parallelism: int = DEFAULT_PARALLELISM
    host: str | None = None
    secrets: SecretAllowlist | None = None  # accepted false positives of the secret check


def generate_jobs(
    source: WorkspaceSource,
    selection: JobSelection,
    options: GenerateOptions,
    progress: Progress | None = None,
) -> GenerateResult:
    progress = progress or NullProgress()
    check_target(options.out, force=options.force)
    timings: dict[str, float] = {}
    with _timed(timings, "fetch jobs"):
        progress.start("fetch jobs")
        jobs = select_jobs(source, selection)
        progress.finish("fetch jobs", f"{len(jobs)} job(s)")
    return build_bundle(source, jobs, options, progress, timings)


def build_bundle(
    source: WorkspaceSource,
    jobs: list[dict],
    options: GenerateOptions,
    progress: Progress,
    timings: dict[str, float],
    prefetched: ExportResult | None = None,
    required_variables: Mapping[str, str] | None = None,
) -> GenerateResult:
    """The steps after the jobs are known (shared by ``generate job`` and ``generate path``).

    ``prefetched`` holds sources the caller already exported, which are not fetched again.
    """
    name = options.bundle_name or _default_bundle_name(jobs, options.out)
    with _timed(timings, "convert"):
        plan = plan_bundle(jobs, bundle_name=name, required_variables=required_variables)
    with _timed(timings, "export"):
        files = [s.workspace_path for s in plan.sources if s.kind != "directory"]
        dirs = [s.workspace_path for s in plan.sources if s.kind == "directory"]
        exported = export_sources(
            source, files, dirs, progress=progress, parallelism=options.parallelism,
            prefetched=prefetched,
        )
    with _timed(timings, "render"):
        rendered = render_bundle(
            plan, exported.exported, missing=exported.missing, host=options.host
        )
    with _timed(timings, "write"):
        written = write_bundle(options.out, rendered.files, force=options.force)
    result = GenerateResult(out=options.out, bundle_name=name, files=written, rendered=rendered)
    result.jobs = [
        {"key": job.key, "job_id": job.job_id, "name": job.name} for job in plan.jobs
    ]
    with _timed(timings, "validate"):
        progress.start("validate")
        report = validate_bundle(options.out, run_cli=options.run_cli, secrets=options.secrets)
        result.diagnostics = [*rendered.diagnostics, *report.diagnostics]
        result.validators_run = list(report.validators_run)
        result.validators_skipped = dict(report.validators_skipped)
        errors = count(result.diagnostics)
        progress.finish("validate", f"{errors} error(s)", ok=not errors)
    with _timed(timings, "round-trip"):
        progress.start("round-trip")
        result.roundtrip = roundtrip_diagnostics(options.out, jobs, rendered)
        progress.finish("round-trip", f"{len(result.roundtrip)} difference(s)",
                        ok=not result.roundtrip)
    result.api_calls = dict(sorted(source.calls.items()))
    result.timings = timings
    return result


def _default_bundle_name(jobs: list[dict], out: Path) -> str:
    if len(jobs) == 1:
        job_id = jobs[0].get("job_id")
        unnamed = f"job {job_id}" if job_id is not None else "bundle"
        name = str((jobs[0].get("settings") or {}).get("name") or unnamed)
        return resource_key(name, set())
    return resource_key(out.resolve().name or "bundle", set())


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = timings.get(step, 0.0) + time.perf_counter() - start
