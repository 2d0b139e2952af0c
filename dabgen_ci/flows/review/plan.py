"""The deploy plan of one bundle: its target resolved, its jobs read from the workspace.

Reads only, through the same :class:`~dabgen_ci.workspace.base.WorkspaceSource` generate
uses: the target's deployment state (which job each resource key is bound to, as a deploy
sees it: :mod:`dabgen_ci.core.bundle.deploy_state`), then ``jobs/get`` for each bound job,
each job a resource header names, and each removed resource. When the state cannot be read
(a path only a deploy can resolve, no permission), the headers stand in for it and the plan
says so. The comparison itself is pure (:mod:`dabgen_ci.core.review.plan`).

The sync base — the workspace as dabgen last saw it, recorded next to the bundle by
``dabgen sync`` (:mod:`dabgen_ci.core.sync.base`) — lets the plan say which changes would
overwrite UI edits made since; a bundle without the record gets a plan without that
call-out. A schedule, trigger or continuous run that sets no ``pause_status`` gets the one
the target's presets give it (PAUSED in development mode), as ``bundle deploy`` does.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dabgen_ci.core.bundle.pause import as_deployed, deploy_default
from dabgen_ci.core.paths import is_inside
from dabgen_ci.core.review.plan import (
    DeployPlan,
    PlannedResource,
    RemovedResource,
    masked,
    plan_deploy,
)
from dabgen_ci.core.sync.base import JOBS_DIR, parse_job_record
from dabgen_ci.errors import BadInputError, NotFoundError, WorkspaceError
from dabgen_ci.flows.review.bundle import JobResource
from dabgen_ci.flows.review.state import TargetState, state_the_jobs_name, target_state
from dabgen_ci.validate.loader import LoadedBundle
from dabgen_ci.validate.rules_secrets import sensitive_name
from dabgen_ci.validate.targets import resolve_target
from dabgen_ci.workspace.base import WorkspaceSource

MAX_SYNC_BASE_BYTES = 20_000_000
_WORKSPACE_REF = re.compile(r"\$\{workspace\.([A-Za-z_][A-Za-z_.]*)\}")


def deploy_plan(loaded: LoadedBundle, root: str, target: str,
                resources: Mapping[str, JobResource], removed: tuple[JobResource, ...],
                source: WorkspaceSource) -> DeployPlan:
    """What deploying ``target`` of the bundle would do to the jobs of the workspace."""
    resolved = _resolved(loaded.config, target)
    if isinstance(resolved, str):
        return DeployPlan(target, skipped=resolved)
    bundle = resolved.get("bundle")
    mode = bundle.get("mode") if isinstance(bundle, dict) else None
    pause = deploy_default(resolved.get("presets"), mode)
    deployed = target_state(resolved, target, source)
    jobs = [(key, as_deployed(settings, pause)) for key, settings in
            _jobs(_bundle_references(resolved, target, deployed.path_of))]

    def bind(bound: Mapping[str, int] | None) -> _Bound:
        planned = tuple(_planned(root, key, settings, resources.get(key), bound)
                        for key, settings in jobs)
        gone = _removed(root, removed, bound) + _only_in_state(
            bound, {p.key for p in planned} | {r.key for r in removed})
        live = read_live(source, [*(p.job_id for p in planned), *(g.job_id for g in gone)])
        return _Bound(planned, gone, live)

    try:
        bound = bind(deployed.bound)
        named = state_the_jobs_name(source, deployed, target, [
            bound.live.get(p.header_job_id) for p in bound.planned if p.header_job_id])
        if named is not None:
            deployed, bound = named, bind(named.bound)
    except WorkspaceError as exc:
        return DeployPlan(target, skipped=f"could not read the workspace: {exc}")
    plan = plan_deploy(target, bound.planned, bound.gone, bound.live,
                       read_sync_base(loaded.root))
    return masked(replace(plan, state=deployed.note), sensitive_name)


@dataclass(frozen=True)
class _Bound:
    """The resources of a plan under one reading of the deployment state."""

    planned: tuple[PlannedResource, ...]
    gone: tuple[RemovedResource, ...]
    live: dict[int, Any]


def removal_plan(root: str, target: str, removed: tuple[JobResource, ...],
                 source: WorkspaceSource, base_config: Mapping[str, Any] | None) -> DeployPlan:
    """The plan of a change that deletes the whole bundle: every job it deployed goes.

    Which jobs those are comes from the deployment state of the target as the base
    revision configured it; without a readable state, from the resource headers."""
    deployed = _base_state(base_config, target, source)
    bound = deployed.bound if deployed else None
    gone = _removed(root, removed, bound) + _only_in_state(bound, {r.key for r in removed})
    try:
        live = read_live(source, [r.job_id for r in gone])
    except WorkspaceError as exc:
        return DeployPlan(target, skipped=f"could not read the workspace: {exc}")
    plan = plan_deploy(target, (), gone, live)
    return masked(replace(plan, state=deployed.note if deployed else ""), sensitive_name)


def _base_state(config: Mapping[str, Any] | None, target: str,
                source: WorkspaceSource) -> TargetState | None:
    resolved = _resolved(config, target) if config is not None else None
    return target_state(resolved, target, source) if isinstance(resolved, dict) else None


def _resolved(config: Mapping[str, Any], target: str) -> dict[str, Any] | str:
    """The configuration a deploy of ``target`` uses, or why there is none."""
    targets = config.get("targets")
    if not isinstance(targets, dict) or target not in targets:
        return f"the bundle has no `{target}` target"
    try:
        return resolve_target(dict(config), target)
    except BadInputError as exc:
        return f"target `{target}` cannot be resolved: {exc}"


def read_live(source: WorkspaceSource, ids: list[int | None]) -> dict[int, Any]:
    """Job id → live settings (None: no such job); other failures raise WorkspaceError."""
    return {job_id: _live_settings(source, job_id)
            for job_id in sorted({i for i in ids if i is not None})}


def read_sync_base(bundle_root: Path) -> dict[int, dict[str, Any]]:
    """Job id → settings as the last `dabgen sync` recorded them (``.dabgen/jobs/<id>.json``).

    A record that cannot be read is left out: the plan then only misses the UI-edit call-out
    for that job, which is no reason to fail a review.
    """
    folder = bundle_root / JOBS_DIR
    found: dict[int, dict[str, Any]] = {}
    if not folder.is_dir() or not is_inside(bundle_root, folder):
        return found
    for path in sorted(folder.glob("*.json")):
        if not is_inside(bundle_root, path) or not path.is_file() \
                or path.stat().st_size > MAX_SYNC_BASE_BYTES:
            continue
        try:
            record = parse_job_record(path.read_text(encoding="utf-8"), path.name)
        except (OSError, UnicodeDecodeError, BadInputError):
            continue
        if not record.deleted:
            found[record.job_id] = dict(record.settings)
    return found


def _live_settings(source: WorkspaceSource, job_id: int) -> dict[str, Any] | None:
    try:
        job = source.get_job(job_id)
    except NotFoundError:
        return None
    settings = job.get("settings")
    return settings if isinstance(settings, dict) else {}


def _planned(root: str, key: str, settings: dict[str, Any], resource: JobResource | None,
             bound: Mapping[str, int] | None) -> PlannedResource:
    file = resource.file if resource else ""
    header = resource.job_id if resource else None
    return PlannedResource(key, _in_repo(root, file) if file else root, settings,
                           bound.get(key, header) if bound is not None else header,
                           posixpath.dirname(file) or ".",
                           bound=key in bound if bound is not None else None,
                           header_job_id=header)


def _removed(root: str, removed: tuple[JobResource, ...],
             bound: Mapping[str, int] | None) -> tuple[RemovedResource, ...]:
    """What removing these resources deletes: the bound job, or nothing when the state is
    known and binds none (a resource never deployed leaves nothing behind)."""
    return tuple(RemovedResource(r.key, _in_repo(root, r.file),
                                 bound[r.key] if bound is not None else r.job_id, r.name)
                 for r in removed if bound is None or r.key in bound)


def _only_in_state(bound: Mapping[str, int] | None, known: set[str]) -> tuple[RemovedResource, ...]:
    """Jobs the state still binds to keys no resource has: the next deploy deletes them."""
    return tuple(RemovedResource(key, "", job_id, in_state_only=True)
                 for key, job_id in sorted((bound or {}).items()) if key not in known)


def _jobs(config: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    jobs = (config.get("resources") or {}).get("jobs") or {}
    return [(k, v) for k, v in jobs.items() if isinstance(v, dict)] if isinstance(jobs,
                                                                                  dict) else []


def _bundle_references(config: dict[str, Any], target: str,
                       path_of: Callable[[str], str | None]) -> dict[str, Any]:
    """``${bundle.target}``, ``${bundle.name}`` and the ``${workspace.*}`` paths, which a
    deploy resolves the same way (a path only a deploy can know stays as written)."""
    bundle = config.get("bundle")
    if not isinstance(bundle, dict):
        bundle = {}
    known = {"${bundle.target}": target, "${bundle.name}": str(bundle.get("name") or "")}

    def workspace_ref(match: re.Match[str]) -> str:
        try:
            found = path_of(match.group(1))
        except WorkspaceError:
            found = None
        return found if found is not None else match.group(0)

    def swap(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, str) and "${bundle." in value:
            for ref, text in known.items():
                value = value.replace(ref, text)
        if isinstance(value, str) and "${workspace." in value:
            value = _WORKSPACE_REF.sub(workspace_ref, value)
        return value

    return {k: swap(v) for k, v in config.items()}


def _in_repo(root: str, file: str) -> str:
    return posixpath.normpath(posixpath.join(root, file)) if root not in ("", ".") else file
