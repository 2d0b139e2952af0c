"""Every local file a job or pipeline points at must exist, and be of the right kind.

Follows databricks/cli ``bundle/config/mutator/paths`` and ``translate_paths.go``: relative
paths are relative to the YAML file that wrote them; absolute paths and URLs are workspace
or remote paths and are skipped, as are jobs using ``git_source``. ``notebook_path`` must
name a notebook *with* its extension — the CLI does not try ``.py``/``.sql``/…, it fails
with "notebook not found" and suggests the file that exists; ``python_file`` and SQL files
must be plain files, not notebooks.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase
from typing import Any, NamedTuple

from dabgen_ci.core.diagnostics import Diagnostic, Severity
from dabgen_ci.core.paths import GOES_UP, lexical_problem
from dabgen_ci.validate.located import LocTree, Path
from dabgen_ci.validate.rulebase import finding, get, iter_resources, iter_tasks, unresolved

NOTEBOOK_EXTENSIONS = (".py", ".r", ".scala", ".sql", ".ipynb")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PIP_FLAG = re.compile(r"^(-r|-e)\s+(.+)$")
_PACKAGE = re.compile(r"^[A-Za-z0-9\-_]+\s?(\[.*\])?\s?((==|!=|<=|>=|~=|>|<)\s?[0-9][^,]*,?)*$")

# (path below a task, kind, the "source" field that switches it to git)
_TASK_PATHS = (
    (("notebook_task", "notebook_path"), "notebook", ("notebook_task", "source")),
    (("spark_python_task", "python_file"), "file", ("spark_python_task", "source")),
    (("dbt_task", "project_directory"), "directory", ("dbt_task", "source")),
    (("sql_task", "file", "path"), "file", ("sql_task", "file", "source")),
    (("alert_task", "workspace_path"), "file", None),
)


class Ref(NamedTuple):
    path: Path
    value: str
    kind: str  # notebook | file | directory | library


class FileIndex(NamedTuple):
    files: frozenset[str]
    notebooks: frozenset[str] | None
    directories: frozenset[str]
    built_artifacts: bool
    outside_root_synced: bool


def check_paths(config: dict[str, Any], tree: LocTree | None, files: frozenset[str],
                notebooks: frozenset[str] | None = None,
                file_of: Callable[[Path], str | None] | None = None) -> list[Diagnostic]:
    """Missing or wrong-kind local files referenced by the resolved configuration.

    A relative path is relative to the file that wrote it: ``file_of`` names that file
    when it can without the location tree (see ``LoadedBundle.file_of``), else the tree
    is asked.
    """
    index = FileIndex(files, notebooks, _directories(files), bool(config.get("artifacts")),
                      bool(get(config, "sync", "paths")))
    out: list[Diagnostic] = []
    for ref in _references(config):
        if unresolved(ref.value) or _is_remote(ref.value):
            continue
        written_in = file_of(ref.path) if file_of is not None else None
        if written_in is None and tree is not None:
            written_in = tree.find(ref.path).file
        base = posixpath.dirname(written_in) if written_in else ""
        local = posixpath.normpath(posixpath.join(base, ref.value))
        problem = _problem(ref, local, index)
        if problem:
            out.append(finding(problem[0], problem[1], tree, ref.path))
    return out


def _references(config: dict[str, Any]) -> Iterator[Ref]:
    for key, job in iter_resources(config, "jobs"):
        if job.get("git_source"):
            continue
        job_path: Path = ("resources", "jobs", key)
        for t in iter_tasks(job, job_path):
            yield from _task_references(t.task, t.path)
        for i, env in enumerate(job.get("environments") or []):
            deps = get(env, "spec", "dependencies")
            yield from _dependencies(deps, (*job_path, "environments", i, "spec", "dependencies"))
    for key, pipe in iter_resources(config, "pipelines"):
        p: Path = ("resources", "pipelines", key)
        for i, lib in enumerate(pipe.get("libraries") or []):
            for field, kind in (("notebook", "notebook"), ("file", "file")):
                value = get(lib, field, "path")
                if isinstance(value, str):
                    yield Ref((*p, "libraries", i, field, "path"), value, kind)
        if isinstance(pipe.get("root_path"), str):
            yield Ref((*p, "root_path"), pipe["root_path"], "directory")
        yield from _dependencies(get(pipe, "environment", "dependencies"),
                                 (*p, "environment", "dependencies"))


def _task_references(task: dict[str, Any], path: Path) -> Iterator[Ref]:
    for keys, kind, source in _TASK_PATHS:
        value = get(task, *keys)
        if isinstance(value, str) and not (source and get(task, *source) == "GIT"):
            yield Ref((*path, *keys), value, kind)
    for i, lib in enumerate(task.get("libraries") or []):
        if not isinstance(lib, dict):
            continue
        if isinstance(lib.get("requirements"), str):
            yield Ref((*path, "libraries", i, "requirements"), lib["requirements"], "file")
        for field in ("whl", "jar"):
            if isinstance(lib.get(field), str):
                yield Ref((*path, "libraries", i, field), lib[field], "library")


def _dependencies(deps: Any, path: Path) -> Iterator[Ref]:
    """Environment dependencies: ``-r file``/``-e dir`` flags and ``./local.whl`` paths."""
    if not isinstance(deps, list):
        return
    for i, dep in enumerate(deps):
        if not isinstance(dep, str):
            continue
        flag = _PIP_FLAG.match(dep.strip())
        if flag:
            kind = "file" if flag.group(1) == "-r" else "any"
            yield Ref((*path, i), flag.group(2).strip(), kind)
        elif dep.startswith(".") or (not dep.startswith("-") and not _PACKAGE.match(dep)
                                     and " @ " not in dep):
            yield Ref((*path, i), dep, "library")


def _is_remote(value: str) -> bool:
    return value.startswith("/") or bool(_SCHEME.match(value))


def _problem(ref: Ref, local: str, index: FileIndex) -> tuple[Severity, str] | None:
    problem = lexical_problem(local, reserved=(), device_names=False, allow_self=True)
    if problem == GOES_UP:
        if index.outside_root_synced:
            return None
        return "error", f"{ref.value} is outside the bundle root and would not be deployed"
    if problem:
        return "error", f"{ref.value} {problem}"
    if ref.kind == "notebook":
        return _notebook_problem(ref.value, local, index)
    if ref.kind == "file":
        if local not in index.files:
            return "error", f"file {ref.value} not found"
        if index.notebooks is not None and local in index.notebooks:
            return "error", (f"{ref.value} is a notebook but a plain file is expected here; "
                             "remove its 'Databricks notebook source' header or use a "
                             "notebook_task")
        return None
    if ref.kind == "directory":
        return None if local in index.directories else ("error", f"directory {ref.value} "
                                                                  "not found")
    if ref.kind == "any":
        return None if local in index.files or local in index.directories else (
            "error", f"{ref.value} not found")
    return _library_problem(ref.value, local, index)


def _notebook_problem(value: str, local: str, index: FileIndex
                      ) -> tuple[Severity, str] | None:
    if local in index.files:
        if index.notebooks is not None and local not in index.notebooks:
            return "error", (f"{value} is not a notebook; a source notebook starts with a "
                             "'Databricks notebook source' header line")
        return None
    if posixpath.splitext(local)[1] == "":
        for ext in NOTEBOOK_EXTENSIONS:
            if local + ext in index.files:
                return "error", (f"notebook {value} not found; did you mean {value}{ext}? "
                                 "Local notebook paths must include the file extension")
    return "error", f"notebook {value} not found"


def _library_problem(value: str, local: str, index: FileIndex
                     ) -> tuple[Severity, str] | None:
    if any(c in local for c in "*?["):
        found = any(_glob_match(local, f) for f in index.files)
    else:
        found = local in index.files
    if found:
        return None
    if index.built_artifacts:
        return "warning", (f"library {value} does not exist yet; it must be produced by an "
                           "artifact build before deploy")
    return "error", f"library {value} not found; build it or fix the path"


def _glob_match(pattern: str, path: str) -> bool:
    """Go ``filepath.Match`` semantics: wildcards never cross a ``/``."""
    parts, names = pattern.split("/"), path.split("/")
    return len(parts) == len(names) and all(map(fnmatchcase, names, parts))


def _directories(files: frozenset[str]) -> frozenset[str]:
    dirs = set()
    for f in files:
        parent = posixpath.dirname(f)
        while parent and parent not in dirs:
            dirs.add(parent)
            parent = posixpath.dirname(parent)
    dirs.add(".")
    return frozenset(dirs)
