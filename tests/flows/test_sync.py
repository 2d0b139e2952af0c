"""`dabgen sync` end to end in-process: the workspace server, the real SDK, a checkout.

Each workspace change gets its exact drift report lines; the merge table is exercised
row by row against a recorded base; human edits of the YAML survive byte for byte.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.flows.sync_support import World, job_report

ETL = "resources/nightly_sales_etl.job.yml"
REVENUE = "resources/revenue_dashboard_refresh.job.yml"


def record_base(world: World) -> None:
    """A first sync that changes something, so `.dabgen/` records the base of both jobs."""
    world.edit_job(1002, lambda s: s.update(timeout_seconds=3700))
    assert world.sync().exit_code == 0
    assert (world.bundle / ".dabgen" / "jobs" / "1001.json").is_file()


def test_no_drift_no_change(world: World) -> None:
    before = world.files()
    result = world.sync("--check")
    assert result.exit_code == 0, result.output
    assert "No drift: the 2 job(s) of `bundle/` match the workspace." in result.stdout
    assert world.sync().exit_code == 0
    assert world.files() == before  # not even a base record


def test_changed_field(world: World) -> None:
    world.edit_job(1001, lambda s: s.update(max_concurrent_runs=3))
    check = world.sync("--check")
    assert check.exit_code == 1
    assert "- `max_concurrent_runs`: `1` → `3`" in check.stdout.splitlines()
    assert "| `Nightly Sales ETL` (`1001`) | settings | 1 | 0 | 0 | 0 |" in check.stdout
    before = world.read(ETL)
    assert world.sync().exit_code == 0
    after = world.read(ETL)
    assert after == before.replace("max_concurrent_runs: 1\n", "max_concurrent_runs: 3\n")
    assert world.sync("--check").exit_code == 0  # in step now


def test_renamed_job_keeps_its_key_and_file(world: World) -> None:
    world.edit_job(1001, lambda s: s.update(name="Nightly Sales ETL (EU)"))
    code, payload = world.sync_json()
    assert code == 0
    job = job_report(payload, 1001)
    assert job["kinds"] == ["renamed"]
    assert job["changes"] == [{"path": "name", "old": "Nightly Sales ETL",
                               "new": "Nightly Sales ETL (EU)"}]
    text = world.read(ETL)
    assert text.startswith("# dabgen: job 1001\n")
    assert "    nightly_sales_etl:\n      name: Nightly Sales ETL (EU)\n" in text
    assert sorted(p.name for p in (world.bundle / "resources").iterdir()) == [
        "nightly_sales_etl.job.yml", "revenue_dashboard_refresh.job.yml"]
    # `bundle deployment bind nightly_sales_etl 1001` stays valid: the key did not move
    assert "revenue_dashboard_refresh" in world.read(REVENUE)
    assert "${resources.jobs.nightly_sales_etl.id}" in world.read(REVENUE)


def test_new_matching_job_is_added(world: World) -> None:
    (world.checkout / ".dabgen.yml").write_text(
        "version: 1\nbundle_dir: bundle\njobs: {ids: [1001, 1002], names: ['Churn*']}\n")
    result = world.sync()
    assert result.exit_code == 0, result.output
    assert "| `Churn Model Training` (`1004`) | added | 0 | +3 −0 | 1 | 0 |" in result.stdout
    assert "- task added: `train`" in result.stdout
    text = world.read("resources/churn_model_training.job.yml")
    assert text.startswith("# dabgen: job 1004\n# Bind before the first deploy: databricks "
                           "bundle deployment bind churn_model_training 1004\n")
    assert "python_file: ../src/ml/evaluate.py" in text
    assert "existing_cluster_id: ${var.cluster_id}" in text
    assert "  cluster_id:\n" in world.read("databricks.yml")  # declared with the new job
    assert (world.bundle / "src" / "ml" / "evaluate.py").is_file()
    assert world.sync("--check").exit_code == 0


def test_deleted_job_is_reported_and_kept(world: World) -> None:
    world.delete_job(1002)
    result = world.sync()
    assert result.exit_code == 0, result.output
    assert "| `Revenue Dashboard Refresh` (`1002`) | removed | 0 | 0 | 0 | 0 |" in result.stdout
    assert ("**Job 1002 was deleted in the workspace. Its resource stays "
            "(`sync.remove_deleted` is false), so the next deploy creates it again;** delete "
            f"`{REVENUE}` to let it go.") in result.stdout
    assert (world.bundle / REVENUE).is_file()
    record = json.loads((world.bundle / ".dabgen/jobs/1002.json").read_text())
    assert record["deleted"] is True
    again = world.sync("--check")
    assert again.exit_code == 0  # recorded: no new drift
    assert "is still deleted in the workspace" in again.stdout


def test_deleted_job_removed_with_remove_deleted(world: World) -> None:
    (world.checkout / ".dabgen.yml").write_text(
        "version: 1\nbundle_dir: bundle\njobs: {ids: [1001, 1002]}\n"
        "sync: {remove_deleted: true}\n")
    record_base(world)  # the base knows which sources dabgen wrote for the job
    world.delete_job(1002)
    result = world.sync()
    assert result.exit_code == 0, result.output
    assert (f"**Removed `{REVENUE}`: the next deploy deletes job `revenue_dashboard_refresh` "
            "wherever this bundle is deployed.**") in result.stdout
    assert not (world.bundle / REVENUE).exists()
    # its notebook is not used by any job any more and nobody edited it: gone too
    assert not (world.bundle / "src/sql/refresh_revenue.sql").exists()
    assert (world.bundle / "src/common/quality_checks.py").exists()  # 1001 uses it


def test_changed_notebook(world: World) -> None:
    notebook = world.notebook("sales/02_clean_orders.py")
    notebook.write_text(notebook.read_text().replace("overwrite", "append"))
    result = world.sync()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "- source `src/sales/02_clean_orders.py` changed" in lines
    assert '-clean.write.mode("overwrite").saveAsTable("main.sales.orders_silver")' in lines
    assert '+clean.write.mode("append").saveAsTable("main.sales.orders_silver")' in lines
    assert world.read("src/sales/02_clean_orders.py") == notebook.read_text()


def test_shared_notebook_is_listed_under_every_job(world: World) -> None:
    notebook = world.notebook("common/quality_checks.py")
    notebook.write_text(notebook.read_text() + "\n# stricter\n")
    code, payload = world.sync_json("--check")
    assert code == 1
    for job_id, other in ((1001, [1002]), (1002, [1001])):
        [source] = job_report(payload, job_id)["sources"]
        assert (source["local"], source["status"], source["shared_with"]) == (
            "src/common/quality_checks.py", "changed", other)


def test_human_edits_survive_a_sync(world: World) -> None:
    root = world.read("databricks.yml")
    edited_root = root.replace("targets:\n", "targets:\n  staging:  # a target people added\n"
                               "    mode: production\n    workspace:\n"
                               "      root_path: /Shared/.bundle/staging\n")
    edited_root = edited_root.replace("variables:\n", "variables:\n  catalog:\n"
                                      "    description: where tables live\n"
                                      "    default: main\n")
    world.write("databricks.yml", edited_root)
    resource = world.read(ETL).replace(
        "      timeout_seconds: 7200\n",
        "      timeout_seconds: 7200  # two hours is enough\n"
        "      permissions:\n        - level: CAN_VIEW\n          group_name: analysts\n")
    world.write(ETL, resource)
    world.edit_job(1001, lambda s: s.update(max_concurrent_runs=2))
    assert world.sync().exit_code == 0
    assert world.read("databricks.yml") == edited_root
    assert world.read(ETL) == resource.replace("max_concurrent_runs: 1\n",
                                               "max_concurrent_runs: 2\n")


def test_merge_table_rows(world: World) -> None:
    record_base(world)
    # changed | same → kept: the repository's value stays, no drift
    world.write(ETL, world.read(ETL).replace("max_concurrent_runs: 1", "max_concurrent_runs: 5"))
    code, payload = world.sync_json("--check")
    assert (code, payload["drifted"]) == (0, False)
    # changed | changed, equal → nothing to do
    world.edit_job(1001, lambda s: s.update(max_concurrent_runs=5))
    assert world.sync("--check").exit_code == 0
    # changed | changed, different → conflict: repository value kept and reported
    world.edit_job(1001, lambda s: s.update(max_concurrent_runs=7))
    before = world.read(ETL)
    result = world.sync()
    assert result.exit_code == 0
    assert ("- **conflict** `max_concurrent_runs`: repository `5` (kept) · workspace `7`"
            in result.stdout.splitlines())
    assert "**1 conflict(s)** (the repository's values were kept)" in result.stdout
    assert world.read(ETL) == before
    # same | changed → adopted
    world.edit_job(1001, lambda s: s.update(timeout_seconds=5400))
    code, payload = world.sync_json()
    assert job_report(payload, 1001)["changes"] == [
        {"path": "timeout_seconds", "old": 7200, "new": 5400}]


def test_task_changes_merge_by_key(world: World) -> None:
    record_base(world)

    def change(settings: dict[str, Any]) -> None:
        tasks = settings["tasks"]
        tasks[1]["timeout_seconds"] = 900
        extra = copy.deepcopy(tasks[-1])
        extra["task_key"] = "publish"
        extra["depends_on"] = [{"task_key": "quality_checks"}]
        tasks.append(extra)

    world.edit_job(1001, change)
    code, payload = world.sync_json()
    assert code == 0
    job = job_report(payload, 1001)
    assert job["tasks_added"] == ["publish"]
    assert job["changes"] == [{"path": "tasks[clean_orders].timeout_seconds", "old": None,
                               "new": 900}]
    text = world.read(ETL)
    assert text.index("- task_key: quality_checks") < text.index("- task_key: publish")
    assert world.sync("--check").exit_code == 0


def test_a_variable_stays_a_variable(world: World) -> None:
    record_base(world)

    def change(settings: dict[str, Any]) -> None:
        settings["tasks"][1]["sql_task"]["warehouse_id"] = "feedfacecafe0001"

    world.edit_job(1002, change)
    code, payload = world.sync_json()
    assert code == 0, payload
    assert job_report(payload, 1002)["changes"] == [{
        "path": "tasks[refresh_revenue].sql_task.warehouse_id",
        "old": "4b9f1c2d3e5a6b7c", "new": "feedfacecafe0001"}]
    assert "warehouse_id: ${var.warehouse_id_2}" in world.read(REVENUE)
    root = world.read("databricks.yml")
    assert "  warehouse_id_2:\n" in root and "    default: feedfacecafe0001\n" in root
    assert world.sync("--check").exit_code == 0


def test_the_worked_example_of_docs_sync_md(world: World) -> None:
    """docs/sync.md shows this run's report; the test keeps the page true."""
    from tests.flows.sync_support import ROOT

    record_base(world)
    resource = world.read(ETL)
    resource = resource.replace("timeout_seconds: 7200", "timeout_seconds: 5400  # 90 minutes "
                                "is enough")
    world.write(ETL, resource.replace("quartz_cron_expression: 0 30 2 * * ?",
                                      "quartz_cron_expression: 0 0 3 * * ?"))

    def change(settings: dict[str, Any]) -> None:
        settings["name"] = "Nightly Sales ETL (EU)"
        settings["max_concurrent_runs"] = 3
        settings["schedule"]["quartz_cron_expression"] = "0 0 4 * * ?"
        settings["tasks"][1]["timeout_seconds"] = 900

    world.edit_job(1001, change)
    notebook = world.notebook("sales/02_clean_orders.py")
    notebook.write_text(notebook.read_text().replace("overwrite", "append"))
    result = world.sync("--check")
    assert result.exit_code == 1
    page = (ROOT / "docs" / "sync.md").read_text()
    shown = page.split("````markdown\n", 1)[1].split("\n````", 1)[0]
    printed = result.stdout.split("\n---\n", 1)[0].strip()
    assert printed == shown.strip()


