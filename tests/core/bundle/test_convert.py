"""Conversion of job settings into bundle job resources (pure, no I/O)."""

from __future__ import annotations

import copy

import pytest

from dabgen_ci.core.bundle.convert import READ_ONLY_SETTINGS, job_resource, plan_bundle
from dabgen_ci.core.bundle.keys import KEY_PATTERN, resource_key
from dabgen_ci.core.bundle.sources import SourceRef, workspace_refs
from dabgen_ci.core.bundle.variables import VariableRegistry
from dabgen_ci.errors import BadInputError
from tests.core.bundle.support import fixture_names, load_fixture

ALL_TASK_TYPES = {
    "notebook_task",
    "spark_python_task",
    "python_wheel_task",
    "spark_jar_task",
    "spark_submit_task",
    "sql_task",
    "dbt_task",
    "dbt_cloud_task",
    "dbt_platform_task",
    "pipeline_task",
    "run_job_task",
    "condition_task",
    "for_each_task",
    "clean_rooms_notebook_task",
    "dashboard_task",
    "alert_task",
    "power_bi_task",
    "gen_ai_compute_task",
    "python_operator_task",
    "ai_function_task",
}


def convert(settings: dict, key: str = "job", key_for_job_id=None, variables=None) -> dict:
    return job_resource(
        settings,
        key=key,
        path_for=lambda path, kind: f"LOCAL[{kind}]{path}",
        key_for_job_id=key_for_job_id or {},
        variables=variables or VariableRegistry(),
    )


def tasks_of(job: dict) -> list[dict]:
    out = []
    for task in job.get("tasks", []):
        out.append(task)
        inner = task.get("for_each_task", {}).get("task")
        if inner:
            out.append(inner)
    return out


def test_fixtures_cover_every_task_type():
    seen = set()
    for name in fixture_names():
        for task in tasks_of(load_fixture(name)["settings"]):
            seen |= {k for k in task if k.endswith("_task")}
    assert seen >= ALL_TASK_TYPES


@pytest.mark.parametrize("name", fixture_names())
def test_every_task_type_and_setting_is_carried(name):
    settings = load_fixture(name)["settings"]
    resource = convert(settings)
    expected_keys = set(settings) - READ_ONLY_SETTINGS
    assert set(resource) == expected_keys
    for original, converted in zip(tasks_of(settings), tasks_of(resource), strict=True):
        assert set(converted) == set(original)
        for field, value in original.items():
            if field.endswith("_task"):
                assert set(converted[field]) == set(value)


def test_read_only_fields_are_dropped_and_input_is_untouched():
    body = load_fixture("unknown_fields")
    before = copy.deepcopy(body)
    resource = convert(body["settings"])
    assert not {"format", "edit_mode", "deployment"} & set(resource)
    assert not {"job_id", "creator_user_name", "created_time", "has_more"} & set(resource)
    assert body == before


def test_unknown_fields_are_kept_unchanged():
    settings = load_fixture("unknown_fields")["settings"]
    resource = convert(settings)
    assert resource["future_setting"] == settings["future_setting"]
    assert resource["environment_variables"] == settings["environment_variables"]
    assert resource["duration_target"] == "4"
    assert resource["parent_path"] == "/Workspace/Users/hal@example.com/jobs"
    new_kind, nb = resource["tasks"]
    assert new_kind["quantum_task"] == settings["tasks"][0]["quantum_task"]
    assert new_kind["environment_variables_key"] == "common"
    assert nb["notebook_task"]["future_flag"] == "on"
    assert nb["ai_function_task"] == settings["tasks"][1]["ai_function_task"]


def test_workspace_paths_are_rewritten_and_storage_paths_kept():
    settings = load_fixture("serverless_python")["settings"]
    resource = convert(settings)
    tasks = {t["task_key"]: t for t in resource["tasks"]}
    py = "/Workspace/Users/ben@example.com/ml/jobs/compute_features.py"
    assert tasks["compute_features"]["spark_python_task"]["python_file"] == f"LOCAL[file]{py}"
    assert tasks["legacy_dbfs_script"]["spark_python_task"]["python_file"].startswith("dbfs:/")
    assert tasks["volume_script"]["spark_python_task"]["python_file"].startswith("/Volumes/")
    deps = resource["environments"][0]["spec"]["dependencies"]
    assert deps[0] == "pandas==2.2.2"
    assert deps[1].startswith("LOCAL[file]/Workspace/")
    assert (
        deps[2] == "-r LOCAL[file]/Workspace/Users/ben@example.com/ml/requirements-serverless.txt"
    )
    assert deps[3].startswith("git+https://")


