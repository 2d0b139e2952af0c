"""The lint rules, one small function each (pure: bundle facts in, hits out).

A rule says what is wrong and where; its id, severity and fix hint live in the registry
(:mod:`dabgen_ci.core.review.lint`), which also applies silencing. Rules read the
configuration *as written* when the question is how something is written (a literal id
instead of a variable) and the configuration *a target resolves to* when the question is
what a deploy would do (a schedule left unpaused in ``dev``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from dabgen_ci.core.bot.markdown import literal
from dabgen_ci.core.bundle.pause import (
    PAUSABLE,
    UNPAUSED,
    deploy_default,
    deployed_pause_status,
)
from dabgen_ci.core.review.facts import (
    BundleFacts,
    Loc,
    Path,
    TargetView,
    fmt_path,
    is_reference,
    jobs,
    locate,
    tasks,
    walk,
)
from dabgen_ci.core.review.runtimes import support_ended

ID_FIELDS = {"existing_cluster_id": "cluster", "warehouse_id": "SQL warehouse",
             "policy_id": "cluster policy", "instance_pool_id": "instance pool",
             "driver_instance_pool_id": "instance pool"}
LOCAL_SOURCES = ((("notebook_task", "notebook_path"), "notebook"),
                 (("spark_python_task", "python_file"), "Python file"),
                 (("sql_task", "file", "path"), "SQL file"))


@dataclass(frozen=True)
class LintOptions:
    today: date
    prod_target: str = "prod"
    remove_deleted: bool = False  # `.dabgen.yml` declares that removing resources is intended


class Hit(NamedTuple):
    message: str
    file: str | None = None
    line: int | None = None
    path: str | None = None


def _hit(message: str, where: Loc | None, path: Path | str | None) -> Hit:
    text = path if isinstance(path, str) or path is None else fmt_path(path)
    return Hit(message, where.file if where else None, where.line if where else None, text)


def _resource_roots(facts: BundleFacts) -> Iterator[tuple[Path, Any]]:
    """``resources`` as written at the root and under every target."""
    yield ("resources",), facts.config.get("resources")
    targets = facts.config.get("targets")
    for name, target in (targets.items() if isinstance(targets, Mapping) else ()):
        if isinstance(target, Mapping):
            yield ("targets", name, "resources"), target.get("resources")


def hard_coded_ids(facts: BundleFacts, options: LintOptions) -> Iterator[Hit]:
    """DAB001: a cluster, warehouse, policy or pool id written as a literal."""
    for root, resources in _resource_roots(facts):
        for path, value in walk(resources, root):
            field = path[-1] if path else None
            kind = ID_FIELDS.get(field) if isinstance(field, str) else None
            if kind and isinstance(value, str) and value.strip() and not is_reference(value):
                yield _hit(f"hard-coded {kind} id {literal(value)} in "
                           f"{literal(fmt_path(path))}", locate(facts.locations, path), path)


def prod_target(facts: BundleFacts, options: LintOptions) -> Iterator[Hit]:
    """DAB002: no production target, or one deployed in development mode."""
    name = options.prod_target
    targets = facts.config.get("targets")
    target = targets.get(name) if isinstance(targets, Mapping) else None
    if not isinstance(target, Mapping):
        yield _hit(f"the bundle has no {literal(name)} target",
                   locate(facts.locations, ("targets",)), "targets")
    elif target.get("mode") == "development":
        path = ("targets", name, "mode")
        yield _hit(f"target {literal(name)} is in development mode: deploys get "
                   "`[dev user]` name prefixes and paused schedules",
                   locate(facts.locations, path), path)


def all_purpose_clusters(facts: BundleFacts, options: LintOptions) -> Iterator[Hit]:
    """DAB003: a task on an existing (all-purpose) cluster instead of job compute."""
    for root, resources in _resource_roots(facts):
        for key, job in jobs({"resources": resources} if resources else {}):
            for path, task in tasks(job, (*root, "jobs", key)):
                if task.get("existing_cluster_id"):
                    where = (*path, "existing_cluster_id")
                    task_key = literal(str(task.get("task_key", "?")))
                    yield _hit(f"task {task_key} of job {literal(key)} runs on an "
                               "all-purpose cluster (`existing_cluster_id`)",
                               locate(facts.locations, where), where)


def _notifies_on_failure(spec: Mapping[str, Any]) -> bool:
    for field in ("email_notifications", "webhook_notifications"):
        section = spec.get(field)
        if isinstance(section, Mapping) and section.get("on_failure"):
            return True
    return False


def failure_notifications(facts: BundleFacts, options: LintOptions) -> Iterator[Hit]:
    """DAB004: nobody hears about a failed run (job level, or every task)."""
    view = facts.target(options.prod_target) or facts.targets[0]
    for key, job in jobs(view.config):
        job_tasks = [t for _, t in tasks(job, ())]
        if _notifies_on_failure(job) or (job_tasks and all(map(_notifies_on_failure,
                                                              job_tasks))):
            continue
        path = ("resources", "jobs", key)
        yield _hit(f"job {literal(key)} sends no notification when a run fails",
                   locate(view.locations, path), path)


def _dev_targets(facts: BundleFacts) -> Iterator[TargetView]:
    for view in facts.targets:
        if view.name == "dev" or view.mode == "development":
            yield view


def unpaused_in_dev(facts: BundleFacts, options: LintOptions) -> Iterator[Hit]:
    """DAB005: a schedule or trigger that runs on its own in a development deploy.

    Development mode pauses schedules and triggers only where ``pause_status`` is unset
    (the CLI's trigger_pause_status preset, :func:`~dabgen_ci.core.bundle.pause.deploy_default`),
    so an explicit UNPAUSED survives it; a ``dev`` target without development mode pauses
    nothing unless its presets say so. dabgen's own bundles leave UNPAUSED out.
    """
    for view in _dev_targets(facts):
        default = deploy_default(view.config.get("presets"), view.mode)
        for key, job in jobs(view.config):
            for field in PAUSABLE:
                spec = job.get(field)
                if not isinstance(spec, Mapping):
                    continue
                explicit = bool(spec.get("pause_status"))
                if deployed_pause_status(spec, default) != UNPAUSED:
                    continue
                path: Path = ("resources", "jobs", key, field,
                              *(("pause_status",) if explicit else ()))
                why = _unpaused_why(explicit, view.mode == "development")
                yield _hit(f"the {field} of job {literal(key)} is unpaused in target "
                           f"{literal(view.name)}{why}",
                           locate(view.locations, path), path)


def _unpaused_why(explicit: bool, development: bool) -> str:
    """Why a deploy leaves it unpaused (a deploy fills in only an unset pause_status)."""
    if explicit:
        return " (`pause_status: UNPAUSED` is written, and a deploy keeps it)"
    if development:
        return " (`presets.trigger_pause_status: UNPAUSED`)"
    return " (the target is not in development mode and no preset pauses it)"


def end_of_support_runtimes(facts: BundleFacts, options: LintOptions) -> Iterator[Hit]:
    """DAB006: a cluster on a Databricks Runtime past its end of support."""
    for view in facts.targets:
        for path, value in walk(view.config.get("resources"), ("resources",)):
            if path and path[-1] == "spark_version" and isinstance(value, str) \
                    and not is_reference(value):
                why = support_ended(value, options.today)
                if why:
                    yield _hit(f"{why} ({literal(value)})", locate(view.locations, path), path)


def run_as_in_prod(facts: BundleFacts, options: LintOptions) -> Iterator[Hit]:
    """DAB007: production runs as whoever happened to deploy."""
    view = facts.target(options.prod_target)
    if view is None or view.config.get("run_as"):
        return
    missing = [key for key, job in jobs(view.config) if not job.get("run_as")]
    if missing:
        shown = ", ".join(literal(k) for k in missing[:5]) + (" …" if len(missing) > 5
                                                                 else "")
        path = ("targets", options.prod_target)
        yield _hit(f"target {literal(options.prod_target)} sets no `run_as`: job(s) {shown} "
                   "would run as whoever deploys", locate(facts.locations, path), path)


def missing_sources(facts: BundleFacts, options: LintOptions) -> Iterator[Hit]:
    """DAB008: a notebook or file the job points at is not in the bundle."""
    for view in facts.targets:
        for key, job in jobs(view.config):
            if job.get("git_source"):
                continue
            for path, task in tasks(job, ("resources", "jobs", key)):
                yield from _missing_in_task(facts, view, key, path, task)


def _missing_in_task(facts: BundleFacts, view: TargetView, key: str, path: Path,
                     task: Mapping[str, Any]) -> Iterator[Hit]:
    for fields, kind in LOCAL_SOURCES:
        holder: Any = task
        for part in fields[:-1]:
            holder = holder.get(part) if isinstance(holder, Mapping) else None
        value = holder.get(fields[-1]) if isinstance(holder, Mapping) else None
        if not isinstance(value, str) or not value or is_reference(value) \
                or value.startswith("/") or ":" in value.split("/", 1)[0] \
                or holder.get("source") == "GIT":
            continue
        where = locate(view.locations, (*path, *fields))
        local = posixpath.normpath(posixpath.join(posixpath.dirname(where.file) if where
                                                  else "", value))
        if local not in facts.files:
            task_key = literal(str(task.get("task_key", "?")))
            yield _hit(f"{kind} {literal(value)} of task {task_key} in job {literal(key)} "
                       "is not in the bundle", where, (*path, *fields))


def removed_without_intent(facts: BundleFacts, options: LintOptions) -> Iterator[Hit]:
    """DAB009: a job resource removed although `.dabgen.yml` does not say removals are meant."""
    if options.remove_deleted:
        return
    for job in facts.removed:
        name = f", {literal(job.name)}" if job.name else ""
        which = f" (job {job.job_id}{name})" if job.job_id else ""
        yield Hit(f"job resource {literal(job.key)}{which} was removed; deploying deletes "
                  "the job", job.file, None, f"resources.jobs.{job.key}")