def test_review_reads_the_base_the_sync_records(world: World) -> None:
    """`dabgen review`'s deploy plan names UI edits since the last sync from this record."""
    from dabgen_ci.flows.review.plan import read_sync_base

    assert read_sync_base(world.bundle) == {}
    record_base(world)
    base = read_sync_base(world.bundle)
    assert sorted(base) == [1001, 1002]
    assert base[1002]["timeout_seconds"] == 3700 and "format" not in base[1002]


def test_a_file_nobody_edited_gets_the_generators_bytes(world: World) -> None:
    """The fast path (a pristine resource is re-rendered, not round-tripped) writes exactly
    what the round-trip edit writes: only the changed lines differ."""
    record_base(world)
    before = world.read(ETL)
    world.edit_job(1001, lambda s: s.update(max_concurrent_runs=3, name="Nightly Sales ETL 2"))
    assert world.sync().exit_code == 0
    assert world.read(ETL) == before.replace("max_concurrent_runs: 1\n",
                                             "max_concurrent_runs: 3\n").replace(
        "      name: Nightly Sales ETL\n", "      name: Nightly Sales ETL 2\n")


def test_one_list_pass_and_one_export_per_source(world: World) -> None:
    world.edit_job(1001, lambda s: s.update(max_concurrent_runs=3))
    world.server.requests.clear()
    assert world.sync("--check").exit_code == 1
    calls = {k: v for k, v in world.server.requests.items() if "well-known" not in k}
    # jobs 1001 and 1002 use 5 distinct sources (one notebook shared by both)
    assert calls == {"GET /api/2.2/jobs/list": 1, "GET /api/2.0/workspace/export": 5}