def test_only_wheels_and_requirements_of_environments_are_downloaded():
    settings = {
        "environments": [
            {
                "environment_key": "e",
                "spec": {
                    "dependencies": [
                        "/Workspace/Users/a/pkg_dir",
                        "-e /Workspace/Users/a/editable",
                        "/Workspace/Users/a/lib.whl",
                        "-r /Workspace/Users/a/req.txt",
                        42,
                    ]
                },
            }
        ]
    }
    refs = workspace_refs(settings)
    assert [(r.workspace_path, r.referenced_by) for r in refs] == [
        ("/Workspace/Users/a/lib.whl", ("environments[0].spec.dependencies[2]",)),
        ("/Workspace/Users/a/req.txt", ("environments[0].spec.dependencies[3]",)),
    ]


def test_workspace_refs_lists_each_source_once_with_every_use():
    refs = workspace_refs(load_fixture("notebook_classic")["settings"])
    by_path = {r.workspace_path: r for r in refs}
    raw = by_path["/Users/ana@example.com/sales/ingest/raw"]
    assert raw == SourceRef(
        "/Users/ana@example.com/sales/ingest/raw",
        "notebook",
        ("tasks[0].notebook_task.notebook_path", "tasks[3].notebook_task.notebook_path"),
    )
    assert by_path["/Workspace/Users/ana@example.com/sales/requirements.txt"].kind == "file"
    assert by_path[
        "/Workspace/Users/ana@example.com/sales/dist/sales_utils-0.3.0-py3-none-any.whl"
    ].referenced_by == ("tasks[0].libraries[5].whl",)
    # dbfs jars and workspace init scripts are not downloaded.
    assert not any("udfs.jar" in p or "setup.sh" in p for p in by_path)


def test_workspace_refs_other_kinds_and_for_each_inner_task():
    dbt = workspace_refs(load_fixture("dbt_pipeline")["settings"])
    assert [(r.workspace_path, r.kind) for r in dbt] == [
        ("/Workspace/Users/eve@example.com/analytics/dbt_project", "directory")
    ]
    sql = workspace_refs(load_fixture("sql_tasks")["settings"])
    assert [r.kind for r in sql] == ["file"]
    assert sql[0].workspace_path.endswith("daily totals.sql")
    flow = {r.workspace_path: r for r in workspace_refs(load_fixture("control_flow")["settings"])}
    country = flow["/Users/fay@example.com/orchestration/country report"]
    assert country.referenced_by == ("tasks[3].for_each_task.task.notebook_task.notebook_path",)
    wheel = "/Workspace/Users/fay@example.com/orchestration/dist/cc-1.0-py3-none-any.whl"
    assert flow[wheel].referenced_by == ("tasks[3].for_each_task.task.libraries[0].whl",)
    # gen_ai_compute_task.training_script_path is not a path the CLI translates.
    assert not any("genai" in p for p in flow)


def test_git_sourced_job_downloads_nothing_and_keeps_paths():
    body = load_fixture("git_job")
    assert workspace_refs(body["settings"]) == []
    resource = convert(body["settings"])
    paths = [t.get("notebook_task", {}).get("notebook_path") for t in resource["tasks"]]
    assert paths[:3] == [
        "notebooks/ingest",
        "notebooks/transform",
        "/Workspace/Users/gus@example.com/scratch/explore",
    ]
    plan = plan_bundle([body], bundle_name="b")
    assert plan.sources == ()
    assert [d.severity for d in plan.diagnostics] == ["info"]


def test_environment_ids_become_variables_shared_by_value():
    registry = VariableRegistry()
    resource = convert(load_fixture("notebook_classic")["settings"], variables=registry)
    etl, pool = (c["new_cluster"] for c in resource["job_clusters"])
    assert etl["policy_id"] == pool["policy_id"] == "${var.policy_id}"
    assert pool["instance_pool_id"] == pool["driver_instance_pool_id"] == "${var.instance_pool_id}"
    tasks = {t["task_key"]: t for t in resource["tasks"]}
    assert tasks["report"]["notebook_task"]["warehouse_id"] == "${var.warehouse_id}"
    assert tasks["adhoc_on_cluster"]["existing_cluster_id"] == "${var.cluster_id}"
    assert tasks["one_off_cluster"]["new_cluster"]["policy_id"] == "${var.policy_id_2}"
    defaults = {v.name: v.default for v in registry.variables()}
    assert defaults == {
        "cluster_id": "0923-164208-meows279",
        "instance_pool_id": "0101-120000-brick1-pool-ABCD1234",
        "policy_id": "E0631F5C0D0004CC",
        "policy_id_2": "POLICY-TWO",
        "warehouse_id": "4b9b953939869799",
    }
    assert registry.variables()[0].description.startswith("ID of the existing all-purpose cluster")


