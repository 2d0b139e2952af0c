"""A folder of notebooks becomes one job: stages from numeric prefixes, parameters from
widgets, SQL warehouses, library notebooks left out."""

from __future__ import annotations

import json

import pytest

from dabgen_ci.core.bundle.folder_job import (
    FolderNotebook,
    folder_job,
    natural_key,
    notebook_name,
    task_keys,
)
from dabgen_ci.core.notebook.analyze import analyze_notebook
from dabgen_ci.errors import BadInputError

FOLDER = "/Workspace/Users/ana@example.com/etl"


def nb(path: str, source: str = "x = 1", language: str = "PYTHON") -> FolderNotebook:
    return FolderNotebook(path, language, analyze_notebook(source, language))


def order(job) -> list[tuple[str, list[str]]]:
    return [
        (t["task_key"], [d["task_key"] for d in t.get("depends_on", [])])
        for t in job.body["settings"]["tasks"]
    ]


def test_numeric_prefixes_make_stages_and_the_rest_runs_after_in_order() -> None:
    job = folder_job(FOLDER, [
        nb("10_publish"), nb("cleanup"), nb("2_clean_b"), nb("02_clean_a"), nb("01_ingest"),
        nb("archive10"), nb("archive9"),
    ])
    assert order(job) == [
        ("01_ingest", []),
        ("02_clean_a", ["01_ingest"]),
        ("2_clean_b", ["01_ingest"]),
        ("10_publish", ["02_clean_a", "2_clean_b"]),
        ("archive9", ["10_publish"]),
        ("archive10", ["archive9"]),
        ("cleanup", ["archive10"]),
    ]
    assert job.notes == ()
    assert job.required_variables == {}


def test_body_is_a_serverless_jobs_get_settings_without_ids() -> None:
    job = folder_job(FOLDER + "/", [nb("01_a"), nb("/Workspace/Shared/other/02_b")])
    assert job.body == {
        "settings": {
            "name": "etl",
            "tasks": [
                {"task_key": "01_a", "notebook_task": {"notebook_path": f"{FOLDER}/01_a"}},
                {
                    "task_key": "02_b",
                    "depends_on": [{"task_key": "01_a"}],
                    "notebook_task": {"notebook_path": "/Workspace/Shared/other/02_b"},
                },
            ],
        }
    }
    assert json.loads(json.dumps(job.body)) == job.body
    assert folder_job(FOLDER, [nb("a")], job_name="Nightly ETL").body["settings"]["name"] == (
        "Nightly ETL"
    )


def test_widgets_become_job_parameters_first_default_wins() -> None:
    job = folder_job(FOLDER, [
        nb("02_report", "CREATE WIDGET TEXT catalog DEFAULT 'dev';\n"
           "SELECT * FROM t WHERE d = :run_date", "SQL"),
        nb("01_load", "dbutils.widgets.text('catalog', 'main')\n"
           "dbutils.widgets.dropdown('mode', 'full', ['full', 'incr'])\n"
           "dbutils.widgets.text('day', compute())\n"
           "dbutils.widgets.get('start date')"),
    ], warehouse_id="abc123")
    settings = job.body["settings"]
    assert settings["parameters"] == [
        {"name": "catalog", "default": "main"},
        {"name": "mode", "default": "full"},
        {"name": "day", "default": ""},
        {"name": "run_date", "default": ""},
    ]
    assert all("base_parameters" not in t["notebook_task"] for t in settings["tasks"])
    assert job.notes == (
        "01_load: widget day has no literal default; its job parameter defaults to ''",
        "02_report: widget catalog defaults to 'dev' but an earlier notebook says 'main'; "
        "the job parameter keeps the first",
        "01_load: 'start date' cannot be a job parameter name (letters, digits, _ - . only); "
        "pass it another way",
        "02_report: parameter run_date is read (line 2) but no widget defines it; its job "
        "parameter defaults to ''",
    )


