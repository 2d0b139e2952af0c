"""``dabgen generate job|path``: workspace jobs or a notebook folder → bundle on disk."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dabgen_ci.bundle_writer import check_zip_target, write_zip
from dabgen_ci.commands.collector import few_full_collections
from dabgen_ci.commands.options import json_option, source_from, source_options
from dabgen_ci.commands.refine import render as render_refine
from dabgen_ci.config.files import read_config
from dabgen_ci.core.report import render_summary
from dabgen_ci.core.results import GenerateResult
from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
from dabgen_ci.flows.generate_path import generate_path
from dabgen_ci.flows.select import JobSelection, dedupe_ids, parse_tag, require_selection
from dabgen_ci.progress import NullProgress, Progress, StderrProgress

if TYPE_CHECKING:
    from dabgen_ci.flows.refine import RefineResult


@dataclass(frozen=True)
class OutputOptions:
    """The flags ``generate job`` and ``generate path`` share, parsed once into one record."""

    out: Path
    force: bool
    bundle_name: str | None
    zip_path: Path | None
    no_cli: bool
    parallelism: int
    ask: str | None
    as_json: bool
    snapshot: Path | None
    profile: str | None
    config_file: Path | None

    def generate_options(self) -> GenerateOptions:
        secrets = read_config(self.config_file).secrets if self.config_file else None
        return GenerateOptions(out=self.out, force=self.force, bundle_name=self.bundle_name,
                               run_cli=False if self.no_cli else None,
                               parallelism=self.parallelism, secrets=secrets)

    def progress(self) -> Progress:
        return NullProgress() if self.as_json else StderrProgress()


_OUTPUT_FIELDS = tuple(f.name for f in fields(OutputOptions))


def common_output_options(func: Callable[..., None]) -> Callable[..., None]:
    """Add the shared flags and hand them to ``func`` as one ``opts: OutputOptions``."""

    @functools.wraps(func)
    def with_options(*args: Any, **kwargs: Any) -> None:
        opts = OutputOptions(**{name: kwargs.pop(name) for name in _OUTPUT_FIELDS})
        with few_full_collections():
            func(*args, opts=opts, **kwargs)

    command: Callable[..., None] = with_options
    decorators: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
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
        click.option("--config", "config_file", metavar="FILE",
                     type=click.Path(path_type=Path, dir_okay=False),
                     help="A .dabgen.yml whose secrets.allow applies (as the bot applies it)."),
        json_option,
        source_options,
    ]
    for option in reversed(decorators):
        command = option(command)
    return command


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
        tags: tuple[str, ...], opts: OutputOptions) -> None:
    """Jobs by ID and/or selector → one bundle."""
    selection = JobSelection(
        ids=dedupe_ids(job_ids), all=all_jobs, name_globs=names,
        tags=tuple(parse_tag(t) for t in tags),
    )
    require_selection(selection)  # before any credential or API work
    _check_ask(opts)
    _check_zip(opts)
    options = opts.generate_options()  # a bad --config stops here, before the workspace
    source = source_from(opts.snapshot, opts.profile)
    result = generate_jobs(source, selection, options, opts.progress())
    _finish(result, opts)


@generate.command("path")
@click.argument("workspace_path", metavar="WORKSPACE_PATH")
@click.option("--job-name", metavar="NAME", help="Name of the generated job (default: folder).")
@click.option("--warehouse-id", metavar="ID",
              help="SQL warehouse for SQL notebooks (default: a bundle variable).")
@common_output_options
def path(workspace_path: str, job_name: str | None, warehouse_id: str | None,
         opts: OutputOptions) -> None:
    """The notebooks under a workspace folder → one job, one task per notebook."""
    _check_ask(opts)
    _check_zip(opts)
    options = opts.generate_options()
    source = source_from(opts.snapshot, opts.profile)
    result = generate_path(
        source, workspace_path, options, opts.progress(),
        job_name=job_name, warehouse_id=warehouse_id,
    )
    _finish(result, opts)


def _check_ask(opts: OutputOptions) -> None:
    """With ``--ask``, fail before any API call when no model credentials are set."""
    from dabgen_ci.agent.auth import check_agent_available  # the agent loads only for --ask

    if opts.ask:
        check_agent_available(os.environ)


def _check_zip(opts: OutputOptions) -> None:
    """With ``--zip``, fail before any API call when the archive could not be written."""
    if opts.zip_path is not None:
        check_zip_target(opts.zip_path)


def _finish(result: GenerateResult, opts: OutputOptions) -> None:
    refined = None
    if opts.ask:
        result, refined = _refine(result, opts.ask, opts.snapshot)
    zip_path = opts.zip_path
    if zip_path is not None and result.rendered is not None:
        write_zip(zip_path, result.rendered.files)
    if opts.as_json:
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


def _refine(result: GenerateResult, ask: str,
            snapshot: Path | None) -> tuple[GenerateResult, RefineResult]:
    """``--ask``: the agent refines the fresh bundle; the validator decides if it stays.

    The credential check runs before anything is sent, so a missing key is a clear error
    (exit 2) while the generated bundle stays on disk as written. The returned result
    carries the refined files, so ``--zip`` archives what is on disk.
    """
    from dabgen_ci.agent.settings import AgentSettings
    from dabgen_ci.config import AgentConfig
    from dabgen_ci.flows.refine import refine_bundle

    refined = refine_bundle(
        result.out, ask, config=AgentConfig(), env=os.environ,
        settings=AgentSettings(workspace_snapshot=snapshot),
    )
    if refined.ok and result.rendered is not None:
        rendered = replace(result.rendered, files={
            p.relative_to(result.out).as_posix(): p.read_bytes()
            for p in sorted(result.out.rglob("*")) if p.is_file()})
        result = replace(result, rendered=rendered)
    return result, refined