def test_paths_select_jobs_by_where_their_code_lives(world: World) -> None:
    (world.checkout / ".dabgen.yml").write_text(
        "version: 1\nbundle_dir: bundle\njobs: {ids: [1001, 1002]}\n"
        "paths: [/Workspace/Users/data-eng@acme.com/ml]\n")
    code, payload = world.sync_json("--check")
    assert code == 1
    assert [(j["job_id"], j["kinds"]) for j in payload["bundles"][0]["jobs"]] == [
        (1004, ["added"])]  # evaluate.py lives below ml/; 1003 runs code elsewhere


def test_excluded_files_are_never_written(world: World) -> None:
    record_base(world)
    (world.checkout / ".dabgen.yml").write_text(
        "version: 1\nbundle_dir: bundle\njobs: {ids: [1001, 1002]}\n"
        f"sync: {{exclude: ['{REVENUE}', 'src/sales/*']}}\n")
    before = world.files()
    world.edit_job(1002, lambda s: s.update(max_concurrent_runs=9))
    notebook = world.notebook("sales/02_clean_orders.py")
    notebook.write_text(notebook.read_text() + "\n# excluded\n")
    world.edit_job(1001, lambda s: s.update(max_concurrent_runs=2))
    code, payload = world.sync_json()
    assert code == 0
    assert [j["job_id"] for j in payload["bundles"][0]["jobs"]] == [1001]
    after = world.files()
    assert after["bundle/" + REVENUE] == before["bundle/" + REVENUE]
    assert after["bundle/src/sales/02_clean_orders.py"] == \
        before["bundle/src/sales/02_clean_orders.py"]
    assert b"max_concurrent_runs: 2" in after["bundle/" + ETL]