def test_sql_notebooks_get_a_warehouse_variable_unless_an_id_is_given() -> None:
    notebooks = [
        nb("01_python"),
        nb("02_sql", "SELECT 1", "SQL"),
        nb("03_mixed", "-- Databricks notebook source\nSELECT 1\n-- COMMAND ----------\n"
           "-- MAGIC %python\n-- MAGIC print(1)\n", "sql"),
    ]
    job = folder_job(FOLDER, notebooks)
    tasks = job.body["settings"]["tasks"]
    assert [t["notebook_task"].get("warehouse_id") for t in tasks] == [
        None, "${var.warehouse_id}", None,
    ]
    assert job.required_variables == {
        "warehouse_id": "ID of the SQL warehouse that runs the SQL notebooks",
    }
    assert job.notes == (
        "03_mixed: SQL notebook with PYTHON cells cannot run on a SQL warehouse; it runs on "
        "serverless compute",
    )
    given = folder_job(FOLDER, notebooks, warehouse_id="5f1e2d3c4b5a6978")
    assert given.body["settings"]["tasks"][1]["notebook_task"]["warehouse_id"] == (
        "5f1e2d3c4b5a6978"
    )
    assert given.required_variables == {}


def test_notebooks_run_by_others_are_libraries_not_tasks() -> None:
    job = folder_job(FOLDER, [
        nb("01_ingest", "%run ./lib/utils\n%run /Workspace/Users/ana@example.com/etl/config"),
        nb("lib/utils.py", "dbutils.widgets.text('env', 'dev')"),
        nb(f"{FOLDER}/config"),
        nb("02_publish", "dbutils.notebook.run('../etl/03_child', 60)\n"
           "dbutils.notebook.run(child_path, 60)"),
        nb("03_child"),
    ])
    assert order(job) == [("01_ingest", []), ("02_publish", ["01_ingest"])]
    assert job.body["settings"]["parameters"] == [{"name": "env", "default": "dev"}]
    assert job.notes == (
        "utils is run by 01_ingest (%run, line 1): not a task of its own",
        "config is run by 01_ingest (%run, line 2): not a task of its own",
        "03_child is run by 02_publish (dbutils.notebook.run, line 1): not a task of its own",
        "02_publish runs a notebook chosen at run time ({child_path}); check that it is not "
        "also a task of this job",
    )


def test_unicode_and_spaces_in_names_give_valid_unique_task_keys() -> None:
    job = folder_job(FOLDER, [
        nb("01 Rapport qualité"), nb("01 Rapport-qualité"), nb("01_Rapport qualite"),
        nb("02 売上"), nb("03 données (brutes).py"),
    ])
    keys = [t["task_key"] for t in job.body["settings"]["tasks"]]
    assert keys == [
        "01_Rapport_qualite", "01_Rapport-qualite", "01_Rapport_qualite_2", "02",
        "03_donnees_brutes",
    ]
    assert job.body["settings"]["tasks"][3]["notebook_task"]["notebook_path"] == f"{FOLDER}/02 売上"
    assert task_keys(["売上", "x" * 150]) == ["task_1", "x" * 96]


def test_compute_notes_for_scala_unbounded_streams_and_missing_pip() -> None:
    job = folder_job(FOLDER, [
        nb("01_scala", "val x = 1", "SCALA"),
        nb("02_stream", "df.writeStream.toTable('main.s.t')"),
        nb("03_bounded", "df.writeStream.trigger(availableNow=True).toTable('main.s.t')"),
        nb("04_libs", "%pip install scikit-learn great_expectations\n"
           "import sklearn\nimport great_expectations\nimport prophet"),
        nb("05_reqs", "%pip install -r requirements.txt\nimport prophet"),
    ])
    assert job.notes == (
        "01_scala: has SCALA code; serverless compute may not run it, give this task a job "
        "cluster if it fails",
        "02_stream: writes a stream without an availableNow/once trigger; the task may never "
        "finish and the tasks after it never start",
        "04_libs: imports prophet without a %pip install; serverless preinstalls common "
        "packages, add %pip cells for the others",
    )


def test_bad_folders_are_reported() -> None:
    with pytest.raises(BadInputError, match="holds no notebooks"):
        folder_job(FOLDER, [])
    with pytest.raises(BadInputError, match="none is a task"):
        folder_job(FOLDER, [nb("a", "%run ./b"), nb("b", "%run ./a")])


def test_names_and_natural_order_helpers() -> None:
    assert notebook_name("/a/b/01_ingest.py") == "01_ingest"
    assert notebook_name("/a/b/v1.2 report") == "v1.2 report"
    assert sorted(["step10", "Step2", "step1"], key=natural_key) == ["step1", "Step2", "step10"]
