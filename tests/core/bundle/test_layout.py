"""Rendering a plan into bundle files: databricks.yml, resources, src/ (pure)."""

from __future__ import annotations

from typing import Any

import yaml

from dabgen_ci.core.bundle.convert import plan_bundle
from dabgen_ci.core.bundle.layout import PROD_ROOT_PATH, render_bundle
from dabgen_ci.core.bundle.placement import common_dir_prefix
from dabgen_ci.core.workspace_objects import ExportedObject
from tests.core.bundle.support import (
    build,
    fake_export,
    fixture_names,
    load_fixture,
    loaded_resource,
)


def notebook_job(job_id: int, name: str, *paths: str) -> dict:
    tasks = [
        {"task_key": f"t{i}", "notebook_task": {"notebook_path": p}} for i, p in enumerate(paths)
    ]
    return {"job_id": job_id, "settings": {"name": name, "tasks": tasks}}


def test_databricks_yml_declares_bundle_variables_and_targets():
    _, rendered = build(
        [load_fixture("notebook_classic")], host="https://adb-1.azuredatabricks.net"
    )
    config = yaml.safe_load(rendered.files["databricks.yml"])
    assert config["bundle"] == {"name": "test_bundle"}
    assert config["include"] == ["resources/*.yml"]
    assert config["workspace"] == {"host": "https://adb-1.azuredatabricks.net"}
    assert config["targets"] == {
        "dev": {"mode": "development", "default": True},
        "prod": {"mode": "production", "workspace": {"root_path": PROD_ROOT_PATH}},
    }
    assert config["variables"]["warehouse_id"] == {
        "description": "ID of the SQL warehouse used by job 'Nightly Sales ETL'",
        "default": "4b9b953939869799",
    }
    assert set(config["variables"]) == {
        "cluster_id", "instance_pool_id", "policy_id", "policy_id_2", "warehouse_id"
    }  # fmt: skip


def test_databricks_yml_without_host_or_variables():
    _, rendered = build([{"job_id": 1, "settings": {"name": "bare"}}])
    config = yaml.safe_load(rendered.files["databricks.yml"])
    assert "workspace" not in config
    assert "variables" not in config
    assert yaml.safe_load(rendered.files["resources/bare.job.yml"]) == {
        "resources": {"jobs": {"bare": {"name": "bare"}}}
    }


def test_sources_land_under_src_with_language_extensions_and_prefix_removed():
    _, rendered = build([load_fixture("notebook_classic")])
    assert sorted(p for p in rendered.files if p.startswith("src/")) == [
        "src/dist/sales_utils-0.3.0-py3-none-any.whl",
        "src/ingest/raw.py",
        "src/report/charts_r.r",
        "src/report/daily_sql.sql",
        "src/requirements.txt",
        "src/transform/clean.py",
    ]
    resource = loaded_resource(rendered, "nightly_sales_etl")
    assert resource["tasks"][0]["notebook_task"]["notebook_path"] == "../src/ingest/raw.py"
    assert resource["tasks"][0]["libraries"][6] == {"requirements": "../src/requirements.txt"}
    assert rendered.files["src/ingest/raw.py"].startswith(b"# Databricks notebook source")
    assert rendered.local_paths["/Users/ana@example.com/sales/ingest/raw"] == "src/ingest/raw.py"


def test_scala_jupyter_files_and_directories():
    _, rendered = build([load_fixture("unicode_names"), load_fixture("control_flow")])
    files = set(rendered.files)
    assert "src/zoé@example.com/Projets Été/日本/レポート_scala.scala" in files
    assert "src/zoé@example.com/Projets Été/nöt book 1.py" in files
    assert "src/fay@example.com/orchestration/gpu_jupyter.ipynb" in files
    _, dbt = build([load_fixture("dbt_pipeline"), load_fixture("sql_tasks")])
    assert {p for p in dbt.files if p.startswith("src/")} == {
        "src/eve@example.com/analytics/dbt_project/dbt_project.yml",
        "src/eve@example.com/analytics/dbt_project/models/daily.sql",
        "src/dina@example.com/reports/queries/daily totals.sql",
    }
    resource = loaded_resource(dbt, "dbt_dlt")
    assert resource["tasks"][1]["dbt_task"]["project_directory"] == (
        "../src/eve@example.com/analytics/dbt_project"
    )


def test_shared_notebook_is_exported_once_whatever_its_spelling():
    shared = "/Users/ana@example.com/common/setup"
    jobs = [
        notebook_job(1, "a", shared, "/Users/ana@example.com/a/main"),
        notebook_job(2, "b", "/Workspace" + shared),
    ]
    plan = plan_bundle(jobs, bundle_name="b")
    refs = [r for r in plan.sources if r.workspace_path.endswith("common/setup")]
    assert len(refs) == 1
    assert refs[0].referenced_by == (
        "resources.jobs.a.tasks[0].notebook_task.notebook_path",
        "resources.jobs.b.tasks[0].notebook_task.notebook_path",
    )
    rendered = render_bundle(plan, fake_export(plan))
    assert [p for p in rendered.files if p.startswith("src/")] == [
        "src/a/main.py",
        "src/common/setup.py",
    ]
    for key in ("a", "b"):
        path = loaded_resource(rendered, key)["tasks"][0]["notebook_task"]["notebook_path"]
        assert path == "../src/common/setup.py"


