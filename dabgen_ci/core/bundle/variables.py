"""Environment-specific ids become bundle variables.

A cluster id, SQL warehouse id, cluster policy id or instance pool id names an object of
one workspace; deploying the bundle to another workspace needs another value. Each such
id becomes a bundle variable whose ``default`` is the value observed in the job, so the
bundle deploys unchanged where it came from and a target can override it elsewhere.

Naming: one variable per distinct (kind, value). The first value of a kind gets the plain
name (``warehouse_id``), later ones a counter (``warehouse_id_2``…), numbered in the order
the plan meets them (jobs by id, then ``job_clusters`` before ``tasks``, tasks in job
order). Counters are predictable and always valid reference segments; names derived from
job or cluster names would be longer and change whenever a job is renamed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from dabgen_ci.core.bundle.tree import Location
from dabgen_ci.core.json_types import JsonArray, JsonObject

# kind → (variable base name, what it is, for the description)
KINDS: dict[str, tuple[str, str]] = {
    "cluster": ("cluster_id", "ID of the existing all-purpose cluster"),
    "warehouse": ("warehouse_id", "ID of the SQL warehouse"),
    "policy": ("policy_id", "ID of the cluster policy"),
    "instance_pool": ("instance_pool_id", "ID of the instance pool"),
}

# Tasks whose ``<task>.warehouse_id`` names a SQL warehouse.
WAREHOUSE_TASKS = (
    "sql_task",
    "notebook_task",
    "dbt_task",
    "dashboard_task",
    "alert_task",
    "power_bi_task",
)
_CLUSTER_FIELDS = (
    ("policy_id", "policy"),
    ("instance_pool_id", "instance_pool"),
    ("driver_instance_pool_id", "instance_pool"),
)


@dataclass(frozen=True)
class Variable:
    """A bundle variable: ``${var.<name>}`` with ``default`` observed in the workspace."""

    name: str
    kind: str
    default: str
    used_by: tuple[str, ...] = ()  # job names, in order of first use

    @property
    def description(self) -> str:
        what = KINDS[self.kind][1]
        if not self.used_by:
            return what
        first = self.used_by[0]
        others = len(self.used_by) - 1
        more = f" and {others} other job{'s' if others > 1 else ''}" if others else ""
        return f"{what} used by job '{first}'{more}"


class VariableRegistry:
    """Hands out one variable per (kind, value); seeded from a plan to reuse its names.

    Linear in the number of uses: a warehouse shared by 10,000 jobs records its users in
    an insertion-ordered dict, and new names continue the counter of their base.
    """

    def __init__(self, seed: Iterable[Variable] = ()) -> None:
        self._by_value: dict[tuple[str, str], Variable] = {}
        self._users: dict[tuple[str, str], dict[str, None]] = {}
        self._names: set[str] = set()
        self._next: dict[str, int] = {}  # base name → first counter that may be free
        for var in seed:
            self._add(replace(var, used_by=()))

    def ref(self, kind: str, value: str, *, job_name: str) -> str:
        """``${var.<name>}`` for ``value``, registering it (and who uses it) on first sight."""
        var = self._by_value.get((kind, value))
        if var is None:
            var = self._add(Variable(self._unique(KINDS[kind][0]), kind, value))
        self._users[(kind, value)].setdefault(job_name, None)
        return f"${{var.{var.name}}}"

    def size(self) -> int:
        """How many variables there are (not ``__len__``: an empty registry stays truthy)."""
        return len(self._by_value)

    def variables(self) -> tuple[Variable, ...]:
        """All variables, sorted by name (the order of ``databricks.yml``)."""
        found = (replace(var, used_by=tuple(self._users[key]))
                 for key, var in self._by_value.items())
        return tuple(sorted(found, key=lambda v: v.name))

    def _add(self, var: Variable) -> Variable:
        self._by_value[(var.kind, var.default)] = var
        self._users.setdefault((var.kind, var.default), {})
        self._names.add(var.name)
        return var

    def _unique(self, base: str) -> str:
        """``base``, else ``base_2``, ``base_3``… (as ``keys.unique_name``); names are never
        removed, so the counter resumes where the last search for this base stopped."""
        if base not in self._names:
            return base
        n = self._next.get(base, 2)
        while f"{base}_{n}" in self._names:
            n += 1
        self._next[base] = n + 1
        return f"{base}_{n}"


def id_slots(settings: JsonObject) -> Iterator[tuple[Location, str]]:
    """Every (location, kind) in job settings that holds an environment-specific id."""
    for i, cluster in enumerate(_list(settings.get("job_clusters"))):
        if isinstance(cluster, dict):
            location = ("job_clusters", i, "new_cluster")
            yield from _cluster_slots(cluster.get("new_cluster"), location)
    for i, task in enumerate(_list(settings.get("tasks"))):
        yield from _task_id_slots(task, ("tasks", i))


def _task_id_slots(task: object, loc: Location) -> Iterator[tuple[Location, str]]:
    if not isinstance(task, dict):
        return
    if "existing_cluster_id" in task:
        yield (*loc, "existing_cluster_id"), "cluster"
    yield from _cluster_slots(task.get("new_cluster"), (*loc, "new_cluster"))
    for name in WAREHOUSE_TASKS:
        body = task.get(name)
        if isinstance(body, dict) and "warehouse_id" in body:
            yield (*loc, name, "warehouse_id"), "warehouse"
    inner = task.get("for_each_task")
    if isinstance(inner, dict):
        yield from _task_id_slots(inner.get("task"), (*loc, "for_each_task", "task"))


def _cluster_slots(cluster: object, loc: Location) -> Iterator[tuple[Location, str]]:
    if not isinstance(cluster, dict):
        return
    for field, kind in _CLUSTER_FIELDS:
        if field in cluster:
            yield (*loc, field), kind


def _list(value: object) -> JsonArray:
    return value if isinstance(value, list) else []
