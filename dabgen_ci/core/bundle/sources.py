"""Where a job points at source in the workspace, and which of those sources to download.

The places a job names a path ("path slots") are the ones the Databricks CLI rewrites from
local to workspace paths at deploy time (``bundle/config/mutator/paths/job_*_visitor.go``):
``notebook_task.notebook_path``, ``spark_python_task.python_file``, ``sql_task.file.path``,
``dbt_task.project_directory``, task ``libraries[].whl|requirements``, environment
``dependencies`` (wheels and ``-r <file>``), each also inside ``for_each_task.task``. The
same table serves conversion (rewrite to ``../src/...``) and the round-trip check (rewrite
back), so the two cannot drift apart.

Rules, with reasons:

* A job with ``git_source`` downloads nothing, whatever its tasks' ``source`` says: the CLI
  does not translate any path of a job that has ``git_source``, so a relative path there
  would deploy broken. Its paths stay exactly as written (like ``bundle generate job``).
* Otherwise a slot is workspace source when its task ``source`` is ``WORKSPACE`` or unset
  and the value is an absolute workspace path (``dbfs:/``, ``s3://``, ``/Volumes/`` and
  ``/dbfs/`` are storage, not workspace). Libraries and environment dependencies count only
  under ``/Workspace/``, the only workspace form the Libraries API accepts.
* Paths the CLI does not translate (init scripts, ``alert_task.workspace_path``,
  ``gen_ai_compute_task.training_script_path``, jars) keep their absolute workspace path:
  they deploy unchanged, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

from dabgen_ci.core.bundle.tree import Location, format_path, get_at
from dabgen_ci.core.json_types import JsonArray, JsonMapping, JsonObject

SourceKind = Literal["notebook", "file", "directory"]

_PIP_FLAGS = ("-r ",)
_STORAGE_PREFIXES = ("/Volumes/", "/dbfs/")


@dataclass(frozen=True)
class SourceRef:
    """One workspace object a bundle needs, and every place that names it."""

    workspace_path: str
    kind: SourceKind
    referenced_by: tuple[str, ...]


class PathSlot(NamedTuple):
    """A place in job settings that holds a path (``prefix`` + ``path``)."""

    location: Location
    kind: SourceKind
    source: str | None  # the task's ``source`` field governing this path, if any
    path: str
    prefix: str = ""  # ``-r `` for a pip requirements flag
    library: bool = False  # libraries/dependencies only count under /Workspace/


def canonical_path(path: str) -> str:
    """Drop the optional ``/Workspace`` mount prefix: ``/Workspace/Users/a`` ≡ ``/Users/a``."""
    if path.startswith("/Workspace/"):
        return path[len("/Workspace") :]
    return path


def is_git_sourced(settings: JsonMapping) -> bool:
    return bool(settings.get("git_source"))


def path_slots(settings: JsonMapping) -> Iterator[PathSlot]:
    """Every path slot present in ``settings``, whatever its value looks like."""
    for i, task in enumerate(_list(settings.get("tasks"))):
        yield from _task_slots(task, ("tasks", i))
    for i, env in enumerate(_list(settings.get("environments"))):
        spec = env.get("spec") if isinstance(env, dict) else None
        deps = spec.get("dependencies") if isinstance(spec, dict) else None
        for j, dep in enumerate(_list(deps)):
            location = ("environments", i, "spec", "dependencies", j)
            slot = _dependency_slot(location, dep) if isinstance(dep, str) else None
            if slot:
                yield slot


def workspace_slots(settings: JsonMapping) -> list[PathSlot]:
    """The slots whose source is downloaded from the workspace (see module rules)."""
    if is_git_sourced(settings):
        return []
    return [slot for slot in path_slots(settings) if _is_workspace_source(slot)]


def workspace_refs(settings: JsonMapping) -> list[SourceRef]:
    """Every workspace source the job references, first appearance first, each once."""
    return refs_of(workspace_slots(settings))


def refs_of(slots: Iterable[PathSlot]) -> list[SourceRef]:
    """:func:`workspace_refs` of slots already found."""
    kinds: dict[str, SourceKind] = {}
    uses: dict[str, list[str]] = {}
    for slot in slots:
        kinds.setdefault(slot.path, slot.kind)
        uses.setdefault(slot.path, []).append(format_path(slot.location))
    return [SourceRef(path, kinds[path], tuple(uses[path])) for path in uses]


def task_key_at(settings: JsonMapping, location: str) -> str | None:
    """The innermost ``task_key`` on the way to a ``format_path`` string, if any."""
    node: object = settings
    found = None
    for part in _parse_location(location):
        try:
            node = get_at(node, (part,))
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("task_key"), str):
            found = node["task_key"]
    return found


def _task_slots(task: object, loc: Location) -> Iterator[PathSlot]:
    if not isinstance(task, dict):
        return
    yield from _field_slot(task, loc, ("notebook_task", "notebook_path"), "notebook")
    yield from _field_slot(task, loc, ("spark_python_task", "python_file"), "file")
    yield from _field_slot(task, loc, ("sql_task", "file", "path"), "file")
    yield from _field_slot(task, loc, ("dbt_task", "project_directory"), "directory")
    for j, lib in enumerate(_list(task.get("libraries"))):
        for field in ("whl", "requirements"):
            if isinstance(lib, dict) and isinstance(lib.get(field), str):
                yield PathSlot((*loc, "libraries", j, field), "file", None, lib[field], "", True)
    inner = task.get("for_each_task")
    if isinstance(inner, dict):
        yield from _task_slots(inner.get("task"), (*loc, "for_each_task", "task"))


def _field_slot(
    task: JsonObject, loc: Location, path: tuple[str, ...], kind: SourceKind
) -> Iterator[PathSlot]:
    parent: object = task
    for part in path[:-1]:
        parent = parent.get(part) if isinstance(parent, dict) else None
    if isinstance(parent, dict) and isinstance(parent.get(path[-1]), str):
        source = parent.get("source")
        yield PathSlot((*loc, *path), kind, source, parent[path[-1]])


def _dependency_slot(location: Location, dep: str) -> PathSlot | None:
    """A requirements file (``-r <path>``) or a wheel; other entries (package specs,
    editable directories) are not files to download."""
    for flag in _PIP_FLAGS:
        if dep.startswith(flag):
            return PathSlot(location, "file", None, dep[len(flag) :].strip(), flag, True)
    if dep.endswith(".whl"):
        return PathSlot(location, "file", None, dep, "", True)
    return None


def _is_workspace_source(slot: PathSlot) -> bool:
    if slot.source not in (None, "WORKSPACE"):
        return False
    if slot.library:
        return slot.path.startswith("/Workspace/")
    return slot.path.startswith("/") and not slot.path.startswith(_STORAGE_PREFIXES)


def _list(value: object) -> JsonArray:
    return value if isinstance(value, list) else []


def _parse_location(location: str) -> Iterator[str | int]:
    for segment in location.split("."):
        name, _, rest = segment.partition("[")
        if name:
            yield name
        for index in rest.replace("]", "").split("[") if rest else ():
            yield int(index)
