"""Key order of generated job YAML: explicit where a reader benefits, sorted elsewhere.

Like the Databricks CLI's generator (``bundle/generate/job.go``) the name leads and a task
starts with ``task_key`` and ``depends_on``; unlike it, job-wide settings (schedule,
triggers, notifications…) come before the long ``tasks`` list so a reviewer sees them
first. Maps whose order means nothing (``spark_conf``, ``tags``, unknown objects) are
sorted, so output is byte-stable. Lists are never reordered: task order is the job's.
"""

from __future__ import annotations

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


_TASK_HEAD_SET = frozenset(_TASK_HEAD)
_TASK_COMPUTE_SET = frozenset(_TASK_COMPUTE)


def order_job(job: JsonObject) -> JsonObject:
    """A copy of a job resource with every map's keys in output order."""
    return {k: _order_value(job[k], k) for k in _head_first(job, JOB_ORDER)}


def _order_value(value: object, holder: str) -> object:
    if isinstance(value, dict):
        if holder in ("tasks", "task"):
            keys = _task_keys(value)
        else:
            keys = _head_first(value, _RECORD_ORDER.get(holder, ()))
        return {k: _order_value(value[k], k) for k in keys}
    if isinstance(value, list):
        return [_order_value(item, holder) for item in value]
    return value


# The orders below are built from their parts rather than sorted with a rank per key: the
# converter orders every map of every job, and this is several times faster. The rule they
# implement, as a sort key, is in ``tests/core/bundle/test_order.py``.


def _head_first(mapping: JsonObject, head: tuple[str, ...]) -> list[str]:
    """``head``'s keys in its order, then the other keys sorted."""
    if not head:
        return sorted(mapping)
    return [k for k in head if k in mapping] + sorted(k for k in mapping if k not in head)


def _task_keys(task: JsonObject) -> list[str]:
    """A task: its head (``task_key``, ``depends_on``…), what it runs (``*_task``, sorted),
    its compute (in a fixed order), then everything else sorted."""
    runs: list[str] = []
    rest: list[str] = []
    for key in task:
        if key in _TASK_HEAD_SET or key in _TASK_COMPUTE_SET:
            continue
        (runs if key.endswith("_task") else rest).append(key)
    return ([k for k in _TASK_HEAD if k in task] + sorted(runs)
            + [k for k in _TASK_COMPUTE if k in task] + sorted(rest))