def test_missing_notebook_keeps_absolute_path_with_an_error():
    gone = "/Users/ana@example.com/sales/transform/clean"
    _, rendered = build(
        [load_fixture("notebook_classic")], missing={gone: "RESOURCE_DOES_NOT_EXIST"}
    )
    errors = [d for d in rendered.diagnostics if d.severity == "error"]
    assert len(errors) == 1
    error = errors[0]
    assert gone in error.summary
    assert "'Nightly Sales ETL'" in error.summary and "'transform'" in error.summary
    assert error.detail == "RESOURCE_DOES_NOT_EXIST"
    assert error.file == "resources/nightly_sales_etl.job.yml"
    assert error.path == "resources.jobs.nightly_sales_etl.tasks[1].notebook_task.notebook_path"
    resource = loaded_resource(rendered, "nightly_sales_etl")
    assert resource["tasks"][1]["notebook_task"]["notebook_path"] == gone
    # The other files keep their place: the prefix comes from the plan, not the exports.
    assert resource["tasks"][0]["notebook_task"]["notebook_path"] == "../src/ingest/raw.py"
    assert gone not in rendered.local_paths


def test_a_source_neither_exported_nor_missing_is_an_error_too():
    plan = plan_bundle([notebook_job(1, "j", "/Users/a/x", "/Users/a/y")], bundle_name="b")
    exported = {k: v for k, v in fake_export(plan).items() if k != "/Users/a/y"}
    rendered = render_bundle(plan, exported)
    assert [(d.severity, d.detail) for d in rendered.diagnostics] == [
        ("error", "it was not exported from the workspace")
    ]
    assert "task 't1'" in rendered.diagnostics[0].summary


def test_output_is_byte_identical_on_rerender_and_input_order():
    jobs = [load_fixture(name) for name in fixture_names()]
    plan, first = build(jobs)
    _, again = build(list(reversed(jobs)))
    assert first.files == again.files
    assert first.local_paths == again.local_paths
    assert render_bundle(plan, fake_export(plan)).files == first.files
    assert list(first.files) == sorted(first.files)


def test_job_with_150_tasks_keeps_task_order():
    keys = [f"step_{(i * 37) % 150:03d}" for i in range(150)]
    tasks: list[dict[str, Any]] = [
        {"task_key": k, "notebook_task": {"notebook_path": f"/Users/a/p/nb_{k}"}} for k in keys
    ]
    tasks[1]["depends_on"] = [{"task_key": keys[0]}]
    _, rendered = build([{"job_id": 9, "settings": {"name": "big", "tasks": tasks}}])
    resource = loaded_resource(rendered, "big")
    assert [t["task_key"] for t in resource["tasks"]] == keys
    assert resource["tasks"][149]["notebook_task"]["notebook_path"] == f"../src/nb_{keys[149]}.py"


def test_colliding_local_paths_get_a_suffix_and_a_warning():
    job = {
        "job_id": 1,
        "settings": {
            "name": "clash",
            "tasks": [
                {"task_key": "nb", "notebook_task": {"notebook_path": "/Users/a/x"}},
                {"task_key": "py", "spark_python_task": {"python_file": "/Users/a/X.py"}},
            ],
        },
    }
    _, rendered = build([job])
    assert rendered.local_paths == {"/Users/a/X.py": "src/X.py", "/Users/a/x": "src/x_2.py"}
    assert [d.severity for d in rendered.diagnostics] == ["warning"]


def test_designer_notebook_extension_is_not_doubled_and_files_keep_their_name():
    plan = plan_bundle(
        [notebook_job(1, "d", "/Users/a/flow.designer.ipynb", "/Users/a/plain")], bundle_name="b"
    )
    exported = {
        "/Users/a/flow.designer.ipynb": ExportedObject(
            "/Users/a/flow.designer.ipynb", b"{}", "ipynb", True
        ),
        "/Users/a/plain": ExportedObject("/Users/a/plain", b"-- x", "sql", True),
    }
    rendered = render_bundle(plan, exported)
    assert rendered.local_paths == {
        "/Users/a/flow.designer.ipynb": "src/flow.designer.ipynb",
        "/Users/a/plain": "src/plain.sql",
    }


def test_paths_escaping_src_are_refused():
    plan = plan_bundle([notebook_job(1, "j", "/a/x", "/a/../../../etc/p")], bundle_name="b")
    rendered = render_bundle(plan, fake_export(plan))
    assert all(
        p.startswith(("src/", "resources/")) or p == "databricks.yml" for p in rendered.files
    )
    assert all(".." not in p.split("/") for p in rendered.files)
    assert [d.severity for d in rendered.diagnostics] == ["error"]


def test_common_dir_prefix():
    assert common_dir_prefix(["/a/b/x", "/a/b/y"]) == "/a/b"
    assert common_dir_prefix(["/a/bc/x", "/a/b/y"]) == "/a"
    assert common_dir_prefix(["/a/b/x"]) == "/a/b"
    assert common_dir_prefix(["/a/x", "/b/y"]) == ""
    assert common_dir_prefix([]) == ""


def test_resource_files_name_their_job_for_people_and_for_dabgen() -> None:
    from dabgen_ci.core.bundle.convert import plan_bundle
    from dabgen_ci.core.bundle.layout import job_ids_in, render_bundle

    jobs = [{"job_id": 42, "settings": {"name": "Answer", "tasks": [
        {"task_key": "t", "condition_task": {"op": "EQUAL_TO", "left": "1", "right": "1"}}]}}]
    rendered = render_bundle(plan_bundle(jobs, bundle_name="b"), {})
    text = rendered.files["resources/answer.job.yml"].decode()
    assert text.startswith("# dabgen: job 42\n# Bind before the first deploy: "
                           "databricks bundle deployment bind answer 42\n")
    assert job_ids_in(text) == [42]
    assert job_ids_in("resources: {}\n# dabgen: job x\n") == []
