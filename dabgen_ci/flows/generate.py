"""The spine use case: selected jobs → a validated, round-trip-checked bundle on disk.

Read top to bottom: select → plan (pure) → export sources → render (pure) → write → validate
→ round-trip. Each step reports through :class:`~dabgen_ci.progress.Progress` and is timed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dabgen_ci.bundle_writer import StagedBundle, check_target
from dabgen_ci.core.bundle.convert import plan_bundle
from dabgen_ci.core.bundle.keys import resource_key
from dabgen_ci.core.bundle.progressive import ProgressiveRender
from dabgen_ci.core.diagnostics import count
from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.core.results import GeneratedJob, GenerateResult
from dabgen_ci.core.secrets import SecretAllowlist
from dabgen_ci.core.workspace_objects import ExportedObject
from dabgen_ci.flows.export import DEFAULT_PARALLELISM, ExportResult, export_sources
from dabgen_ci.flows.roundtrip import roundtrip_diagnostics
from dabgen_ci.flows.select import JobSelection, select_jobs
from dabgen_ci.progress import NullProgress, Progress, timed
from dabgen_ci.validate import load_bundle, validate_bundle
from dabgen_ci.validate.files import written_files
from dabgen_ci.validate.loader import ParsedFiles
from dabgen_ci.workspace.base import WorkspaceSource


@dataclass(frozen=True)
class GenerateOptions:
    """How to write and check a bundle; the same for ``generate job`` and ``generate path``."""

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
    with timed(timings, "fetch jobs"):
        progress.start("fetch jobs")
        jobs = select_jobs(source, selection)
        progress.finish("fetch jobs", f"{len(jobs)} job(s)")
    return build_bundle(source, jobs, options, progress, timings)


def build_bundle(
    source: WorkspaceSource,
    jobs: list[JsonObject],
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
    with timed(timings, "convert"):
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
                    parsed.add(rel, content, renderer.take_document(rel))

        def arrived(path: str, outcome: ExportedObject | str) -> None:
            stage(renderer.arrived(path, outcome if isinstance(outcome, ExportedObject)
                                   else None))

        with timed(timings, "export"):
            stage(renderer.start())
            files = renderer.export_order(
                s.workspace_path for s in plan.sources if s.kind != "directory")
            dirs = [s.workspace_path for s in plan.sources if s.kind == "directory"]
            exported = export_sources(
                source, files, dirs, progress=progress, parallelism=options.parallelism,
                prefetched=prefetched, on_result=arrived,
            )
        with timed(timings, "render"):
            rendered = renderer.finish(exported.exported, exported.missing)
        with timed(timings, "write"):
            written = staged.commit(rendered.files)
    with timed(timings, "validate"):
        progress.start("validate")
        # What was just written is parsed once, from memory, for validation and round-trip.
        loaded = load_bundle(options.out, rendered.files, parsed)
        report = validate_bundle(options.out, run_cli=options.run_cli, secrets=options.secrets,
                                 bundle=loaded, contents=rendered.files,
                                 found=written_files(rendered.files) if staged.only_written
                                 else None)
        diagnostics = (*rendered.diagnostics, *report.diagnostics)
        errors = count(diagnostics)
        progress.finish("validate", f"{errors} error(s)", ok=not errors)
    with timed(timings, "round-trip"):
        progress.start("round-trip")
        roundtrip = tuple(roundtrip_diagnostics(options.out, jobs, rendered, loaded))
        progress.finish("round-trip", f"{len(roundtrip)} difference(s)", ok=not roundtrip)
    return GenerateResult(
        out=options.out, bundle_name=name,
        jobs=tuple(GeneratedJob(job.key, job.job_id, job.name) for job in plan.jobs),
        files=tuple(written), diagnostics=diagnostics,
        validators_run=tuple(report.validators_run),
        validators_skipped=dict(report.validators_skipped), roundtrip=roundtrip,
        api_calls=dict(sorted(source.calls.items())), timings=timings, rendered=rendered,
    )


def _default_bundle_name(jobs: list[JsonObject], out: Path) -> str:
    if len(jobs) == 1:
        job_id = jobs[0].get("job_id")
        unnamed = f"job {job_id}" if job_id is not None else "bundle"
        name = str((jobs[0].get("settings") or {}).get("name") or unnamed)
        return resource_key(name, set())
    return resource_key(out.resolve().name or "bundle", set())

