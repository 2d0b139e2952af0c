"""The deploy plan: what deploying a bundle target would do to the workspace's jobs (pure).

For each job resource the plan compares the settings a deploy would send (the resource
resolved for the target: overrides merged, variables substituted — done by the caller with
the validator's resolution) with the job's live settings, after the round-trip check's
normalisation (:mod:`dabgen_ci.core.bundle.roundtrip`: server-owned fields dropped,
``${resources.jobs.<key>.id}`` resolved, a local source path equal to the workspace path it
deploys to; ``pause_status: UNPAUSED`` the same as none). Keyed lists are lined up by key
(:mod:`dabgen_ci.core.review.align`), and a field the bundle leaves out whose live value is
the API's default (empty, zero, false, ``max_concurrent_runs: 1``, ``run_if: ALL_SUCCESS``)
is not a change. The caller fills in the ``pause_status`` the target's presets give an unset
one (:func:`~dabgen_ci.core.bundle.pause.as_deployed`), as a deploy does.

A resource with no job id is created; a resource the pull request removes deletes its job.
With the job as dabgen last synced it (``base``), a change to a field the workspace edited
since then is flagged: deploying would overwrite that UI edit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from dabgen_ci.core.bundle.pause import API_DEFAULT, PAUSABLE, PAUSE_PATHS
from dabgen_ci.core.bundle.roundtrip import ABSENT, Difference, compare
from dabgen_ci.core.review.align import align, name_items
from dabgen_ci.core.secrets import MASK, mask_tokens

ChangeKind = Literal["update", "create", "delete"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("update", "create", "delete")  # the order shown
_PATH_PARTS = re.compile(r"[^.\[\]]+")
API_DEFAULTS: dict[str, object] = {"max_concurrent_runs": 1, "run_if": "ALL_SUCCESS",
                                   "format": "MULTI_TASK"}


@dataclass(frozen=True)
class FieldChange:
    """One field a deploy changes: YAML path, live value → bundle value (ABSENT: none)."""

    path: str
    old: object
    new: object
    ui_edit: bool = False  # changed in the workspace since the last sync: a deploy undoes it


@dataclass(frozen=True)
class JobChange:
    kind: ChangeKind
    key: str
    name: str
    file: str
    job_id: int | None = None
    changes: tuple[FieldChange, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class DeployPlan:
    target: str
    jobs: tuple[JobChange, ...] = ()
    skipped: str = ""  # why no plan was made (no credentials, a fork…); empty when made
    state: str = ""  # what the target's deployment state said (where bound job ids came from)

    def of_kind(self, kind: ChangeKind) -> list[JobChange]:
        return [j for j in self.jobs if j.kind == kind]


@dataclass(frozen=True)
class PlannedResource:
    """A job resource as a deploy of the target sends it."""

    key: str
    file: str  # where it is written (repository-relative, for people)
    settings: Mapping[str, Any]  # resolved for the target
    job_id: int | None = None  # the bound job (deployment state), else the header's
    resource_dir: str = "resources"  # bundle-relative folder of the file (relative paths)
    bound: bool | None = None  # in the target's deployment state (None: state not read)
    header_job_id: int | None = None  # from the resource header `# dabgen: job <id>`


@dataclass(frozen=True)
class RemovedResource:
    key: str
    file: str
    job_id: int | None
    name: str = ""
    in_state_only: bool = False  # deleted from the files earlier, still deployed


def plan_deploy(target: str, resources: tuple[PlannedResource, ...],
                removed: tuple[RemovedResource, ...], live: Mapping[int, Mapping[str, Any] | None],
                base: Mapping[int, Mapping[str, Any]] | None = None) -> DeployPlan:
    """The plan for ``target``. ``live`` maps job id → live settings (None: no such job)."""
    ids = {r.key: r.job_id for r in resources if r.job_id is not None}
    out: list[JobChange] = []
    for resource in resources:
        settings = live.get(resource.job_id) if resource.job_id is not None else None
        if settings is None:
            out.append(_create(resource))
        elif resource.bound is False:
            out.append(_unbound(resource, settings, ids, target))
        else:
            out.append(_update(resource, settings, ids, (base or {}).get(resource.job_id or 0)))
    for gone in removed:
        out.append(_delete(gone, live.get(gone.job_id) if gone.job_id is not None else None))
    return DeployPlan(target, tuple(out))


def _name(settings: Mapping[str, Any] | None, fallback: str) -> str:
    name = settings.get("name") if settings else None
    return name if isinstance(name, str) and name else fallback


def _create(resource: PlannedResource) -> JobChange:
    note = ""
    if resource.bound is False and resource.job_id is None:
        note = "new job: the deployment state binds no job to this key"
    elif resource.job_id is not None:
        note = (f"job {resource.job_id} named in the resource header does not exist in the "
                "workspace, so a deploy creates a new job")
    return JobChange("create", resource.key, _name(resource.settings, resource.key),
                     resource.file, None, note=note)


def _unbound(resource: PlannedResource, settings: Mapping[str, Any], ids: Mapping[str, int],
             target: str) -> JobChange:
    """The header names a live job the deployment state does not bind: a deploy creates a
    second job. The changes are what a deploy after binding would make to that job."""
    changes = field_changes(settings, resource.settings, ids, resource.resource_dir)
    note = (f"not bound in the `{target}` deployment state: this deploy creates a second "
            f"job beside job {resource.job_id}; bind it first (`databricks bundle deployment "
            f"bind {resource.key} {resource.job_id} --target {target}`) and the deploy "
            f"updates job {resource.job_id} instead, changing {len(changes)} field(s)")
    return JobChange("create", resource.key, _name(settings, resource.key), resource.file,
                     resource.job_id, tuple(changes), note)


def _delete(gone: RemovedResource, settings: Mapping[str, Any] | None) -> JobChange:
    note = ""
    if gone.in_state_only:
        note = ("in the deployment state but in no resource file (removed earlier, never "
                "deployed since)")
    elif gone.job_id is None:
        note = "no job id is recorded for it: the job it deployed, if any, is deleted"
    elif settings is None:
        note = f"job {gone.job_id} does not exist in the workspace any more"
    return JobChange("delete", gone.key, _name(settings, gone.name or gone.key), gone.file,
                     gone.job_id, note=note)


def _update(resource: PlannedResource, settings: Mapping[str, Any], ids: Mapping[str, int],
            base: Mapping[str, Any] | None) -> JobChange:
    changes = field_changes(settings, resource.settings, ids, resource.resource_dir)
    if base is not None:
        edited = [c.path for c in field_changes(base, settings, ids, resource.resource_dir)]
        changes = [FieldChange(c.path, c.old, c.new, _touches(c.path, edited)) for c in changes]
    note = ""
    if resource.header_job_id not in (None, resource.job_id):
        note = (f"the deployment state binds job {resource.job_id}; the resource header "
                f"names job {resource.header_job_id}")
    return JobChange("update", resource.key, _name(settings, resource.key), resource.file,
                     resource.job_id, tuple(changes), note)


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any], ids: Mapping[str, int],
                  resource_dir: str = "resources") -> list[FieldChange]:
    """Fields that differ from ``old`` (API form) to ``new`` (a resolved bundle resource)."""
    aligned = align(old, new)
    found = [_field(d, aligned.keys) for d in compare(
        aligned.old, aligned.new, variables={}, local_to_workspace=lambda _: None,
        key_to_job_id=ids, resource_dir=resource_dir)]
    found += [FieldChange(f"{f}[{k}]", item, ABSENT) for f, k, item in aligned.only_old]
    found += [FieldChange(f"{f}[{k}]", ABSENT, item) for f, k, item in aligned.only_new]
    return [_pause_shown(c) for c in found if not _api_default(c)]


def _field(difference: Difference, keys: Mapping[str, tuple[str, ...]]) -> FieldChange:
    return FieldChange(name_items(difference.path, keys), difference.original, difference.bundle)


def _pause_shown(change: FieldChange) -> FieldChange:
    """A ``pause_status`` the comparison left out is UNPAUSED, and is shown as such: the
    workspace has it now, or a deploy gives it."""
    if change.path not in PAUSE_PATHS:
        return change
    return replace(change, old=API_DEFAULT if change.old is ABSENT else change.old,
                   new=API_DEFAULT if change.new is ABSENT else change.new)


def _api_default(change: FieldChange) -> bool:
    """The bundle leaves out a field whose live value is what the API uses anyway.

    Never a whole ``schedule``, ``trigger`` or ``continuous``: ``continuous: {}`` (UNPAUSED
    left out, :mod:`dabgen_ci.core.bundle.pause`) is a continuous job, and a deploy without
    it stops being one."""
    if change.new is not ABSENT or change.path in PAUSABLE:
        return False
    value, leaf = change.old, change.path.rsplit(".", 1)[-1]
    if value in ({}, [], "", None) or (value is False) or value == 0:
        return True
    return leaf in API_DEFAULTS and API_DEFAULTS[leaf] == value


def masked(plan: DeployPlan, sensitive: Callable[[str], bool]) -> DeployPlan:
    """The plan as it may be shown: a value under a secret-sounding name (``sensitive``) is
    ``***``, token-shaped text anywhere is masked. The live job may hold what the bundle
    never should, and the plan quotes the live job."""
    def value(v: object, under_secret: bool) -> object:
        if v is ABSENT:
            return v
        if under_secret:
            return MASK
        if isinstance(v, Mapping):
            return {k: value(x, sensitive(str(k))) for k, x in v.items()}
        if isinstance(v, list):
            return [value(x, False) for x in v]
        return mask_tokens(v) if isinstance(v, str) else v

    def change(c: FieldChange) -> FieldChange:
        secret = any(sensitive(part) for part in _PATH_PARTS.findall(c.path))
        return replace(c, old=value(c.old, secret), new=value(c.new, secret))

    jobs = tuple(replace(j, changes=tuple(change(c) for c in j.changes)) for j in plan.jobs)
    return replace(plan, jobs=jobs)


def _touches(path: str, edited: list[str]) -> bool:
    """``path`` is an edited field, inside one, or holds one."""
    return any(path == e or path.startswith((e + ".", e + "[")) or
               e.startswith((path + ".", path + "[")) for e in edited)
