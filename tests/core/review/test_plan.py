"""The deploy plan lists exactly the fields that differ from the live job (pure)."""

from __future__ import annotations

import copy
from typing import Any

from dabgen_ci.core.bundle.roundtrip import ABSENT
from dabgen_ci.core.review.plan import (
    FieldChange,
    PlannedResource,
    RemovedResource,
    field_changes,
    plan_deploy,
)

LIVE: dict[str, Any] = {
    "name": "Sales ETL",
    "format": "MULTI_TASK",
    "edit_mode": "UI_LOCKED",
    "max_concurrent_runs": 1,
    "timeout_seconds": 0,
    "email_notifications": {},
    "schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC",
                 "pause_status": "UNPAUSED"},
    "tasks": [
        {"task_key": "ingest", "run_if": "ALL_SUCCESS",
         "notebook_task": {"notebook_path": "/Workspace/Users/ana@acme.com/sales/ingest",
                           "source": "WORKSPACE"},
         "job_cluster_key": "main"},
        {"task_key": "report", "depends_on": [{"task_key": "ingest"}],
         "sql_task": {"warehouse_id": "4b9f", "file": {"path": "/Users/ana@acme.com/report.sql",
                                                       "source": "WORKSPACE"}}},
    ],
    "job_clusters": [{"job_cluster_key": "main",
                      "new_cluster": {"spark_version": "15.4.x-scala2.12", "num_workers": 2}}],
}
# what dabgen generates for LIVE, resolved for prod: the same job in bundle form
BUNDLE: dict[str, Any] = {
    "name": "Sales ETL",
    "schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC",
                 "pause_status": "UNPAUSED"},
    "tasks": [
        {"task_key": "ingest", "notebook_task": {"notebook_path": "../src/sales/ingest.py",
                                                 "source": "WORKSPACE"},
         "job_cluster_key": "main"},
        {"task_key": "report", "depends_on": [{"task_key": "ingest"}],
         "sql_task": {"warehouse_id": "4b9f", "file": {"path": "../src/report.sql",
                                                       "source": "WORKSPACE"}}},
    ],
    "job_clusters": [{"job_cluster_key": "main",
                      "new_cluster": {"spark_version": "15.4.x-scala2.12", "num_workers": 2}}],
}


def changed(**edits: object) -> dict:
    bundle = copy.deepcopy(BUNDLE)
    for path, value in edits.items():
        node: Any = bundle
        *parents, leaf = path.split("__")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[leaf] = value
    return bundle


def test_the_bundle_of_an_unchanged_job_changes_nothing() -> None:
    assert field_changes(LIVE, BUNDLE, {}) == []


def test_exactly_the_fields_that_differ_are_listed_by_task_key() -> None:
    bundle = changed(job_clusters__0__new_cluster__num_workers=4,
                     tasks__1__sql_task__warehouse_id="prod-wh", timeout_seconds=3600)
    assert field_changes(LIVE, bundle, {}) == [
        FieldChange("timeout_seconds", 0, 3600),
        FieldChange("tasks[report].sql_task.warehouse_id", "4b9f", "prod-wh"),
        FieldChange("job_clusters[main].new_cluster.num_workers", 2, 4),
    ]


def test_a_task_added_in_the_middle_is_one_change_not_a_cascade() -> None:
    bundle = copy.deepcopy(BUNDLE)
    added = {"task_key": "check", "depends_on": [{"task_key": "ingest"}],
             "notebook_task": {"notebook_path": "../src/check.py"}, "job_cluster_key": "main"}
    bundle["tasks"].insert(1, added)
    assert field_changes(LIVE, bundle, {}) == [FieldChange("tasks[check]", ABSENT, added)]


def test_a_field_the_bundle_drops_is_a_change_unless_it_is_the_api_default() -> None:
    live = {**LIVE, "max_concurrent_runs": 3, "run_as": {"user_name": "ana@acme.com"}}
    assert field_changes(live, BUNDLE, {}) == [
        FieldChange("max_concurrent_runs", 3, ABSENT),
        FieldChange("run_as", {"user_name": "ana@acme.com"}, ABSENT),
    ]


def test_a_moved_notebook_is_a_change() -> None:
    bundle = changed(tasks__0__notebook_task__notebook_path="../src/sales/ingest_v2.py")
    assert field_changes(LIVE, bundle, {}) == [FieldChange(
        "tasks[ingest].notebook_task.notebook_path",
        "/Workspace/Users/ana@acme.com/sales/ingest", "../src/sales/ingest_v2.py")]