def test_warehouse_ids_of_every_sql_kind_of_task_become_variables():
    resource = convert(load_fixture("sql_tasks")["settings"])
    refs = []
    for task in resource["tasks"]:
        body = next(v for k, v in task.items() if k.endswith("_task"))
        refs.append(body["warehouse_id"])
    assert refs == ["${var.warehouse_id}", "${var.warehouse_id}", "${var.warehouse_id_2}",
                    "${var.warehouse_id}", "${var.warehouse_id}", "${var.warehouse_id_2}",
                    "${var.warehouse_id}"]  # fmt: skip


def test_run_job_of_a_job_in_the_bundle_becomes_a_reference():
    jobs = [
        load_fixture("control_flow"),
        load_fixture("notebook_classic"),
        load_fixture("jar_submit"),
    ]
    plan = plan_bundle(jobs, bundle_name="b")
    assert plan.key_for_job_id == {
        1001: "nightly_sales_etl",
        1003: "scala_aggregations",
        1006: "orchestrator",
    }
    orchestrator = next(j for j in plan.jobs if j.key == "orchestrator")
    resource = convert(orchestrator.settings, key_for_job_id=plan.key_for_job_id)
    tasks = {t["task_key"]: t for t in resource["tasks"]}
    assert tasks["run_sales"]["run_job_task"]["job_id"] == "${resources.jobs.nightly_sales_etl.id}"
    assert tasks["run_external"]["run_job_task"]["job_id"] == 555
    inner = tasks["for_each_run_job"]["for_each_task"]["task"]
    assert inner["run_job_task"]["job_id"] == "${resources.jobs.scala_aggregations.id}"


def test_same_name_jobs_get_unique_keys_whatever_the_input_order():
    first = {"job_id": 7, "settings": {"name": "Daily report"}}
    second = {"job_id": 3, "settings": {"name": "daily  REPORT"}}
    for order in ([first, second], [second, first]):
        plan = plan_bundle(order, bundle_name="b")
        assert [(j.job_id, j.key) for j in plan.jobs] == [
            (3, "daily_report"),
            (7, "daily_report_2"),
        ]


def test_same_job_twice_is_planned_once_and_bad_input_is_refused():
    body = load_fixture("jar_submit")
    assert len(plan_bundle([body, body], bundle_name="b").jobs) == 1
    with pytest.raises(BadInputError, match="job #2"):
        plan_bundle([body, {"job_id": 1}], bundle_name="b")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Nightly Sales ETL", "nightly_sales_etl"),
        ("dev.my_repo.my_job", "dev_my_repo_my_job"),
        ("Données — Ingestion 日本 (v2)!", "donnees_ingestion_日本_v2"),
        ("2024 report", "job_2024_report"),
        ("___", "job"),
        ("", "job"),
        ("Ünïcödé", "unicode"),
        ("ETL-prod", "etl_prod"),
        ("x" * 400, "x" * 180),
    ],
)
def test_resource_keys_are_valid_reference_segments(name, key):
    assert resource_key(name, set()) == key
    assert KEY_PATTERN.match(key)


def test_resource_keys_are_unique_among_taken():
    assert resource_key("etl", {"etl", "etl_2"}) == "etl_3"


def test_literal_bundle_references_in_settings_are_warned_about():
    body = {"job_id": 1, "settings": {"name": "j", "tags": {"x": "${var.not_ours}"}}}
    plan = plan_bundle([body], bundle_name="b")
    assert [(d.severity, d.path) for d in plan.diagnostics] == [
        ("warning", "resources.jobs.j.tags.x")
    ]


def test_a_job_already_deployed_by_a_bundle_is_warned_about():
    plan = plan_bundle([load_fixture("unknown_fields")], bundle_name="b")
    assert any("already deployed by a bundle" in d.summary for d in plan.diagnostics)


def test_key_order_reads_top_down():
    resource = convert(load_fixture("notebook_classic")["settings"])
    keys = list(resource)
    assert keys[0] == "name"
    assert keys.index("schedule") < keys.index("job_clusters") < keys.index("tasks")
    report = resource["tasks"][2]
    assert list(report)[:3] == ["task_key", "depends_on", "run_if"]
    assert next(iter(report["notebook_task"])) == "notebook_path"
    assert list(resource["tags"]) == sorted(resource["tags"])
    assert list(resource["parameters"][0]) == ["name", "default"]
