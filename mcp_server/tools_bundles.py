"""Bundle tools: analyse notebooks, generate bundles (spine converter and folder-job
builder), validate them and write their test scaffold. All conversion is dabgen_ci's.

Module-level functions taking the :class:`~mcp_server.context.ToolContext` first,
registered by :mod:`mcp_server.registry`; each docstring is the model-facing description.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

from pydantic import Field

from dabgen_ci.core.notebook.analyze import analyze_notebook as analyze
from dabgen_ci.core.results import GenerateResult
from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.create_tests import create_tests as write_tests
from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
from dabgen_ci.flows.generate_path import generate_notebooks, generate_path
from dabgen_ci.flows.select import JobSelection
from dabgen_ci.validate import validate_bundle as run_validators
from mcp_server import models
from mcp_server.context import ToolContext

LocalDir = Annotated[str, Field(min_length=1, description=(
    "directory relative to the server root (or absolute inside it)"))]
Force = Annotated[bool, Field(description=(
    "replace databricks.yml, resources/ and src/ in a non-empty directory"))]


def analyze_notebook(
    ctx: ToolContext,
    workspace_path: Annotated[str | None, Field(description=(
        "absolute workspace path of a notebook"))] = None,
    local_path: Annotated[str | None, Field(description=(
        "notebook file under the server root (.py, .sql, .scala, .r, .ipynb)"))] = None,
) -> models.Analysis:
    """Statically analyse one Databricks notebook (Python, SQL, Scala or R; source export
    or .ipynb), from the workspace or from a local file, without running it: libraries
    (imports and %pip), widgets and parameter reads, %run and dbutils.notebook.run
    dependencies, tables and storage paths read or written, streaming, MLflow/ML use and
    secret references (scope and key only), each with its line. Give exactly one of
    workspace_path or local_path."""
    if (workspace_path is None) == (local_path is None):
        raise BadInputError("give exactly one of workspace_path or local_path")
    if workspace_path is not None:
        exported = ctx.source().export(workspace_path)
        text, language, shown = exported.content, exported.file_type, exported.path
    else:
        file = ctx.local(str(local_path), "local_path")
        if not file.is_file():
            raise BadInputError(f"{local_path} is not a file under the server root")
        if file.stat().st_size > ctx.caps.notebook_bytes:
            raise BadInputError(f"{local_path} is larger than {ctx.caps.notebook_bytes} bytes")
        text, language, shown = file.read_bytes(), file.suffix, ctx.shown(file)
    result = analyze(text.decode("utf-8", "replace"), language or "PYTHON")
    return models.Analysis(source=shown, language=result.language,
                           analysis=result.to_dict())


def generate_bundle(
    ctx: ToolContext,
    out: LocalDir,
    folder: Annotated[str | None, Field(description=(
        "workspace folder whose notebooks become the job's tasks"))] = None,
    notebook_paths: Annotated[list[str] | None, Field(description=(
        "absolute workspace paths of the notebooks to run as tasks"))] = None,
    job_name: str | None = None,
    warehouse_id: Annotated[str | None, Field(description=(
        "SQL warehouse for SQL notebooks; else a required ${var.warehouse_id}"))] = None,
    force: Force = False,
) -> models.BundleResult:
    """Build a new bundle with one job from notebooks that have no job yet: give a
    workspace folder or a list of notebook paths. Each notebook is analysed (widgets
    become job parameters, %run targets are not tasks, numeric prefixes like 01_, 02_
    order the tasks), then the bundle files (databricks.yml, resources/*.job.yml, src/)
    are written to `out` under the server root and validated offline. Returns the
    files, diagnostics and the builder's notes."""
    options = GenerateOptions(out=ctx.local(out, "out"), force=force, run_cli=False)
    if (folder is None) == (not notebook_paths):
        raise BadInputError("give exactly one of folder or notebook_paths")
    if folder is not None:
        source = ctx.source()
        before = Counter(source.calls)
        result = generate_path(source, folder, options, job_name=job_name,
                               warehouse_id=warehouse_id)
        return _bundle_result(ctx, result, before)
    source = ctx.source()
    before = Counter(source.calls)
    result = generate_notebooks(source, list(notebook_paths or []), options,
                                job_name=job_name, warehouse_id=warehouse_id)
    return _bundle_result(ctx, result, before)


def generate_bundle_from_job(
    ctx: ToolContext,
    job_ids: Annotated[list[int], Field(min_length=1, description=(
        "ids of existing jobs (see list_jobs); several jobs share one bundle"))],
    out: LocalDir,
    bundle_name: str | None = None,
    force: Force = False,
) -> models.BundleResult:
    """Convert existing Databricks jobs into a Databricks Asset Bundle: every job
    setting is kept, the notebooks and files the tasks use are downloaded into src/,
    paths are rewritten relative to the bundle, and the result is written to `out`
    under the server root, validated offline and round-trip checked against the jobs.
    Returns the files written and any diagnostics."""
    options = GenerateOptions(out=ctx.local(out, "out"), force=force, run_cli=False,
                              bundle_name=bundle_name)
    source = ctx.source()
    before = Counter(source.calls)
    result = generate_jobs(source, JobSelection(ids=tuple(job_ids)), options)
    return _bundle_result(ctx, result, before)


def validate_bundle(
    ctx: ToolContext,
    bundle_dir: LocalDir = ".",
    target: Annotated[str | None, Field(description="target name; default target if "
                                        "omitted")] = None,
    use_databricks_cli: Annotated[bool, Field(description=(
        "also run `databricks bundle validate` (needs the CLI and credentials)"))] = False,
) -> models.Validation:
    """Validate a bundle directory under the server root offline: the bundle JSON schema
    and dabgen's rules (task references, notebook paths, variables, targets, secrets),
    optionally also `databricks bundle validate`. Returns every diagnostic with file,
    line and YAML path; ok is false when any is an error."""
    report = run_validators(ctx.local(bundle_dir, "bundle_dir"), target=target,
                            run_cli=use_databricks_cli, env=ctx.env)
    return models.Validation.model_validate(report.to_dict())


def create_tests(ctx: ToolContext, bundle_dir: LocalDir, overwrite: bool = False
                 ) -> models.TestsWritten:
    """Write a runnable pytest file (tests/test_dabgen_bundle.py) into a bundle under the
    server root. It checks offline that the bundle loads and validates for every target,
    that each notebook parses (Python with ast, other languages non-empty) and that each
    job still declares its parameters and references no undeclared ones. Run it with
    `python -m pytest tests/` in the bundle."""
    root = ctx.local(bundle_dir, "bundle_dir")
    created = write_tests(root, overwrite=overwrite)
    return models.TestsWritten(file=ctx.shown(created.file),
                               notebooks=list(created.notebooks),
                               job_parameters=created.job_parameters,
                               run_with=f"python -m pytest {ctx.shown(created.file)}")


def _bundle_result(ctx: ToolContext, result: GenerateResult,
                   calls_before: Counter[str]) -> models.BundleResult:
    """The spine's result with paths shown from the root and this call's API calls only
    (the server's source lives as long as the server and counts every call)."""
    data = result.to_dict()
    data["out"] = ctx.shown(Path(result.out).resolve())
    data["api_calls"] = dict(sorted((Counter(result.api_calls) - calls_before).items()))
    return models.BundleResult.model_validate(data)
