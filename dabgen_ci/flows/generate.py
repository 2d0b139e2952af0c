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

from dabgen_ci.bundle_writer import StagedBundle, check_target
from dabgen_ci.core.bundle.convert import plan_bundle
from dabgen_ci.core.bundle.keys import resource_key
from dabgen_ci.core.bundle.layout import RenderedBundle
from dabgen_ci.core.bundle.progressive import ProgressiveRender
from dabgen_ci.core.diagnostics import Diagnostic, count, has_errors
from dabgen_ci.core.workspace_objects import ExportedObject
from dabgen_ci.flows.export import DEFAULT_PARALLELISM, ExportResult, export_sources
from dabgen_ci.flows.roundtrip import roundtrip_diagnostics
from dabgen_ci.flows.select import JobSelection, select_jobs
from dabgen_ci.progress import NullProgress, Progress
from dabgen_ci.validate import load_bundle, validate_bundle
from dabgen_ci.validate.files import scan_files
from dabgen_ci.validate.loader import ParsedFiles
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
    # Each job's resource file is rendered, staged and parsed as soon as its sources have
    # arrived, and each source staged as it arrives: that work overlaps the downloads.
    renderer = ProgressiveRender(plan, host=options.host)
    parsed = ParsedFiles()
    with StagedBundle(options.out, force=options.force) as staged:

        def stage(ready: list[tuple[str, bytes]]) -> None:
            for rel, content in ready:
                staged.put(rel, content)
                if rel.startswith("resources/"):
                    parsed.add(rel, content)

        def arrived(path: str, outcome: ExportedObject | str) -> None:
            stage(renderer.arrived(path, outcome if isinstance(outcome, ExportedObject)
                                   else None))

        with _timed(timings, "export"):
            stage(renderer.start())
            files = [s.workspace_path for s in plan.sources if s.kind != "directory"]
            dirs = [s.workspace_path for s in plan.sources if s.kind == "directory"]
            exported = export_sources(
                source, files, dirs, progress=progress, parallelism=options.parallelism,
                prefetched=prefetched, on_result=arrived,
            )
        with _timed(timings, "render"):
            rendered = renderer.finish(exported.exported, exported.missing)
        with _timed(timings, "write"):
            written = staged.commit(rendered.files)
    result = GenerateResult(out=options.out, bundle_name=name, files=written, rendered=rendered)
    result.jobs = [
        {"key": job.key, "job_id": job.job_id, "name": job.name} for job in plan.jobs
    ]
    with _timed(timings, "validate"):
        progress.start("validate")
        # What was just written is parsed once, from memory, for validation and round-trip.
        loaded = load_bundle(options.out, contents=rendered.files, parsed=parsed)
        found = scan_files(options.out, contents=rendered.files)
        report = validate_bundle(options.out, run_cli=options.run_cli, bundle=loaded,
                                 found=found)
        result.diagnostics = [*rendered.diagnostics, *report.diagnostics]
        result.validators_run = list(report.validators_run)
        result.validators_skipped = dict(report.validators_skipped)
        errors = count(result.diagnostics)
        progress.finish("validate", f"{errors} error(s)", ok=not errors)
    with _timed(timings, "round-trip"):
        progress.start("round-trip")
        result.roundtrip = roundtrip_diagnostics(options.out, jobs, rendered, loaded)
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
