"""``dabgen generate job|path``: workspace jobs or a notebook folder → bundle on disk."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import click

from dabgen_ci.agent.auth import check_agent_available
from dabgen_ci.agent.settings import AgentSettings
from dabgen_ci.bundle_writer import check_zip_target, write_zip
from dabgen_ci.commands.options import json_option, source_from, source_options
from dabgen_ci.commands.refine import render as render_refine
from dabgen_ci.config import AgentConfig
from dabgen_ci.flows.generate import GenerateOptions, GenerateResult, generate_jobs
from dabgen_ci.flows.generate_path import generate_path
from dabgen_ci.flows.refine import RefineResult, refine_bundle
from dabgen_ci.flows.select import JobSelection, dedupe_ids, parse_tag, require_selection
from dabgen_ci.progress import NullProgress, StderrProgress
from dabgen_ci.report import render_summary


def common_output_options(func):
    for option in reversed([
        click.option("--out", "out", required=True, metavar="DIR",
                     type=click.Path(path_type=Path, file_okay=False),
                     help="Bundle directory to write (must be empty unless --force)."),
        click.option("--force", is_flag=True,
                     help="Replace databricks.yml, resources/ and src/ in a non-empty --out."),
        click.option("--bundle-name", metavar="NAME", help="bundle.name (default: derived)."),
        click.option("--zip", "zip_path", metavar="FILE", type=click.Path(path_type=Path,
                     dir_okay=False), help="Also write the bundle as a zip archive."),
        click.option("--no-cli", is_flag=True,
                     help="Skip `databricks bundle validate` even when the CLI is available."),
        click.option("--parallelism", type=click.IntRange(1, 64), default=8, show_default=True,
                     help="Concurrent workspace exports."),
        click.option("--ask", metavar="TEXT",
                     help="Then ask the Claude agent to refine the bundle (needs "
                          "ANTHROPIC_API_KEY); kept only if it still validates."),
        json_option,
        source_options,
    ]):
        func = option(func)
    return func


@click.group()
def generate() -> None:
    """Generate a bundle from workspace jobs or a notebook folder."""


@generate.command("job")
@click.argument("job_ids", nargs=-1, type=click.IntRange(min=1), metavar="[ID ...]")
@click.option("--all", "all_jobs", is_flag=True, help="Every job in the workspace.")
@click.option("--name", "names", multiple=True, metavar="GLOB",
              help="Jobs whose name matches GLOB (case-insensitive; repeatable).")
@click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE",
              help="Jobs with this tag (VALUE may be a glob; repeatable).")
@common_output_options
def job(job_ids: tuple[int, ...], all_jobs: bool, names: tuple[str, ...],
        tags: tuple[str, ...], **common: object) -> None:
    """Jobs by ID and/or selector → one bundle."""
    selection = JobSelection(
        ids=dedupe_ids(job_ids), all=all_jobs, name_globs=names,
        tags=tuple(parse_tag(t) for t in tags),
    )
    require_selection(selection)  # before any credential or API work
    _check_ask(common)
    _check_zip(common)
    source = source_from(common["snapshot"], common["profile"])
    progress = NullProgress() if common["as_json"] else StderrProgress()
    result = generate_jobs(source, selection, _options(common), progress)
    _finish(result, common)


@generate.command("path")
@click.argument("workspace_path", metavar="WORKSPACE_PATH")
@click.option("--job-name", metavar="NAME", help="Name of the generated job (default: folder).")
@click.option("--warehouse-id", metavar="ID",
              help="SQL warehouse for SQL notebooks (default: a bundle variable).")
@common_output_options
def path(workspace_path: str, job_name: str | None, warehouse_id: str | None,
         **common: object) -> None:
    """The notebooks under a workspace folder → one job, one task per notebook."""
    _check_ask(common)
    _check_zip(common)
    source = source_from(common["snapshot"], common["profile"])
    progress = NullProgress() if common["as_json"] else StderrProgress()
    result = generate_path(
        source, workspace_path, _options(common), progress,
        job_name=job_name, warehouse_id=warehouse_id,
    )
    _finish(result, common)


def _check_ask(common: dict) -> None:
    """With ``--ask``, fail before any API call when no model credentials are set."""
    if common["ask"]:
        check_agent_available(os.environ)


def _check_zip(common: dict) -> None:
    """With ``--zip``, fail before any API call when the archive could not be written."""
    if common["zip_path"] is not None:
        check_zip_target(common["zip_path"])


def _options(common: dict) -> GenerateOptions:
    return GenerateOptions(
        out=common["out"], force=bool(common["force"]), bundle_name=common["bundle_name"],
        run_cli=False if common["no_cli"] else None, parallelism=int(common["parallelism"]),
    )


def _finish(result: GenerateResult, common: dict) -> None:
    refined = _refine(result, common) if common["ask"] else None
    zip_path: Path | None = common["zip_path"]
    if zip_path is not None and result.rendered is not None:
        write_zip(zip_path, result.rendered.files)
    if common["as_json"]:
        payload = result.to_dict()
        if zip_path is not None:
            payload["zip"] = str(zip_path)
        if refined is not None:
            payload["refine"] = refined.to_dict()
        click.echo(json.dumps(payload, indent=2, default=str))
    else:
        click.echo(render_summary(result))
        if refined is not None:
            click.echo("\nAgent refinement:\n" + render_refine(refined))
    click.get_current_context().exit(0 if result.ok else 1)


def _refine(result: GenerateResult, common: dict) -> RefineResult:
    """``--ask``: the agent refines the fresh bundle; the validator decides if it stays.

    The credential check runs before anything is sent, so a missing key is a clear error
    (exit 2) while the generated bundle stays on disk as written.
    """
    refined = refine_bundle(
        result.out, str(common["ask"]), config=AgentConfig(), env=os.environ,
        settings=AgentSettings(workspace_snapshot=common["snapshot"]),
    )
    if refined.ok and result.rendered is not None:  # the zip carries the refined files
        result.rendered = replace(result.rendered, files={
            p.relative_to(result.out).as_posix(): p.read_bytes()
            for p in sorted(result.out.rglob("*")) if p.is_file()})
    return refined
