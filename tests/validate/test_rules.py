from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from dabgen_ci.validate.files import scan_files
from dabgen_ci.validate.loader import load_bundle, select_target
from dabgen_ci.validate.rules import check_bundle
from tests.validate.bundles import DATABRICKS_YML, ETL_JOB_YML, line_of, write_bundle

ETL = "resources/etl.job.yml"


def run_rules(tmp_path: Path, overrides: Mapping[str, str | None] | None = None,
              target: str | None = None) -> list:
    root = write_bundle(tmp_path, overrides)
    bundle = load_bundle(root)
    assert [d for d in bundle.diagnostics if d.severity == "error"] == []
    found = scan_files(root)
    return check_bundle(bundle, found.files, target=select_target(bundle.config, target),
                        notebooks=found.notebooks)


def only(diags: list, severity: str = "error"):
    matching = [d for d in diags if d.severity == severity]
    assert len(matching) == 1, [d.render() for d in diags]
    return matching[0]


def etl(old: str, new: str) -> dict[str, str]:
    assert old in ETL_JOB_YML
    return {ETL: ETL_JOB_YML.replace(old, new, 1)}


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_valid_bundle_has_no_findings(tmp_path: Path, target: str) -> None:
    assert run_rules(tmp_path, target=target) == []


# --- local files -------------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "summary", "path"), [
    ("../src/ingest.py", "../src/missing.py", "notebook ../src/missing.py not found",
     "tasks[0].notebook_task.notebook_path"),
    ("../src/ingest.py", "../src/ingest", "notebook ../src/ingest not found; did you mean "
     "../src/ingest.py? Local notebook paths must include the file extension",
     "tasks[0].notebook_task.notebook_path"),
    ("../src/ingest.py", "../src/transform.py", "../src/transform.py is not a notebook",
     "tasks[0].notebook_task.notebook_path"),
    ("python_file: ../src/transform.py", "python_file: ../src/ingest.py",
     "../src/ingest.py is a notebook but a plain file is expected",
     "tasks[1].spark_python_task.python_file"),
    ("../src/report.sql", "../src/other.sql", "file ../src/other.sql not found",
     "tasks[2].sql_task.file.path"),
    ("../src/region.py", "../src/regions.py", "notebook ../src/regions.py not found",
     "tasks[3].for_each_task.task.notebook_task.notebook_path"),
    ("../dist/sales_model-0.1.0-py3-none-any.whl", "../dist/other.whl",
     "library ../dist/other.whl not found", "tasks[4].libraries[0].whl"),
    ("../src/ingest.py", "../../elsewhere/ingest.py", "../../elsewhere/ingest.py is outside "
     "the bundle root", "tasks[0].notebook_task.notebook_path"),
])
def test_missing_or_wrong_kind_of_local_file(tmp_path: Path, old: str, new: str, summary: str,
                                            path: str) -> None:
    overrides = etl(old, new)
    diag = only(run_rules(tmp_path, overrides))

    assert diag.summary.startswith(summary)
    assert diag.path == f"resources.jobs.sales_etl.{path}"
    assert (diag.file, diag.line) == (ETL, line_of(overrides[ETL], new))
    assert diag.source == "rules"


def test_paths_that_cannot_be_checked_offline_are_skipped(tmp_path: Path) -> None:
    text = (ETL_JOB_YML.replace("../src/ingest.py", "/Workspace/Shared/ingest")
            .replace("../src/transform.py", "${workspace.file_path}/transform.py")
            .replace("../dist/sales_model-0.1.0-py3-none-any.whl", "../dist/*.whl"))
    assert run_rules(tmp_path, {ETL: text}) == []


def test_paths_built_from_variables_are_checked_after_substitution(tmp_path: Path) -> None:
    overrides = etl("../src/transform.py", "${var.catalog}/transform.py")
    diag = only(run_rules(tmp_path, overrides))
    assert diag.summary == "file dev_catalog/transform.py not found"


def test_git_source_jobs_are_not_checked_locally(tmp_path: Path) -> None:
    text = ETL_JOB_YML.replace(
        "      max_concurrent_runs: 1\n",
        "      max_concurrent_runs: 1\n      git_source:\n        git_url: https://github.com/"
        "o/r\n        git_provider: gitHub\n        git_branch: main\n",
    ).replace("../src/ingest.py", "notebooks/ingest")
    assert run_rules(tmp_path, {ETL: text}) == []


def test_missing_wheel_is_a_warning_when_artifacts_build_it(tmp_path: Path) -> None:
    overrides = {**etl("../dist/sales_model-0.1.0-py3-none-any.whl", "../dist/*.whl"),
                 "dist/sales_model-0.1.0-py3-none-any.whl": None,
                 "databricks.yml": DATABRICKS_YML + "artifacts:\n  default:\n    type: whl\n"
                                                    "    path: .\n"}
    diag = only(run_rules(tmp_path, overrides), "warning")
    assert "must be produced by an artifact build" in diag.summary


