"""One job in a sync: merge it into its resource, add it, or handle its deletion (pure)."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from dabgen_ci.core.bundle import yamlfmt
from dabgen_ci.core.bundle.convert import PlannedJob
from dabgen_ci.core.bundle.layout import bind_command, resource_file, resource_header
from dabgen_ci.core.bundle.merge import (
    ABSENT,
    Change,
    FieldPath,
    MergeResult,
    assumed_base,
    get_path,
    merge_values,
)
from dabgen_ci.core.bundle.tree import Keyed, format_path
from dabgen_ci.core.json_types import JsonMapping, JsonObject
from dabgen_ci.core.sync.edit import BundleDocs, Refused, Write, edit_job, remove_job
from dabgen_ci.core.sync.forms import SyncVariables, bundle_form, path_for, resolved
from dabgen_ci.core.sync.locate import JobLocation
from dabgen_ci.core.sync.report import ChangeKind, FieldChange, FieldConflict, JobDrift


@dataclass(frozen=True)
class JobContext:
    """What converting any job of the bundle needs."""

    key_for_job_id: Mapping[int, str]
    variables: SyncVariables
    locals_by_path: Mapping[str, str]

    @property
    def key_to_id(self) -> dict[str, int]:
        return {key: job_id for job_id, key in self.key_for_job_id.items()}


def merge_job(docs: BundleDocs, ctx: JobContext, job_id: int, where: JobLocation,
              base: JsonMapping | None, ours: JsonMapping, theirs: JsonMapping) -> JobDrift | None:
    """Three-way merge of one job into its resource; None when nothing drifted.

    ``base``/``theirs`` are job settings, ``ours`` the repository's resource resolved for
    the target (variables substituted). Without a base (a job never synced) the base is
    assumed (:func:`~dabgen_ci.core.bundle.merge.assumed_base`): workspace differences are
    adopted, fields only the repository has are kept.
    """
    paths = path_for(ctx.locals_by_path, posixpath.dirname(where.file))
    theirs_form = bundle_form(theirs, key=where.key, paths=paths,
                              key_for_job_id=ctx.key_for_job_id, variables=ctx.variables)
    ids = ctx.key_to_id
    theirs_value = resolved(theirs_form, ctx.variables.values(), ids)
    ours_value = resolved(dict(ours), {}, ids)
    base_form: JsonObject = {}
    if base is None:
        base_value = assumed_base(ours_value, theirs_value)
    else:
        scratch = ctx.variables.copy()  # naming variables for the base must leave no trace
        base_form = bundle_form(base, key=where.key, paths=paths,
                                key_for_job_id=ctx.key_for_job_id, variables=scratch)
        base_value = resolved(base_form, scratch.values(), ids)
    result = merge_values(base_value, ours_value, theirs_value)
    if not result.drifted:
        return None
    name = str(theirs.get("name") or where.key)
    if base is not None and not result.conflicts and not result.kept \
            and _pristine(docs, where, job_id, base_form, base):
        # Nobody edited the file dabgen wrote: the generator's text for the workspace now
        # is exactly what the edits would produce.
        docs.replace(where.file, _resource_text(job_id, where.key, theirs, theirs_form))
        return _drift(job_id, where, name, result, [])
    writes = [Write(c.path, get_path(theirs_form, c.path), _order(theirs_form, c.path))
              for c in result.adopted]
    refused = edit_job(docs, where.file, where.key, writes)
    return _drift(job_id, where, name, result, refused)


def _pristine(docs: BundleDocs, where: JobLocation, job_id: int, base_form: JsonObject,
              base: JsonMapping) -> bool:
    """The resource file is byte for byte what the generator wrote for the base."""
    text = docs.texts.get(where.file)
    return (text is not None and text == _resource_text(job_id, where.key, base, base_form)
            and not docs.overridden(where.key))


def _resource_text(job_id: int, key: str, settings: JsonMapping, body: JsonObject) -> str:
    name = str(settings.get("name") or key)
    header = resource_header(PlannedJob(key, job_id, name, dict(settings)))
    return yamlfmt.dump({"resources": {"jobs": {key: body}}}, header=header)


def new_job(ctx: JobContext, job_id: int, key: str,
            settings: JsonMapping) -> tuple[str, str, JobDrift]:
    """A job that matches the selectors and is not in the repository: (file, text, drift)."""
    file = resource_file(key)
    paths = path_for(ctx.locals_by_path, posixpath.dirname(file))
    body = bundle_form(settings, key=key, paths=paths, key_for_job_id=ctx.key_for_job_id,
                       variables=ctx.variables)
    name = str(settings.get("name") or key)
    text = _resource_text(job_id, key, settings, body)
    tasks = tuple(str(t.get("task_key")) for t in body.get("tasks") or [] if isinstance(t, dict))
    return file, text, JobDrift(job_id, key, name, file, ("added",), tasks_added=tasks,
                                note=bind_note(key, job_id))


def bind_note(key: str, job_id: int) -> str:
    return f"Bind it before the first deploy: `{bind_command(key, job_id)}`."


def deleted_job(docs: BundleDocs, job_id: int, where: JobLocation, name: str,
                remove: bool) -> tuple[JobDrift, bool]:
    """A job gone from the workspace: (drift, whether its resource file can be deleted)."""
    if remove:
        empty = remove_job(docs, where.file, where.key)
        note = (f"**Removed `{where.file}`: the next deploy deletes job `{where.key}` "
                "wherever this bundle is deployed.**")
        return JobDrift(job_id, where.key, name, where.file, ("removed",), note=note), empty
    note = (f"**Job {job_id} was deleted in the workspace. Its resource stays "
            "(`sync.remove_deleted` is false), so the next deploy creates it again;** "
            f"delete `{where.file}` to let it go.")
    return JobDrift(job_id, where.key, name, where.file, ("removed",), note=note), False


def dropped_job(job_id: int, key: str, name: str, base: JsonMapping, theirs: JsonMapping
                ) -> JobDrift:
    """Removed from the repository but changed in the workspace: a conflict."""
    conflict = FieldConflict("(job)", "(removed from the repository)", dict(theirs), dict(base),
                             "the repository removed this job's resource and the workspace "
                             "changed the job; the repository's removal is kept")
    return JobDrift(job_id, key, name, "", ("conflict",), conflicts=(conflict,))


def _drift(job_id: int, where: JobLocation, name: str, result: MergeResult,
           refused: list[Refused]) -> JobDrift:
    refused_paths = {r.path: r.reason for r in refused}
    added, removed, changes = [], [], []
    for change in result.adopted:
        if change.path in refused_paths:
            continue
        task = _task_key(change.path)
        if task is not None and change.ours is ABSENT:
            added.append(task)
        elif task is not None and change.theirs is ABSENT:
            removed.append(task)
        else:
            changes.append(FieldChange(format_path(change.path), change.ours, change.theirs))
    conflicts = [_conflict(c) for c in result.conflicts]
    conflicts += [_conflict(c, refused_paths[c.path]) for c in result.adopted
                  if c.path in refused_paths]
    kinds: list[ChangeKind] = []
    if any(c.path == "name" for c in changes):
        kinds.append("renamed")
    if added or removed or any(c.path != "name" for c in changes):
        kinds.append("settings")
    if conflicts:
        kinds.append("conflict")
    return JobDrift(job_id, where.key, name, where.file, tuple(kinds), tuple(changes),
                    tuple(added), tuple(removed), conflicts=tuple(conflicts),
                    kept=len(result.kept))


def _conflict(change: Change, reason: str = "") -> FieldConflict:
    return FieldConflict(format_path(change.path), change.ours, change.theirs, change.base,
                         reason)


def _task_key(path: FieldPath) -> str | None:
    if len(path) == 2 and path[0] == "tasks" and isinstance(path[1], Keyed):
        return path[1].value
    return None


def _order(value: object, path: FieldPath) -> tuple[str, ...]:
    """Keys of the parent of ``path`` in ``value``, in order (for placing a new entry)."""
    parent = get_path(value, path[:-1])
    last = path[-1] if path else None
    if isinstance(last, Keyed) and isinstance(parent, list):
        return tuple(str(item.get(last.field)) for item in parent if isinstance(item, dict))
    if isinstance(parent, dict):
        return tuple(str(k) for k in parent)
    return ()
