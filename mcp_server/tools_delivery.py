"""Delivery tools: upload a bundle to the workspace, run the Databricks CLI on it, and copy
a workspace folder to a local directory. All are writes except ``bundle validate``.

Module-level functions taking the :class:`~mcp_server.context.ToolContext` first,
registered by :mod:`mcp_server.registry`; each docstring is the model-facing description.
The CLI runs with ``ctx.env`` (its ``PATH`` finds ``databricks``), never the server
process's environment directly.
"""

from __future__ import annotations

import posixpath
from collections import deque
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from dabgen_ci.core.paths import is_inside, relative, write_file, write_target
from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.bundle_command import READ_COMMANDS, bundle_argv
from dabgen_ci.flows.bundle_command import run_bundle_command as run_cli
from dabgen_ci.flows.export import export_sources
from dabgen_ci.flows.generate_path import normalise_folder
from dabgen_ci.progress import NullProgress
from dabgen_ci.validate.files import is_notebook, scan_files
from dabgen_ci.workspace.base import ExportedObject
from dabgen_ci.workspace.snapshot import SOURCE_LANGUAGES, has_notebook_header, header_for
from mcp_server import models
from mcp_server.context import ToolContext

MAX_IMPORT_BYTES = 10 * 1024 * 1024  # the Workspace import API limit
LocalDir = Annotated[str, Field(min_length=1, description=(
    "directory relative to the server root (or absolute inside it)"))]
WorkspaceFolder = Annotated[str, Field(min_length=1, description=(
    "absolute workspace folder, e.g. /Workspace/Users/me@example.com/my_bundle"))]


def upload_bundle(ctx: ToolContext, bundle_dir: LocalDir, workspace_folder: WorkspaceFolder,
                  overwrite: bool = False) -> models.UploadResult:
    """Upload a bundle directory from under the server root into a workspace folder
    (Workspace import, format AUTO): source notebooks become notebooks, everything else
    workspace files; folders are created as needed. This copies files only; use
    run_bundle_command deploy to deploy the jobs. A write: refused unless dabgen-mcp
    was started with --allow-writes."""
    ctx.require_writes(f"upload_bundle (into {workspace_folder})")
    root = ctx.local(bundle_dir, "bundle_dir")
    if not (root / "databricks.yml").is_file():
        raise BadInputError(f"no databricks.yml in {bundle_dir}; point at a bundle")
    folder = normalise_folder(workspace_folder)
    plan, skipped = _upload_plan(ctx, root)
    ops = ctx.ops()
    parents = sorted({posixpath.dirname(f"{folder}/{rel}") for rel, _ in plan})
    leaves = [d for d in parents if not any(o.startswith(d + "/") for o in parents)]
    for directory in leaves:
        ops.mkdirs(directory)
    uploaded: list[models.Uploaded] = []
    for rel, file in plan:
        ops.import_file(f"{folder}/{rel}", file.read_bytes(), overwrite=overwrite)
        shown = f"{folder}/{rel}"
        if is_notebook(file):
            shown = posixpath.splitext(shown)[0]
        uploaded.append(models.Uploaded(local=ctx.shown(file), workspace_path=shown))
    return models.UploadResult(workspace_folder=folder, uploaded=uploaded,
                               folders_created=leaves, skipped=skipped)


def run_bundle_command(
    ctx: ToolContext,
    bundle_dir: LocalDir,
    command: Literal["validate", "deploy", "run", "destroy"],
    target: str | None = None,
    resource_key: Annotated[str | None, Field(description=(
        "job key to run (command run only)"))] = None,
    auto_approve: Annotated[bool, Field(description=(
        "pass --auto-approve to deploy/destroy (needed when they delete resources)"))]
    = False,
    timeout_seconds: Annotated[int, Field(ge=10, le=3600)] = 600,
) -> models.CommandResult:
    """Run the Databricks CLI on a bundle under the server root: `databricks bundle
    validate|deploy|run|destroy` (run starts the job given by resource_key without
    waiting). validate is a read; deploy, run and destroy are writes, refused unless
    dabgen-mcp was started with --allow-writes. Returns the exit code and the
    redacted, size-bounded stdout and stderr. Needs the databricks CLI on PATH."""
    if command not in READ_COMMANDS:
        ctx.require_writes(f"run_bundle_command {command}")
    root = ctx.local(bundle_dir, "bundle_dir")
    args = bundle_argv(command, target=target, resource=resource_key,
                       profile=ctx.profile, auto_approve=auto_approve)
    result = run_cli(root, args, env=ctx.env, timeout=timeout_seconds)
    return models.CommandResult(command=list(result.argv), exit_code=result.exit_code,
                                ok=result.ok, timed_out=result.timed_out,
                                stdout=result.stdout, stderr=result.stderr,
                                truncated=result.truncated)