def test_pipeline_and_environment_paths(tmp_path: Path) -> None:
    pipeline = ("resources:\n  pipelines:\n    dlt:\n      name: dlt\n      libraries:\n"
                "        - notebook:\n            path: ../src/dlt.py\n"
                "        - file:\n            path: ../src/report.sql\n"
                "      environment:\n        dependencies:\n          - -r ../requirements.txt\n"
                "          - pandas==2.2.0\n")
    diags = run_rules(tmp_path, {"resources/dlt.pipeline.yml": pipeline})
    found = {(d.path, d.line) for d in diags}

    assert found == {
        ("resources.pipelines.dlt.libraries[0].notebook.path", 7),
        ("resources.pipelines.dlt.environment.dependencies[0]", 12),
    }


def test_paths_set_in_a_target_are_relative_to_their_own_file(tmp_path: Path) -> None:
    override = DATABRICKS_YML.replace(
        "                num_workers: 8\n",
        "                num_workers: 8\n          tasks:\n            - task_key: ingest\n"
        "              notebook_task:\n                notebook_path: src/prod_ingest.py\n")
    diag = only(run_rules(tmp_path, {"databricks.yml": override}, target="prod"))

    assert diag.summary == "notebook src/prod_ingest.py not found"
    assert (diag.file, diag.line) == ("databricks.yml", line_of(override, "prod_ingest"))
    assert run_rules(tmp_path, {"databricks.yml": override}, target="dev") == []


# --- references --------------------------------------------------------------------------

def test_undeclared_variable(tmp_path: Path) -> None:
    overrides = etl("catalog: ${var.catalog}", "catalog: ${var.schema}")
    diag = only(run_rules(tmp_path, overrides))

    assert diag.summary.startswith("variable 'schema' is not declared")
    assert (diag.file, diag.line) == (ETL, line_of(overrides[ETL], "${var.schema}"))
    assert diag.path == "resources.jobs.sales_etl.tasks[0].notebook_task.base_parameters.catalog"


def test_unicode_variable_names_are_references_too(tmp_path: Path) -> None:
    overrides = {**etl("catalog: ${var.catalog}", "catalog: ${var.größe}"),
                 "databricks.yml": DATABRICKS_YML.replace(
                     "variables:\n", "variables:\n  größe:\n    default: xl\n", 1)}
    assert run_rules(tmp_path, overrides) == []


def test_target_may_only_assign_declared_variables(tmp_path: Path) -> None:
    text = DATABRICKS_YML.replace("catalog: prod_catalog", "catalgo: prod_catalog")
    diag = only(run_rules(tmp_path, {"databricks.yml": text}))

    assert "assigns variable 'catalgo'" in diag.summary
    assert (diag.file, diag.line) == ("databricks.yml", line_of(text, "catalgo"))


def test_resource_reference_must_resolve(tmp_path: Path) -> None:
    cleanup = ("resources:\n  jobs:\n    cleanup:\n      name: cleanup\n      tasks:\n"
               "        - task_key: run_etl\n          run_job_task:\n"
               "            job_id: ${resources.jobs.sales_etll.id}\n")
    diag = only(run_rules(tmp_path, {"resources/cleanup.job.yml": cleanup}))

    assert diag.summary.startswith("reference ${resources.jobs.sales_etll.id} points to no "
                                   "resource")
    assert (diag.file, diag.line) == ("resources/cleanup.job.yml", 8)


def test_variable_without_any_value_is_a_warning(tmp_path: Path) -> None:
    text = DATABRICKS_YML.replace("  node_type:\n    default: i3.xlarge\n", "  node_type: {}\n")
    diag = only(run_rules(tmp_path, {"databricks.yml": text}), "warning")
    assert diag.summary.startswith("variable 'node_type' has no value for target 'dev'")


def test_resource_key_with_a_reference(tmp_path: Path) -> None:
    extra = "resources:\n  jobs:\n    job_${var.catalog}:\n      name: x\n"
    diag = only(run_rules(tmp_path, {"resources/extra.yml": extra}))
    assert "must not contain variable references" in diag.summary and diag.line == 3


# --- jobs --------------------------------------------------------------------------------

def test_depends_on_unknown_task(tmp_path: Path) -> None:
    overrides = etl("            - task_key: ingest\n", "            - task_key: ingestt\n")
    diag = only(run_rules(tmp_path, overrides))

    assert diag.summary == "depends_on names task 'ingestt', which is not a task of this job"
    assert diag.path == "resources.jobs.sales_etl.tasks[1].depends_on[0].task_key"
    assert diag.line == line_of(overrides[ETL], "task_key: ingestt")


