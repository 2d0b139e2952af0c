"""Turn a workspace folder of notebooks into one job (a ``jobs/get``-shaped body), purely.

Decisions, each also explained in ``FolderJob.notes`` when it applies:

* **Order.** Notebook names sort naturally (``2_x`` before ``10_x``). A numeric prefix
  (``01_ingest``) names a stage: notebooks sharing a prefix run in parallel and each depends
  on every task of the previous stage. A notebook without a prefix is a stage of its own,
  after the numbered ones, in natural order: nothing says it is independent of its
  neighbours, so it is never run in parallel with them (safe, and easy to loosen later).
* **Library notebooks.** A notebook of the folder that another one ``%run``s (or starts with
  ``dbutils.notebook.run``) already runs inside its caller; it is not made a task.
* **Parameters.** Widgets of all notebooks become job-level ``parameters`` (job parameters
  are pushed down to notebook widgets, so tasks get no ``base_parameters``). The first
  default wins on conflict; parameters read but never defined get an empty default.
* **Compute.** Serverless: no cluster spec and no ``environments`` (notebook tasks on
  serverless install their libraries with their own ``%pip`` cells). SQL notebooks run on a
  SQL warehouse: the given id, else ``${var.warehouse_id}`` and a required variable.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from dabgen_ci.core.bundle.folder_job_checks import compute_notes, parameters
from dabgen_ci.core.notebook.model import NotebookAnalysis
from dabgen_ci.errors import BadInputError

_EXTENSIONS = (".py", ".sql", ".scala", ".r", ".ipynb")
_PREFIX = re.compile(r"^(\d+)")
WAREHOUSE_VARIABLE = "${var.warehouse_id}"


class FolderNotebook(NamedTuple):
    path: str  # workspace path, absolute or relative to the folder
    language: str  # PYTHON | SQL | SCALA | R (or a file extension)
    analysis: NotebookAnalysis


@dataclass(frozen=True)
class FolderJob:
    body: dict[str, Any]  # {"settings": {...}} as jobs/get returns it, without job_id
    required_variables: dict[str, str]
    notes: tuple[str, ...]


def folder_job(
    folder: str,
    notebooks: Sequence[FolderNotebook],
    *,
    job_name: str | None = None,
    warehouse_id: str | None = None,
) -> FolderJob:
    if not notebooks:
        raise BadInputError(f"folder {folder} holds no notebooks to make a job of")
    ordered = sorted(notebooks, key=lambda n: (natural_key(notebook_name(n.path)), n.path))
    notes: list[str] = []
    libraries = _library_notebooks(folder, ordered, notes)
    tasks = [n for n in ordered if _key(_absolute(folder, n.path)) not in libraries]
    if not tasks:
        raise BadInputError(f"every notebook of {folder} is run by another one; none is a task")
    keys = task_keys([notebook_name(n.path) for n in tasks])
    upstream = _upstream(keys, [_stage(notebook_name(n.path), i) for i, n in enumerate(tasks)])
    variables: dict[str, str] = {}
    task_bodies = [
        _task(key, depends, _absolute(folder, n.path), n, warehouse_id, variables, notes)
        for key, depends, n in zip(keys, upstream, tasks, strict=True)
    ]
    settings: dict[str, Any] = {"name": job_name or _default_name(folder), "tasks": task_bodies}
    job_parameters = parameters([(notebook_name(n.path), n.analysis) for n in ordered], notes)
    if job_parameters:
        settings["parameters"] = job_parameters
    notes += compute_notes([(notebook_name(n.path), n.analysis) for n in tasks])
    return FolderJob({"settings": settings}, variables, tuple(notes))


def notebook_name(path: str) -> str:
    """The file name without a notebook extension: ``/a/01_ingest.py`` -> ``01_ingest``."""
    name = posixpath.basename(path.rstrip("/"))
    stem, ext = posixpath.splitext(name)
    return stem if ext.lower() in _EXTENSIONS else name


def natural_key(name: str) -> list[Any]:
    """``step2`` before ``step10``; digits compare as numbers, text case-insensitively."""
    return [int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", name)]


def task_keys(names: list[str]) -> list[str]:
    """Valid, unique task keys (``[A-Za-z0-9_-]``, at most 100 characters) from names:
    accents are folded (``qualité`` -> ``qualite``), other characters become ``_``."""
    keys: list[str] = []
    for index, name in enumerate(names, start=1):
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        base = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_name).strip("_")[:96] or f"task_{index}"
        key, suffix = base, 2
        while key in keys:
            key, suffix = f"{base}_{suffix}", suffix + 1
        keys.append(key)
    return keys


def _stage(name: str, position: int) -> tuple[int, int]:
    """Numbered notebooks share a stage per prefix; each un-numbered one is its own stage."""
    match = _PREFIX.match(name)
    return (0, int(match.group(1))) if match else (1, position)


def _upstream(keys: list[str], stages: list[tuple[int, int]]) -> list[list[str]]:
    """For each task, the keys of every task of the previous stage."""
    distinct = sorted(set(stages))
    previous = {stage: distinct[i - 1] for i, stage in enumerate(distinct) if i}
    return [
        [k for k, s in zip(keys, stages, strict=True) if s == previous[stage]]
        if stage in previous else []
        for stage in stages
    ]


def _task(
    key: str,
    depends: list[str],
    path: str,
    notebook: FolderNotebook,
    warehouse_id: str | None,
    variables: dict[str, str],
    notes: list[str],
) -> dict[str, Any]:
    notebook_task: dict[str, Any] = {"notebook_path": path}
    if _language(notebook) == "SQL":
        other = [lang for lang in notebook.analysis.languages if lang != "SQL"]
        if other:
            notes.append(
                f"{notebook_name(path)}: SQL notebook with {', '.join(other)} cells cannot run "
                "on a SQL warehouse; it runs on serverless compute"
            )
        else:
            notebook_task["warehouse_id"] = warehouse_id or WAREHOUSE_VARIABLE
            if not warehouse_id:
                variables["warehouse_id"] = "ID of the SQL warehouse that runs the SQL notebooks"
    task: dict[str, Any] = {"task_key": key}
    if depends:
        task["depends_on"] = [{"task_key": d} for d in depends]
    task["notebook_task"] = notebook_task
    return task


def _language(notebook: FolderNotebook) -> str:
    language = notebook.language.strip().upper().lstrip(".")
    mapped = {"PY": "PYTHON", "PYTHON": "PYTHON", "SQL": "SQL", "SCALA": "SCALA", "R": "R"}
    return mapped.get(language, notebook.analysis.language)


def _default_name(folder: str) -> str:
    return posixpath.basename(folder.rstrip("/")) or "folder job"


def _absolute(folder: str, path: str) -> str:
    return posixpath.normpath(path if path.startswith("/") else posixpath.join(folder, path))


def _key(path: str) -> str:
    """Comparable form of a notebook path: no ``/Workspace`` prefix, no extension."""
    path = posixpath.normpath(path)
    if path.startswith("/Workspace/"):
        path = path[len("/Workspace"):]
    stem, ext = posixpath.splitext(path)
    return stem if ext.lower() in _EXTENSIONS else path


def _library_notebooks(
    folder: str, notebooks: list[FolderNotebook], notes: list[str]
) -> set[str]:
    """Keys of folder notebooks that another notebook of the folder runs itself."""
    known = {_key(_absolute(folder, n.path)) for n in notebooks}
    libraries: set[str] = set()
    for notebook in notebooks:
        caller = _absolute(folder, notebook.path)
        for dependency in notebook.analysis.dependencies:
            target = dependency.target
            if "{" in target:
                notes.append(
                    f"{notebook_name(caller)} runs a notebook chosen at run time ({target}); "
                    "check that it is not also a task of this job"
                )
                continue
            resolved = target if target.startswith("/") else posixpath.join(
                posixpath.dirname(caller), target)
            key = _key(resolved)
            if key in known and key != _key(caller) and key not in libraries:
                libraries.add(key)
                how = "%run" if dependency.kind == "run" else "dbutils.notebook.run"
                notes.append(
                    f"{notebook_name(resolved)} is run by {notebook_name(caller)} ({how}, "
                    f"line {dependency.line}): not a task of its own"
                )
    return libraries