def sync_workspace_to_local(ctx: ToolContext, workspace_folder: WorkspaceFolder,
                            out: LocalDir, overwrite: bool = False) -> models.SyncResult:
    """Copy a workspace folder (notebooks in source format with their extension, files
    as they are, sub-folders too) into a local directory under the server root, e.g.
    to edit notebooks next to a bundle. A write to local disk: refused unless dabgen-mcp
    was started with --allow-writes; a non-empty `out` needs overwrite."""
    ctx.require_writes(f"sync_workspace_to_local (into {out})")
    target = ctx.local(out, "out")
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not overwrite:
        raise BadInputError(f"{out} is not empty; pass overwrite to write into it")
    folder = normalise_folder(workspace_folder)
    paths, truncated = _walk(ctx, folder)
    exported = export_sources(ctx.source(), paths, progress=NullProgress())
    # Plan every destination first: one that would leave `out` (a symlinked sub-folder
    # leading elsewhere) refuses the whole call before anything is written.
    plan = []
    for _, obj in sorted(exported.exported.items()):
        rel, data = _local_file(folder, obj)
        plan.append((rel, _destination(target, out, rel), data))
    written = []
    for rel, dest, data in plan:
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_file(_destination(target, out, rel), data)  # again, after the mkdir
        written.append(ctx.shown(dest))
    return models.SyncResult(workspace_folder=folder, out=ctx.shown(target), files=written,
                             missing=exported.missing, truncated=truncated)


def _upload_plan(ctx: ToolContext, root: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """(relative path, file) to upload, and what is skipped: links out of the root, big
    files, anything beyond the file limit."""
    plan: list[tuple[str, Path]] = []
    skipped: list[str] = []
    for rel in sorted(scan_files(root).files):
        file = root / rel
        if not is_inside(root, file):
            skipped.append(f"{rel}: links outside the bundle directory")
        elif file.stat().st_size > MAX_IMPORT_BYTES:
            skipped.append(f"{rel}: larger than {MAX_IMPORT_BYTES} bytes")
        elif len(plan) == ctx.caps.upload_files:
            skipped.append(f"{rel}: more than {ctx.caps.upload_files} files")
        else:
            plan.append((rel, file))
    return plan, skipped


def _walk(ctx: ToolContext, folder: str) -> tuple[list[str], bool]:
    """Notebook and file paths below ``folder``, at most ``ctx.caps.sync_objects``."""
    source = ctx.source()
    if source.get_status(folder).object_type != "DIRECTORY":
        raise BadInputError(f"{folder} is not a workspace folder")
    found: list[str] = []
    pending = deque([folder])
    while pending:
        for info in source.list_dir(pending.popleft()):
            if info.object_type == "DIRECTORY":
                pending.append(info.path)
            elif info.object_type in ("NOTEBOOK", "FILE"):
                if len(found) == ctx.caps.sync_objects:
                    return found, True
                found.append(info.path)
    return found, False


def _destination(target: Path, out: str, rel: str) -> Path:
    """``rel`` below the local directory, by the one path rule: no link on the way may
    lead out of it, and the final name is written without following a link."""
    return write_target(target, rel, what="file", where=f"out {out!r}")


def _local_file(folder: str, obj: ExportedObject) -> tuple[str, bytes]:
    """Where an exported object goes below the local directory, and its bytes."""
    rel = relative(posixpath.relpath(obj.path, folder), what=f"{obj.path} below {folder}:",
                   device_names=False)
    if not obj.is_notebook:
        return rel.as_posix(), obj.content
    content = obj.content
    if obj.file_type in SOURCE_LANGUAGES and not has_notebook_header(content):
        content = f"{header_for(obj.file_type)}\n".encode() + content
    return rel.with_name(f"{rel.name}.{obj.file_type or 'py'}").as_posix(), content
