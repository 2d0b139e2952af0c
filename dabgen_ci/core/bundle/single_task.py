"""Jobs API 2.0 single-task settings → the one-task shape every later API uses (pure).

Before multi-task jobs, a job *was* its task: ``notebook_task`` (or another task type),
``new_cluster`` / ``existing_cluster_id``, ``libraries`` and the retry settings sat at the
top level of the settings. Jobs API 2.1 and 2.2 answer in the multi-task format only
(their ``format`` field "is always set to MULTI_TASK"), so such a body comes from an old
export, a 2.0 response or a hand-written snapshot. Carried over as is, a bundle would hold
those fields at job level, where the bundle schema does not know them and a deploy drops
them — the job would lose its only task. So they move into one task, as the 2.1 API
presents the job:

* the task type, its compute (``new_cluster``, ``existing_cluster_id``, ``job_cluster_key``,
  ``environment_key``), ``libraries`` and the task-only retry settings (``max_retries``,
  ``min_retry_interval_millis``, ``retry_on_timeout``) move;
* ``timeout_seconds`` and ``email_notifications`` stay: the job has them too, with the same
  meaning for a job of one task;
* the task key is the job name made an identifier (``Nightly ETL`` → ``nightly_etl``), the
  key dabgen gives the resource, so a bundle reads naturally — the key the service assigns
  a migrated job is not documented in the references we could consult;
* settings that already hold ``tasks`` and stray top-level task fields (seen in exports) are
  merged into their only task when nothing clashes, and refused otherwise (exit 2) — the
  fields are never kept where a deploy would drop them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dabgen_ci.core.bundle.keys import resource_key
from dabgen_ci.errors import BadInputError

TASK_TYPES = frozenset({
    "notebook_task", "spark_jar_task", "spark_python_task", "spark_submit_task",
    "pipeline_task", "python_wheel_task", "sql_task", "dbt_task", "run_job_task",
})
MOVED_TO_TASK = TASK_TYPES | frozenset({
    "new_cluster", "existing_cluster_id", "libraries", "max_retries",
    "min_retry_interval_millis", "retry_on_timeout",
})
DEFAULT_TASK_KEY = "main"


def single_task_fields(settings: Mapping[str, Any]) -> list[str]:
    """The 2.0 single-task fields present at the top level of ``settings``."""
    return sorted(k for k in settings if k in MOVED_TO_TASK)


def to_multi_task(settings: Mapping[str, Any], *, job: str = "the job") -> dict[str, Any]:
    """``settings`` in the multi-task shape; unchanged (a copy) when already in it."""
    fields = single_task_fields(settings)
    out = dict(settings)
    if not fields:
        return out
    moved = {k: out.pop(k) for k in fields}
    tasks = settings.get("tasks")
    if tasks is None or tasks == []:
        name = settings.get("name")
        key = resource_key(name, set()) if isinstance(name, str) and name.strip() else ""
        out["tasks"] = [{"task_key": key or DEFAULT_TASK_KEY, **moved}]
        out.pop("format", None)  # SINGLE_TASK described the old shape
        return out
    if isinstance(tasks, list) and len(tasks) == 1 and isinstance(tasks[0], Mapping):
        clash = sorted(k for k in fields if k in tasks[0]
                       or (k in TASK_TYPES and any(t in tasks[0] for t in TASK_TYPES)))
        if not clash:
            out["tasks"] = [{**tasks[0], **moved}]
            return out
        fields = clash
    raise BadInputError(
        f"{job} has both tasks and Jobs API 2.0 single-task settings at the top level "
        f"({', '.join(fields)}); a bundle cannot hold them there. Move them into the task "
        "in the workspace (or re-save the job in the UI), then try again")