def test_dependency_cycle(tmp_path: Path) -> None:
    overrides = etl("        - task_key: ingest\n",
                    "        - task_key: ingest\n          depends_on:\n"
                    "            - task_key: score\n")
    diag = only(run_rules(tmp_path, overrides))

    assert "dependency cycle: ingest → score → per_region → transform → ingest" in diag.summary


def test_self_dependency(tmp_path: Path) -> None:
    overrides = etl("            - task_key: ingest\n", "            - task_key: transform\n")
    assert only(run_rules(tmp_path, overrides)).summary == "task 'transform' depends on itself"


def test_depends_on_inside_for_each_is_flagged(tmp_path: Path) -> None:
    overrides = etl("task_key: per_region_iteration\n",
                    "task_key: per_region_iteration\n              depends_on:\n"
                    "                - task_key: ingest\n")
    diag = only(run_rules(tmp_path, overrides), "warning")
    assert diag.path == "resources.jobs.sales_etl.tasks[3].for_each_task.task.depends_on"


def test_duplicate_task_key(tmp_path: Path) -> None:
    overrides = etl("        - task_key: report\n", "        - task_key: transform\n")
    diags = run_rules(tmp_path, overrides)
    dup = [d for d in diags if "more than one task" in d.summary]

    assert len(dup) == 1
    assert dup[0].line == line_of(overrides[ETL], "- task_key: transform", 2)


def test_undefined_job_cluster_and_environment_keys(tmp_path: Path) -> None:
    overrides = etl("          job_cluster_key: etl_cluster\n          notebook_task:\n"
                    "            notebook_path: ../src/ingest.py",
                    "          job_cluster_key: big_cluster\n          notebook_task:\n"
                    "            notebook_path: ../src/ingest.py")
    diag = only(run_rules(tmp_path, overrides))
    assert diag.summary == "job_cluster_key 'big_cluster' is not defined in the job's job_clusters"
    assert diag.line == line_of(overrides[ETL], "big_cluster")

    env = etl("              job_cluster_key: etl_cluster\n",
              "              environment_key: serverless\n")
    diag = only(run_rules(tmp_path, env))
    assert diag.path == "resources.jobs.sales_etl.tasks[3].for_each_task.task.environment_key"


def test_code_task_without_compute(tmp_path: Path) -> None:
    overrides = etl("          job_cluster_key: etl_cluster\n          python_wheel_task:",
                    "          python_wheel_task:")
    diag = only(run_rules(tmp_path, overrides))

    assert diag.summary == "missing required cluster or environment settings"
    assert diag.path == "resources.jobs.sales_etl.tasks[4]"
    assert "'score'" in diag.detail


# --- secrets -----------------------------------------------------------------------------

TOKENS = {
    "databricks": "dapi" + "0123456789abcdef" * 2,
    "github": "ghp_" + "A1b2C3d4E5" * 4,
    "github_pat": "github_pat_" + "11ABCDEFG0" * 3,
    "aws": "AKIA" + "ABCDEFGHIJKLMNOP",
}


@pytest.mark.parametrize("kind", sorted(TOKENS))
def test_token_formats_are_errors_without_echoing_the_token(tmp_path: Path, kind: str) -> None:
    overrides = etl("catalog: ${var.catalog}", f"catalog: ${{var.catalog}}\n              "
                                               f"note: see {TOKENS[kind]}")
    diag = only(run_rules(tmp_path, overrides))

    assert diag.summary.startswith("this value looks like ")
    assert TOKENS[kind] not in diag.render() + diag.detail
    assert diag.line == line_of(overrides[ETL], "note: see")


def test_private_key_block(tmp_path: Path) -> None:
    text = DATABRICKS_YML.replace(
        "  catalog:\n    default: dev_catalog\n",
        "  catalog:\n    default: dev_catalog\n  cert:\n    default: |\n"
        "      -----BEGIN RSA PRIVATE KEY-----\n      MIIB\n")
    diag = only(run_rules(tmp_path, {"databricks.yml": text}))
    assert "private key" in diag.summary


@pytest.mark.parametrize(("old", "new", "needle"), [
    ('DB_PASSWORD: "{{secrets/kv/db-password}}"', "DB_PASSWORD: hunter2", "hunter2"),
    ('client.secret: "{{secrets/kv/sp-secret}}"', "client.secret: s3cr3t", "s3cr3t"),
    ("              catalog: ${var.catalog}\n",
     "              catalog: ${var.catalog}\n              api_token: abc123\n", "abc123"),
    ('parameters: ["--catalog", "${var.catalog}"]',
     'parameters: ["--catalog", "${var.catalog}", "--password", "pw1"]', "pw1"),
    ('parameters: ["--catalog", "${var.catalog}"]',
     'parameters: ["--catalog", "${var.catalog}", "--db-token=tok9"]', "tok9"),
    ("        - name: run_date\n          default: \"\"\n",
     "        - name: run_date\n          default: \"\"\n        - name: api_key\n"
     "          default: k3y\n", "k3y"),
])
def test_literal_values_under_secret_names(tmp_path: Path, old: str, new: str, needle: str
                                           ) -> None:
    overrides = etl(old, new)
    diag = only(run_rules(tmp_path, overrides))

    assert "literal secret" in diag.summary
    assert needle not in diag.summary
    assert diag.line == line_of(overrides[ETL], needle)


