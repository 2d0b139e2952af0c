"""``generate path``: the notebooks under a workspace folder → a bundle with one job.

The folder is walked, every notebook exported once and analysed (widgets become job
parameters, ``%run`` targets are libraries, not tasks), :mod:`dabgen_ci.core.bundle.folder_job`
builds the job, and the ordinary spine (convert → render → validate → round-trip) does the
rest, reusing the exports.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import replace

from dabgen_ci.bundle_writer import check_target
from dabgen_ci.core.bundle.folder_job import FolderNotebook, folder_job
from dabgen_ci.core.notebook.analyze import analyze_notebook
from dabgen_ci.core.paths import lexical_problem
from dabgen_ci.core.results import GenerateResult
from dabgen_ci.errors import BadInputError, NotFoundError
from dabgen_ci.flows.export import export_sources
from dabgen_ci.flows.generate import GenerateOptions, build_bundle
from dabgen_ci.progress import NullProgress, Progress
from dabgen_ci.workspace.base import ObjectInfo, WorkspaceSource


def generate_path(
    source: WorkspaceSource,
    workspace_path: str,
    options: GenerateOptions,
    progress: Progress | None = None,
    *,
    job_name: str | None = None,
    warehouse_id: str | None = None,
) -> GenerateResult:
    """Every notebook below a workspace folder becomes a task of one job."""
    progress = progress or NullProgress()
    folder = normalise_folder(workspace_path)
    check_target(options.out, force=options.force)
    progress.start("list notebooks")
    status = source.get_status(folder)
    if status.object_type != "DIRECTORY":
        raise BadInputError(f"{folder} is a {status.object_type.lower()}, not a folder; "
                            "use `dabgen generate job` for jobs or pass the folder around it")
    notebooks = _notebooks_below(source, folder)
    if not notebooks:
        raise BadInputError(f"{folder} holds no notebooks")
    progress.finish("list notebooks", f"{len(notebooks)} notebook(s)")
    return generate_notebooks(
        source, [n.path for n in notebooks], options, progress,
        job_name=job_name, warehouse_id=warehouse_id, folder=folder,
    )


def generate_notebooks(
    source: WorkspaceSource,
    paths: Sequence[str],
    options: GenerateOptions,
    progress: Progress | None = None,
    *,
    job_name: str | None = None,
    warehouse_id: str | None = None,
    folder: str | None = None,
) -> GenerateResult:
    """Given notebooks (absolute workspace paths) → one job → the spine.

    ``folder`` names the job and anchors relative ``%run`` targets; by default it is the
    deepest folder holding every notebook. The builder's notes land in ``result.notes``.
    """
    progress = progress or NullProgress()
    check_target(options.out, force=options.force)
    wanted = list(dict.fromkeys(normalise_folder(p) for p in paths))
    if not wanted:
        raise BadInputError("no notebooks given")
    folder = folder or posixpath.commonpath([posixpath.dirname(p) for p in wanted])
    exported = export_sources(source, wanted, progress=progress,
                              parallelism=options.parallelism)
    if exported.missing:
        raise NotFoundError("; ".join(exported.missing.values()))
    analysed = []
    for path in wanted:
        obj = exported.exported[path]
        if not obj.is_notebook:
            raise BadInputError(f"{path} is a workspace file, not a notebook")
        text = obj.content.decode("utf-8", "replace")
        analysed.append(FolderNotebook(path, obj.file_type, analyze_notebook(text, obj.file_type)))
    built = folder_job(folder, analysed, job_name=job_name, warehouse_id=warehouse_id)
    result = build_bundle(
        source, [built.body], options, progress, {}, prefetched=exported,
        required_variables=built.required_variables,
    )
    return replace(result, notes=tuple(built.notes))


def normalise_folder(path: str) -> str:
    """A workspace folder path from user input: absolute, no ``..``, no trailing slash.

    Below the leading ``/`` the one path rule applies (no ``..``, empty or ``.`` segment,
    NUL or control character, no over-long name); ``.git`` and device names are local
    concerns and not checked for a workspace path."""
    cleaned = path.strip().rstrip("/")
    if not path.strip().startswith("/"):
        raise BadInputError(f"{path!r} is not an absolute workspace path like "
                            "/Workspace/Users/me@example.com/project")
    problem = cleaned and lexical_problem(cleaned[1:], reserved=(), device_names=False)
    if problem:
        raise BadInputError(f"workspace path {path!r} {problem}")
    return cleaned or "/"


def _notebooks_below(source: WorkspaceSource, folder: str) -> list[ObjectInfo]:
    found: list[ObjectInfo] = []
    for info in sorted(source.list_dir(folder)):
        if info.object_type == "DIRECTORY":
            found += _notebooks_below(source, info.path)
        elif info.object_type == "NOTEBOOK":
            found.append(info)
    return found
