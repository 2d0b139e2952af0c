"""Key order of generated job YAML: explicit where a reader benefits, sorted elsewhere.

Like the Databricks CLI's generator (``bundle/generate/job.go``) the name leads and a task
starts with ``task_key`` and ``depends_on``; unlike it, job-wide settings (schedule,
triggers, notifications…) come before the long ``tasks`` list so a reviewer sees them
first. Maps whose order means nothing (``spark_conf``, ``tags``, unknown objects) are
sorted, so output is byte-stable. Lists are never reordered: task order is the job's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from dabgen_ci.core.json_types import JsonObject

JOB_ORDER = (
    "name",
    "description",
    "parent_path",
    "tags",
    "parameters",
    "schedule",
    "trigger",
    "triggers",
    "continuous",
    "queue",
    "max_concurrent_runs",
    "timeout_seconds",
    "performance_target",
    "budget_policy_id",
    "usage_policy_id",
    "run_as",
    "health",
    "email_notifications",
    "webhook_notifications",
    "notification_settings",
    "git_source",
    "environments",
    "job_clusters",
    "tasks",
)
_TASK_HEAD = ("task_key", "depends_on", "run_if", "description", "disabled")
_TASK_COMPUTE = (
    "existing_cluster_id",
    "job_cluster_key",
    "new_cluster",
    "environment_key",
    "compute",
    "libraries",
)
# Records that read better in a fixed order, by the key that holds them (or their list).
_RECORD_ORDER: dict[str, tuple[str, ...]] = {
    "job_clusters": ("job_cluster_key", "new_cluster"),
    "environments": ("environment_key", "spec"),
    "parameters": ("name", "default"),
    "depends_on": ("task_key", "outcome"),
    "for_each_task": ("inputs", "concurrency", "task"),
    "condition_task": ("left", "op", "right"),
    "schedule": ("quartz_cron_expression", "timezone_id", "pause_status"),
    "rules": ("metric", "op", "value"),
    "git_source": ("git_url", "git_provider", "git_branch", "git_tag", "git_commit"),
    # What a task runs comes first in its body.
    "notebook_task": ("notebook_path", "source"),
    "spark_python_task": ("python_file", "source"),
    "python_wheel_task": ("package_name", "entry_point"),
    "spark_jar_task": ("main_class_name",),
    "dbt_task": ("project_directory", "source", "commands"),
    "run_job_task": ("job_id",),
    "pipeline_task": ("pipeline_id",),
    "file": ("path", "source"),
    "new_cluster": ("spark_version", "node_type_id", "driver_node_type_id", "num_workers"),
}


#: Sorts a map's keys: (group, position in the group's fixed order, name).
Rank = Callable[[str], tuple[int, int, str]]


def order_job(job: JsonObject) -> JsonObject:
    """A copy of a job resource with every map's keys in output order."""
    return {k: _order_value(job[k], k) for k in sorted(job, key=_job_rank)}


def _order_value(value: object, holder: str) -> object:
    if isinstance(value, dict):
        rank = _task_rank if holder in ("tasks", "task") else _head_rank(
            _RECORD_ORDER.get(holder, ()))
        keys = sorted(value, key=rank) if len(value) > 1 else value
        # (a scalar is taken as it is, without a call: most values of a job are scalars)
        return {k: _order_value(v, k) if isinstance(v := value[k], (dict, list)) else v
                for k in keys}
    if isinstance(value, list):
        return [_order_value(item, holder) if isinstance(item, (dict, list)) else item
                for item in value]
    return value


# The ranks are cached: the same few hundred keys recur in every job of a workspace.
@functools.lru_cache(maxsize=4096)
def _job_rank(key: str) -> tuple[int, int, str]:
    if key in JOB_ORDER:
        return (0, JOB_ORDER.index(key), "")
    return (1, 0, key)


@functools.lru_cache(maxsize=4096)
def _task_rank(key: str) -> tuple[int, int, str]:
    if key in _TASK_HEAD:
        return (0, _TASK_HEAD.index(key), "")
    if key.endswith("_task"):
        return (1, 0, key)
    if key in _TASK_COMPUTE:
        return (2, _TASK_COMPUTE.index(key), "")
    return (3, 0, key)


@functools.cache
def _head_rank(head: tuple[str, ...]) -> Rank:
    @functools.lru_cache(maxsize=4096)
    def rank(key: str) -> tuple[int, int, str]:
        if key in head:
            return (0, head.index(key), "")
        return (1, 0, key)

    return rank
