"""Job settings (raw ``jobs/get`` 2.2 JSON) → bundle job resources. Pure: data in, data out.

The promise is that nothing a user wrote in a job is lost. So conversion *copies* the
settings and changes only what a bundle must express differently:

* fields the server owns are dropped (:data:`READ_ONLY_SETTINGS`); the fields of the
  ``jobs/get`` body outside ``settings`` (``job_id``, ``creator_user_name``,
  ``created_time``, ``run_as_user_name``, ``effective_*``, ``trigger_state``…) are never
  copied in the first place;
* workspace source paths become paths relative to the resource file (``path_for``);
* ``run_job_task.job_id`` of a job in the same bundle becomes
  ``${resources.jobs.<key>.id}``;
* environment-specific ids become ``${var.<name>}`` (:mod:`dabgen_ci.core.bundle.variables`);
* ``pause_status: UNPAUSED`` (the Jobs API default) is left out of ``schedule``, ``trigger``
  and ``continuous``, so development mode can pause them (:mod:`dabgen_ci.core.bundle.pause`);
* a Jobs API 2.0 single-task body gets the one-task shape the 2.1 API presents it in
  (:mod:`dabgen_ci.core.bundle.single_task`).

Every other field, known or not (new API fields, every task type), is carried unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import regex

from dabgen_ci.core.bundle.keys import resource_key
from dabgen_ci.core.bundle.order import order_job
from dabgen_ci.core.bundle.pause import omit_default_pause_status
from dabgen_ci.core.bundle.single_task import to_multi_task
from dabgen_ci.core.bundle.sources import (
    PathSlot,
    SourceRef,
    canonical_path,
    is_git_sourced,
    refs_of,
    workspace_slots,
)
from dabgen_ci.core.bundle.tree import Location, format_path, get_at, set_at
from dabgen_ci.core.bundle.variables import Variable, VariableRegistry, id_slots
from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.json_types import JsonMapping, JsonObject
from dabgen_ci.errors import BadInputError

# Settings the server or the bundle deployment owns: ``format`` is ignored on create/reset,
# ``deployment`` and ``edit_mode`` are written by ``bundle deploy`` itself.
READ_ONLY_SETTINGS = frozenset({"format", "deployment", "edit_mode"})

PathFor = Callable[[str, str], str]

# A reference the CLI would try to resolve inside a user's string (libs/dyn/dynvar).
_CLI_REFERENCE = regex.compile(
    r"\$\{(?:var|bundle|workspace|variables|resources|artifacts)\.[^}]*\}"
)


@dataclass(frozen=True)
class PlannedJob:
    key: str
    job_id: int | None
    name: str
    settings: JsonObject  # not modified once planned
    # The job's workspace source slots, found once: planning, progressive rendering and
    # rendering each need them (finding them three times was 7 % of the flow).
    slots: tuple[PathSlot, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", tuple(workspace_slots(self.settings)))


@dataclass(frozen=True)
class BundlePlan:
    """Every decision that does not depend on the exported files."""

    bundle_name: str
    jobs: tuple[PlannedJob, ...]
    sources: tuple[SourceRef, ...]
    variables: tuple[Variable, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    # Variables the jobs reference on purpose but whose value dabgen cannot observe
    # (name → description), e.g. the warehouse of a folder of SQL notebooks: declared
    # without a default, so deploy asks for a value (--var / BUNDLE_VAR_<name>).
    required_variables: tuple[tuple[str, str], ...] = ()

    # Built once: the renderer asks for it per job (rebuilding it was quadratic; a cached
    # property takes a lock per look-up on Python 3.11).
    key_for_job_id: dict[int, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_for_job_id", {
            job.job_id: job.key for job in self.jobs if job.job_id is not None})


def job_resource(
    settings: JsonMapping,
    *,
    key: str,
    path_for: PathFor,
    key_for_job_id: Mapping[int, str],
    variables: VariableRegistry,
    slots: Sequence[PathSlot] | None = None,
) -> JsonObject:
    """The bundle resource (``resources.jobs.<key>`` body) for one job's settings.

    ``path_for(workspace_path, kind)`` returns the string to write for a workspace source
    (a relative local path, or the absolute path when the source could not be exported).
    ``slots``: the settings' workspace slots, when the caller has them already.
    """
    # order_job copies every container, so the settings are never modified below.
    body = order_job(omit_default_pause_status(
        {k: v for k, v in settings.items() if k not in READ_ONLY_SETTINGS}))
    for slot in workspace_slots(settings) if slots is None else slots:
        set_at(body, slot.location, slot.prefix + path_for(slot.path, slot.kind))
    register_variables(body, key=key, variables=variables, replace=True)
    _link_jobs(body, key_for_job_id)
    return body


def register_variables(settings: JsonObject, *, key: str, variables: VariableRegistry,
                       replace: bool = False) -> None:
    """Register each environment-specific id of ``settings`` (in slot order, which fixes the
    variable names); with ``replace``, also write ``${var.<name>}`` in its place."""
    job_name = str(settings.get("name") or key)
    for location, kind in list(id_slots(settings)):
        value = get_at(settings, location)
        if isinstance(value, str) and value and not value.startswith("${"):
            ref = variables.ref(kind, value, job_name=job_name)
            if replace:
                set_at(settings, location, ref)


def plan_bundle(
    jobs: Sequence[JsonMapping],
    *,
    bundle_name: str,
    required_variables: Mapping[str, str] | None = None,
) -> BundlePlan:
    """Keys, shared sources and variables for a set of ``jobs/get`` bodies.

    Jobs are taken in ``job_id`` order so keys and variable names do not depend on the
    order jobs were listed in; the same job given twice is planned once.
    """
    planned = _plan_jobs(jobs)
    registry = VariableRegistry()
    for job in planned:
        register_variables(job.settings, key=job.key, variables=registry)
    required = dict(sorted((required_variables or {}).items()))
    diagnostics = [d for job in planned for d in _job_diagnostics(job, set(required))]
    return BundlePlan(
        bundle_name=bundle_name,
        jobs=tuple(planned),
        sources=_merge_sources(planned),
        variables=registry.variables(),
        diagnostics=tuple(diagnostics),
        required_variables=tuple(required.items()),
    )


def _plan_jobs(jobs: Sequence[JsonMapping]) -> list[PlannedJob]:
    seen: set[int] = set()
    bodies = []
    for n, body in enumerate(jobs, start=1):
        settings = body.get("settings")
        if not isinstance(settings, dict):
            raise BadInputError(f"job #{n} is not a jobs/get body: it has no 'settings' object")
        job_id = _as_job_id(body.get("job_id"))
        if job_id is not None and job_id in seen:
            continue
        if job_id is not None:
            seen.add(job_id)
        label = f"job {job_id}" if job_id is not None else f"job #{n}"
        bodies.append((job_id, to_multi_task(settings, job=label)))
    bodies.sort(key=lambda item: (item[0] is None, item[0] or 0))
    taken: set[str] = set()
    planned = []
    for job_id, settings in bodies:
        name = str(settings.get("name") or (f"job {job_id}" if job_id is not None else "job"))
        key = resource_key(name, taken)
        taken.add(key)
        planned.append(PlannedJob(key, job_id, name, settings))
    return planned


def _merge_sources(planned: Sequence[PlannedJob]) -> tuple[SourceRef, ...]:
    """One ref per workspace object across all jobs (``/Workspace/x`` ≡ ``/x``)."""
    # Uses are gathered in lists: a tuple grown per job was quadratic in a notebook that
    # thousands of jobs share.
    first: dict[str, SourceRef] = {}  # canonical path → its first ref (path and kind)
    uses: dict[str, list[str]] = {}
    for job in planned:
        for ref in refs_of(job.slots):
            canonical = canonical_path(ref.workspace_path)
            first.setdefault(canonical, ref)
            uses.setdefault(canonical, []).extend(
                f"resources.jobs.{job.key}.{use}" for use in ref.referenced_by)
    return tuple(SourceRef(first[k].workspace_path, first[k].kind, tuple(uses[k]))
                 for k in sorted(first))


def _link_jobs(body: JsonObject, key_for_job_id: Mapping[int, str]) -> None:
    for location in _run_job_locations(body):
        job_id = _as_job_id(get_at(body, location))
        if job_id is not None and job_id in key_for_job_id:
            set_at(body, location, f"${{resources.jobs.{key_for_job_id[job_id]}.id}}")


def _run_job_locations(body: JsonObject) -> list[Location]:
    found: list[Location] = []
    tasks = body.get("tasks")
    todo: list[tuple[Location, object]] = (
        [(("tasks", i), t) for i, t in enumerate(tasks)] if isinstance(tasks, list) else []
    )
    while todo:
        loc, task = todo.pop(0)
        if not isinstance(task, dict):
            continue
        run_job = task.get("run_job_task")
        if isinstance(run_job, dict) and "job_id" in run_job:
            found.append((*loc, "run_job_task", "job_id"))
        inner = task.get("for_each_task")
        if isinstance(inner, dict):
            todo.append(((*loc, "for_each_task", "task"), inner.get("task")))
    return found


def _as_job_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _job_diagnostics(job: PlannedJob, declared: set[str]) -> list[Diagnostic]:
    file = f"resources/{job.key}.job.yml"
    out = []
    if is_git_sourced(job.settings):
        out.append(
            Diagnostic(
                "info",
                f"job '{job.name}' runs from git_source; its paths stay as written and no "
                "workspace source is downloaded",
                file=file,
                path=f"resources.jobs.{job.key}.git_source",
            )
        )
    deployment = job.settings.get("deployment")
    if isinstance(deployment, dict) and deployment.get("kind") == "BUNDLE":
        out.append(
            Diagnostic(
                "warning",
                f"job '{job.name}' is already deployed by a bundle; deploying this one too "
                "gives the job two owners",
                detail=str(deployment.get("metadata_file_path") or ""),
                file=file,
                path=f"resources.jobs.{job.key}",
            )
        )
    intended = {f"${{var.{name}}}" for name in declared}
    for location, text in _strings(job.settings, ()):
        if text not in intended and _CLI_REFERENCE.search(text):
            out.append(
                Diagnostic(
                    "warning",
                    f"job '{job.name}' has a literal '${{...}}' that the bundle will try to "
                    "resolve as a reference",
                    detail=text,
                    file=file,
                    path=format_path(("resources", "jobs", job.key, *location)),
                )
            )
    return out


def _strings(value: object, location: Location) -> Iterator[tuple[Location, str]]:
    """The strings below ``value`` that hold ``${`` (the only ones a reference can be in),
    depth first; a location is built only for a container or a string it yields (one per
    value was most of planning's time)."""
    if isinstance(value, dict):
        children: Iterable[tuple[str | int, object]] = value.items() if location else (
            (k, v) for k, v in value.items() if k not in READ_ONLY_SETTINGS)
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        if isinstance(value, str) and "${" in value:
            yield location, value
        return
    for key, child in children:
        if isinstance(child, str):
            if "${" in child:
                yield (*location, key), child
        elif isinstance(child, (dict, list)):
            yield from _strings(child, (*location, key))
