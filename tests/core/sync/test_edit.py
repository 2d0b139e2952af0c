"""YAML edits of a sync: only the changed values move; targets, variables, comments stay."""

from __future__ import annotations

from dabgen_ci.core.bundle.merge import ABSENT
from dabgen_ci.core.bundle.tree import Keyed
from dabgen_ci.core.sync.edit import BundleDocs, Write, edit_job
from dabgen_ci.core.sync.forms import SyncVariables

ROOT = """\
bundle:
  name: sales  # our bundle

variables:
  catalog:
    default: main
  schema:
    default: sales
  warehouse_id:
    default: abc

targets:
  dev:
    default: true
  prod:
    variables:
      catalog: prod_main
    resources:
      jobs:
        etl:
          max_concurrent_runs: 4  # prod runs more
"""
JOB = """\
# dabgen: job 7
resources:
  jobs:
    etl:
      name: ETL
      # retries matter
      max_concurrent_runs: 1
      tags:
        "team": "sales"
      parameters:
        - name: catalog
          default: ${var.catalog}
        - name: table
          default: ${var.catalog}.${var.schema}.orders
      tasks:
        - task_key: a
          notebook_task:
            notebook_path: ../src/a.py
        - task_key: c
          notebook_task:
            notebook_path: ../src/c.py
"""


def docs(target: str | None = None, declared: dict | None = None) -> BundleDocs:
    values = declared or {"catalog": "main", "schema": "sales", "warehouse_id": "abc"}
    return BundleDocs({"databricks.yml": ROOT, "resources/etl.yml": JOB}, "databricks.yml",
                      target, SyncVariables(values))


def apply(d: BundleDocs, *writes: Write) -> dict[str, str]:
    assert edit_job(d, "resources/etl.yml", "etl", writes) == []
    return d.changed_texts()


def test_only_the_changed_line_moves() -> None:
    out = apply(docs(), Write(("name",), "ETL v2"))
    assert out == {"resources/etl.yml": JOB.replace("name: ETL\n", "name: ETL v2\n")}


def test_a_target_override_is_edited_where_it_is_written() -> None:
    out = apply(docs("prod"), Write(("max_concurrent_runs",), 6))
    assert out == {"databricks.yml": ROOT.replace("max_concurrent_runs: 4  # prod runs more",
                                                  "max_concurrent_runs: 6  # prod runs more")}
    # for another target the job's own value is the one that applies
    assert apply(docs("dev"), Write(("max_concurrent_runs",), 6)) == {
        "resources/etl.yml": JOB.replace("max_concurrent_runs: 1", "max_concurrent_runs: 6")}


def test_new_entries_follow_the_workspace_order_and_the_generator_style() -> None:
    task_b = {"task_key": "b", "depends_on": [{"task_key": "a"}],
              "notebook_task": {"notebook_path": "../src/b.py"}}
    out = apply(docs(),
                Write(("tasks", Keyed("task_key", "b")), task_b, ("a", "b", "c")),
                Write(("tags", "owner"), "yes", ("owner", "team")),
                Write(("timeout_seconds",), 60, ("name", "max_concurrent_runs",
                                                 "timeout_seconds", "tags")))
    text = out["resources/etl.yml"]
    assert ("        - task_key: a\n          notebook_task:\n            notebook_path: "
            "../src/a.py\n        - task_key: b\n          depends_on:\n            - task_key: "
            "a\n") in text
    assert '      tags:\n        "owner": "yes"\n        "team": "sales"\n' in text
    assert "      max_concurrent_runs: 1\n      timeout_seconds: 60\n      tags:\n" in text
    assert "      # retries matter\n" in text


def test_removals() -> None:
    out = apply(docs(), Write(("tasks", Keyed("task_key", "c")), ABSENT),
                Write(("tags",), ABSENT))
    text = out["resources/etl.yml"]
    assert "task_key: c" not in text and "tags:" not in text and "task_key: a" in text


def test_a_variable_stays_a_variable() -> None:
    # 1. a declared variable holds the new value: referenced
    d = docs()
    apply(d, Write(("parameters", Keyed("name", "catalog"), "default"), "sales"))
    assert "default: ${var.schema}" in d.changed_texts()["resources/etl.yml"]
    # 2. referenced only here: the variable takes the value (where the target reads it)
    d2 = BundleDocs({"databricks.yml": ROOT, "resources/etl.yml": JOB.replace(
        "          default: ${var.catalog}.${var.schema}.orders\n",
        "          default: orders\n")}, "databricks.yml", "prod",
        SyncVariables({"catalog": "prod_main", "schema": "sales", "warehouse_id": "abc"}))
    assert edit_job(d2, "resources/etl.yml", "etl",
                    [Write(("parameters", Keyed("name", "catalog"), "default"), "gold")]) == []
    changed = d2.changed_texts()
    assert "resources/etl.yml" not in changed
    assert "      catalog: gold\n" in changed["databricks.yml"]  # prod's override
    # 3. used elsewhere too: a new variable, the other use keeps the old value
    d3 = docs()
    apply(d3, Write(("parameters", Keyed("name", "catalog"), "default"), "gold"))
    out = d3.changed_texts()
    assert "default: ${var.catalog_2}" in out["resources/etl.yml"]
    assert "  catalog_2:\n    description: catalog as the workspace now has it\n" \
           "    default: gold\n" in out["databricks.yml"]


def test_a_partly_parameterised_value_is_refused() -> None:
    d = docs()
    refused = edit_job(d, "resources/etl.yml", "etl",
                       [Write(("parameters", Keyed("name", "table"), "default"), "x.y.z")])
    assert [r.path for r in refused] == [("parameters", Keyed("name", "table"), "default")]
    assert "update it by hand" in refused[0].reason
    assert d.changed_texts() == {}