def test_secret_references_and_names_about_secrets_are_fine(tmp_path: Path) -> None:
    overrides = etl("              catalog: ${var.catalog}\n",
                    "              catalog: ${var.catalog}\n              secret_scope: kv\n"
                    "              token: \"{{secrets/kv/token}}\"\n"
                    "              password: ${var.catalog}\n"
                    "              tokenizer: bert\n")
    assert run_rules(tmp_path, overrides) == []


def test_secret_variable_default(tmp_path: Path) -> None:
    text = DATABRICKS_YML.replace(
        "  catalog:\n    default: dev_catalog\n",
        "  catalog:\n    default: dev_catalog\n  db_password:\n    default: letmein\n")
    diag = only(run_rules(tmp_path, {"databricks.yml": text}))
    assert diag.path == "variables.db_password.default"
    assert diag.line == line_of(text, "letmein")


def test_rules_are_pure_over_a_given_file_set(tmp_path: Path) -> None:
    """The same bundle checked against a different file set gives different findings."""
    bundle = load_bundle(write_bundle(tmp_path))
    files = scan_files(tmp_path)
    assert check_bundle(bundle, files.files, target="dev", notebooks=files.notebooks) == []

    fewer = files.files - {"src/report.sql"}
    [diag] = check_bundle(bundle, fewer, target="dev", notebooks=None)
    assert diag.summary == "file ../src/report.sql not found"


def test_references_in_bundle_name_and_auth_fields_are_warnings(tmp_path: Path) -> None:
    text = (DATABRICKS_YML.replace("  name: sales_etl\n", "  name: sales_${var.catalog}\n")
            .replace("      host: https://example.cloud.databricks.com\n  prod:",
                     "      host: ${var.catalog}\n  prod:"))
    diags = run_rules(tmp_path, {"databricks.yml": text})

    assert [(d.severity, d.path, d.line) for d in diags] == [
        ("warning", "bundle.name", 2),
        ("warning", "targets.dev.workspace.host", line_of(text, "host: ${var.catalog}")),
    ]


def test_nested_for_each_is_an_error(tmp_path: Path) -> None:
    overrides = etl("              task_key: per_region_iteration\n",
                    "              task_key: per_region_iteration\n              for_each_task:\n"
                    "                inputs: '[1]'\n                task:\n"
                    "                  task_key: deeper\n"
                    "                  notebook_task: {notebook_path: ../src/region.py}\n")
    diag = only(run_rules(tmp_path, overrides))
    assert diag.path == "resources.jobs.sales_etl.tasks[3].for_each_task.task.for_each_task"


def test_misspelled_task_type_leaves_a_task_without_type(tmp_path: Path) -> None:
    diags = run_rules(tmp_path, etl("          notebook_task:\n", "          notebok_task:\n"))
    diag = only(diags)
    assert "has no task type" in diag.summary and diag.file == ETL


def test_two_task_types_in_one_task(tmp_path: Path) -> None:
    extra = "          spark_python_task:\n            python_file: ../src/transform.py\n"
    diag = only(run_rules(tmp_path, etl("          notebook_task:\n",
                                        extra + "          notebook_task:\n")))
    assert "several task types (notebook_task, spark_python_task)" in diag.summary


def test_target_mode_must_be_known(tmp_path: Path) -> None:
    text = DATABRICKS_YML.replace("    mode: development", "    mode: sideways", 1)
    diag = only(run_rules(tmp_path, {"databricks.yml": text}))
    assert diag.path == "targets.dev.mode" and diag.line == line_of(text, "sideways")


@pytest.mark.parametrize("written", [
    '"\\x24{var.schema}"', '"\\u0024{var.schema}"', '"$\\\n  {var.schema}"'])
def test_a_reference_written_with_escapes_is_found(tmp_path: Path, written: str) -> None:
    """A file whose bytes hold no ``${`` is skipped by the variable check only when no YAML
    escape could make one (refs.may_hold_reference)."""
    extra = ("resources:\n  jobs:\n    extra:\n      name: extra\n      tags:\n"
             f"        schema: {written}\n")
    assert "${" not in extra
    diag = only(run_rules(tmp_path, {"resources/extra.job.yml": extra}))
    assert diag.summary.startswith("variable 'schema' is not declared")
    assert diag.file == "resources/extra.job.yml"