def test_a_job_claimed_by_two_bundles_is_an_error_naming_both(world: World) -> None:
    (world.checkout / ".dabgen.yml").write_text(
        "version: 1\nbundles:\n  - {dir: bundle, name: sales, jobs: {ids: [1001, 1002]}}\n"
        "  - {dir: other, name: everything, jobs: {names: ['*']}}\n")
    result = world.sync("--check")
    assert result.exit_code == 2
    assert ("job 1001 ('Nightly Sales ETL') is matched by bundles `sales` and `everything`"
            in result.stderr)


def test_values_compare_for_the_configured_target(world: World) -> None:
    """A prod override of the job is what the prod workspace is compared with, and where a
    change of the workspace is written."""
    (world.checkout / ".dabgen.yml").write_text(
        "version: 1\nbundle_dir: bundle\njobs: {ids: [1001, 1002]}\nsync: {target: prod}\n")
    root = world.read("databricks.yml").replace(
        "      root_path: /Workspace/Users/${workspace.current_user.userName}/.bundle/"
        "${bundle.name}/${bundle.target}\n",
        "      root_path: /Workspace/Users/${workspace.current_user.userName}/.bundle/"
        "${bundle.name}/${bundle.target}\n    resources:\n      jobs:\n"
        "        nightly_sales_etl:\n          max_concurrent_runs: 4  # prod runs more\n")
    world.write("databricks.yml", root)
    world.edit_job(1001, lambda s: s.update(max_concurrent_runs=4))
    record_base(world)  # prod already runs 4: no drift for that field
    code, payload = world.sync_json("--check")
    assert (code, payload["drifted"]) == (0, False)
    world.edit_job(1001, lambda s: s.update(max_concurrent_runs=6))
    resource = world.read(ETL)
    assert world.sync().exit_code == 0
    assert world.read("databricks.yml") == root.replace("max_concurrent_runs: 4  # prod runs",
                                                        "max_concurrent_runs: 6  # prod runs")
    assert world.read(ETL) == resource  # the job's own value (for dev) is untouched