def test_resource_references_resolve_to_job_ids() -> None:
    live = {"name": "Parent", "tasks": [{"task_key": "run", "run_job_task": {"job_id": 7}}]}
    bundle = {"name": "Parent", "tasks": [{"task_key": "run", "run_job_task": {
        "job_id": "${resources.jobs.child.id}"}}]}
    assert field_changes(live, bundle, {"child": 7}) == []
    assert field_changes(live, bundle, {"child": 8}) == [
        FieldChange("tasks[run].run_job_task.job_id", 7, 8)]


def test_plan_creates_updates_and_deletes() -> None:
    resources = (
        PlannedResource("etl", "bundle/resources/etl.job.yml", changed(name="Sales ETL v2"),
                        job_id=1001),
        PlannedResource("fresh", "bundle/resources/fresh.job.yml", {"name": "Fresh"}),
        PlannedResource("lost", "bundle/resources/lost.job.yml", {"name": "Lost"}, job_id=5),
    )
    removed = (RemovedResource("old", "bundle/resources/old.job.yml", 1002, "Old"),)
    plan = plan_deploy("prod", resources, removed,
                       {1001: LIVE, 5: None, 1002: {"name": "Old job (live name)"}})
    assert [(j.kind, j.key, j.job_id) for j in plan.jobs] == [
        ("update", "etl", 1001), ("create", "fresh", None), ("create", "lost", None),
        ("delete", "old", 1002)]
    update, _, lost, delete = plan.jobs
    assert update.changes == (FieldChange("name", "Sales ETL", "Sales ETL v2"),)
    assert "job 5 named in the resource header does not exist" in lost.note
    assert delete.name == "Old job (live name)"


def test_the_deployment_state_not_the_header_decides_update_or_create() -> None:
    bound_elsewhere = PlannedResource("etl", "etl.yml", changed(name="Sales ETL v2"),
                                      job_id=1001, bound=True, header_job_id=7)
    unbound = PlannedResource("copy", "copy.yml", changed(name="Sales ETL v2"), job_id=1001,
                              bound=False, header_job_id=1001)
    fresh = PlannedResource("fresh", "fresh.yml", {"name": "Fresh"}, bound=False)
    left = RemovedResource("gone", "", 1003, in_state_only=True)
    plan = plan_deploy("prod", (bound_elsewhere, unbound, fresh), (left,),
                       {1001: LIVE, 1003: {"name": "Gone"}})
    update, create, new, delete = plan.jobs
    assert (update.kind, update.job_id) == ("update", 1001)
    assert update.note == "the deployment state binds job 1001; the resource header names job 7"
    # not bound: the deploy makes a second job; the fields are what binding first would change
    assert (create.kind, create.job_id) == ("create", 1001)
    assert create.changes == (FieldChange("name", "Sales ETL", "Sales ETL v2"),)
    assert "creates a second job beside job 1001" in create.note
    assert "`databricks bundle deployment bind copy 1001 --target prod`" in create.note
    assert new.note == "new job: the deployment state binds no job to this key"
    assert (delete.kind, delete.name, delete.job_id) == ("delete", "Gone", 1003)
    assert "in no resource file" in delete.note


def test_changes_to_fields_edited_in_the_ui_since_the_last_sync_are_flagged() -> None:
    base = copy.deepcopy(LIVE)
    base["job_clusters"][0]["new_cluster"]["num_workers"] = 4  # dabgen saw 4; the UI set 2
    bundle = changed(job_clusters__0__new_cluster__num_workers=4, name="Sales ETL v2")
    plan = plan_deploy("prod", (PlannedResource("etl", "etl.yml", bundle, job_id=1001),), (),
                       {1001: LIVE}, base={1001: base})
    assert plan.jobs[0].changes == (
        FieldChange("name", "Sales ETL", "Sales ETL v2", ui_edit=False),
        FieldChange("job_clusters[main].new_cluster.num_workers", 2, 4, ui_edit=True))


def test_values_under_secret_names_and_tokens_are_masked() -> None:
    from dabgen_ci.core.review.plan import DeployPlan, JobChange, masked

    token = "dapi" + "0123456789abcdef" * 2
    plan = DeployPlan("prod", (JobChange("update", "etl", "ETL", "etl.yml", 1, (
        FieldChange("job_clusters[main].new_cluster.spark_conf.db.password", "hunter22",
                    "{{secrets/etl/db}}"),
        FieldChange("tasks[t]", {"task_key": "t", "env": {"API_TOKEN": "x1"}}, ABSENT),
        FieldChange("description", f"uses {token}", "plain"),
    )),))
    changes = masked(plan, lambda name: "password" in name or "TOKEN" in name).jobs[0].changes
    assert changes[0].old == "***" and changes[0].new == "***"
    assert changes[1].old == {"task_key": "t", "env": {"API_TOKEN": "***"}}
    assert changes[1].new is ABSENT
    assert token not in str(changes[2].old) and changes[2].new == "plain"
