"""Structure of jobs: task keys, dependencies, and the compute each task names.

``task_key`` uniqueness is checked on the configuration as written (before a target is
applied), because the CLI silently merges tasks that share a key — the mechanism target
overrides rely on — so a duplicate in one file is almost always a mistake that would lose a
task. The rest runs on the resolved target, mirroring databricks/cli
``validate/job_cluster_key_defined.go`` and ``job_task_cluster_spec.go``; an undefined
``job_cluster_key`` or ``environment_key`` is an error here (the CLI only warns, but the
deploy is then rejected by the Jobs API).
"""

from __future__ import annotations

from typing import Any

from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.validate.located import LocTree, Path
from dabgen_ci.validate.rulebase import TaskRef, finding, iter_resources, iter_tasks
from dabgen_ci.validate.schema import task_types

_COMPUTE_TASKS = ("python_wheel_task", "dbt_task", "spark_jar_task", "spark_submit_task",
                  "spark_python_task")
_COMPUTE_FIELDS = ("job_cluster_key", "environment_key", "existing_cluster_id", "new_cluster")


def check_unique_task_keys(config: dict[str, Any], tree: LocTree | None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for key, job in iter_resources(config, "jobs"):
        seen: set[str] = set()
        for i, task in enumerate(job.get("tasks") or []):
            tkey = task.get("task_key") if isinstance(task, dict) else None
            if not isinstance(tkey, str):
                continue
            if tkey in seen:
                out.append(finding(
                    "error", f"task_key {tkey!r} is used by more than one task of job {key!r}; "
                    "task keys must be unique", tree, ("resources", "jobs", key, "tasks", i,
                                                       "task_key")))
            seen.add(tkey)
    return out


def check_jobs(config: dict[str, Any], tree: LocTree | None) -> list[Diagnostic]:
    """Dependencies, cycles, cluster/environment keys and compute of every task."""
    out: list[Diagnostic] = []
    for key, job in iter_resources(config, "jobs"):
        job_path: Path = ("resources", "jobs", key)
        tasks = list(iter_tasks(job, job_path))
        keys = {t.task.get("task_key") for t in tasks if not t.nested}
        clusters = _keys(job.get("job_clusters"), "job_cluster_key")
        environments = _keys(job.get("environments"), "environment_key")
        for t in tasks:
            out.extend(_check_depends_on(t, keys, tree))
            out.extend(_check_compute_keys(t, clusters, environments, tree))
            out.extend(_check_has_compute(t, tree))
            out.extend(_check_task_type(t, tree))
            if t.nested and t.task.get("for_each_task") is not None:
                out.append(finding("error", "a for_each_task cannot contain another "
                                   "for_each_task (the Jobs API rejects it)", tree,
                                   (*t.path, "for_each_task")))
        out.extend(_check_cycles(key, [t for t in tasks if not t.nested], tree))
    return out


def _keys(items: Any, field: str) -> set[object] | None:
    """Defined keys (as written: the schema check reports a key of the wrong type), or
    ``None`` when the list is itself an unresolved reference."""
    if isinstance(items, str):
        return None
    return {i.get(field) for i in items or [] if isinstance(i, dict)}


def _depends_on(task: dict[str, Any]) -> list[tuple[int, Any]]:
    deps = task.get("depends_on")
    if not isinstance(deps, list):
        return []
    return [(i, d.get("task_key")) for i, d in enumerate(deps) if isinstance(d, dict)]


def _check_depends_on(t: TaskRef, keys: set[object], tree: LocTree | None
                      ) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    deps = _depends_on(t.task)
    if t.nested and deps:
        return [finding("warning", "depends_on inside for_each_task.task is not checked by "
                        "dabgen; declare dependencies on the outer for_each task", tree,
                        (*t.path, "depends_on"))]
    for i, dep in deps:
        path = (*t.path, "depends_on", i, "task_key")
        if dep == t.task.get("task_key"):
            out.append(finding("error", f"task {dep!r} depends on itself", tree, path))
        elif isinstance(dep, str) and "${" not in dep and dep not in keys:
            out.append(finding("error", f"depends_on names task {dep!r}, which is not a task "
                               "of this job", tree, path))
    return out


def _check_compute_keys(t: TaskRef, clusters: set[object] | None,
                        environments: set[object] | None, tree: LocTree | None
                        ) -> list[Diagnostic]:
    out = []
    for field, defined, where in (("job_cluster_key", clusters, "job_clusters"),
                                  ("environment_key", environments, "environments")):
        value = t.task.get(field)
        if not isinstance(value, str) or not value or "${" in value or defined is None:
            continue
        if value not in defined:
            out.append(finding("error", f"{field} {value!r} is not defined in the job's "
                               f"{where}", tree, (*t.path, field)))
    return out


def _check_has_compute(t: TaskRef, tree: LocTree | None) -> list[Diagnostic]:
    """Tasks that run code need a cluster or an environment (notebooks may use their own)."""
    task = t.task
    if not any(task.get(kind) is not None for kind in _COMPUTE_TASKS):
        return []
    if any(task.get(field) for field in _COMPUTE_FIELDS):
        return []
    name = task.get("task_key", "?")
    return [finding("error", "missing required cluster or environment settings", tree, t.path,
                    detail=f"Task {name!r} requires a cluster or an environment to run. "
                    f"Specify one of: {', '.join(_COMPUTE_FIELDS)}.")]


def _check_task_type(t: TaskRef, tree: LocTree | None) -> list[Diagnostic]:
    """Exactly one ``*_task`` block: the Jobs API rejects a task with none or several."""
    known = task_types()
    kinds = sorted(k for k, v in t.task.items() if k in known and v is not None
                   and not (t.nested and k == "for_each_task"))  # reported on its own
    name = t.task.get("task_key", "?")
    if not kinds:
        return [finding("error", f"task {name!r} has no task type (such as notebook_task or "
                        "spark_python_task); check for a misspelled key", tree, t.path)]
    if len(kinds) > 1:
        return [finding("error", f"task {name!r} has several task types ({', '.join(kinds)});"
                        " a task runs exactly one", tree, (*t.path, kinds[1]))]
    return []


def _check_cycles(job_key: str, tasks: list[TaskRef], tree: LocTree | None
                  ) -> list[Diagnostic]:
    graph: dict[str, list[str]] = {}
    where: dict[str, Path] = {}
    for t in tasks:
        k = t.task.get("task_key")
        if isinstance(k, str):
            graph.setdefault(k, []).extend(d for _, d in _depends_on(t.task)
                                           if isinstance(d, str) and d != k)
            where.setdefault(k, t.path)
    cycle = _find_cycle(graph)
    if not cycle:
        return []
    chain = " → ".join([*cycle, cycle[0]])
    return [finding("error", f"tasks of job {job_key!r} form a dependency cycle: {chain}; "
                    "remove one depends_on", tree, (*where[cycle[0]], "depends_on"))]


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One cycle of the graph in dependency order, found by iterative depth-first search."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for start in sorted(graph):
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = []
        while stack:
            node, i = stack.pop()
            if i == 0:
                state[node] = 1
                trail.append(node)
            edges = [d for d in graph.get(node, []) if d in graph]
            if i < len(edges):
                stack.append((node, i + 1))
                nxt = edges[i]
                if state.get(nxt) == 1:
                    return trail[trail.index(nxt):]
                if not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                trail.pop()
    return None

