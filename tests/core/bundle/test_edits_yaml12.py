"""`/dabgen var` and `/dabgen target add` change only what they mean to change.

The edits used to re-read bundle files with PyYAML (YAML 1.1) and dump them again: a
default `NO` became `false`, `1:20` became `80`, `on` became `true`, comments vanished.
Here every scalar of the yamlfmt property test (the NASTY list and seeded random strings)
is put everywhere a bundle holds text, both as dabgen writes it and as a person writes it;
after each edit the files read back, the way the Databricks CLI reads them (YAML 1.2),
exactly as before except where the edit is, and no other line of text moved.
"""

from __future__ import annotations

import difflib
from typing import Any

import pytest

from dabgen_ci.core.bundle import yamlfmt
from dabgen_ci.core.bundle.edits import add_target, set_variable
from dabgen_ci.validate.yamlnodes import parse_yaml
from tests.core.bundle.test_yamlfmt import NASTY, _random_strings

RANDOM = _random_strings(150, seed=8020)


def read(text: str) -> Any:
    """The document as the CLI's YAML 1.2 reader sees it (dabgen's validator reader)."""
    value, _, problems = parse_yaml(text, "f.yml")
    assert not [p for p in problems if p.severity == "error"], problems
    return value


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [ln for ln in diff if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]


def bundle_files(text: str) -> dict[str, str]:
    """A bundle as dabgen writes it with `text` in every kind of place."""
    root = {
        "bundle": {"name": text},
        "include": ["resources/*.yml"],
        "variables": {"note": {"description": text, "default": text}},
        "targets": {"dev": {"mode": "development", "default": True},
                    "prod": {"mode": "production", "variables": {"note": text}}},
    }
    job = {"resources": {"jobs": {"etl": {
        "name": text,
        "description": text,
        "tags": {text or "empty": text, "team": "sales"},
        "parameters": [{"name": "catalog", "default": "main"}, {"name": "t", "default": text}],
        "max_retries": None,
        "tasks": [{"task_key": "main", "notebook_task": {
            "notebook_path": "../src/etl.py",
            "base_parameters": {"catalog": "main", "text": text}}}],
    }}}}
    return {"databricks.yml": yamlfmt.dump(root, spaced=True),
            "resources/etl.job.yml": yamlfmt.dump(job)}


@pytest.mark.parametrize("text", [*NASTY, *RANDOM])
def test_var_changes_only_the_replaced_values(text: str) -> None:
    if text == "main":
        pytest.skip("the value being replaced")
    files = bundle_files(text)
    edit = set_variable(files, "catalog", "main")

    job_before, job_after = read(files["resources/etl.job.yml"]), \
        read(edit.files["resources/etl.job.yml"])
    etl = job_before["resources"]["jobs"]["etl"]
    etl["parameters"][0]["default"] = "${var.catalog}"
    etl["tasks"][0]["notebook_task"]["base_parameters"]["catalog"] = "${var.catalog}"
    assert job_after == job_before
    assert len(changed_lines(files["resources/etl.job.yml"],
                             edit.files["resources/etl.job.yml"])) == 4

    root_before, root_after = read(files["databricks.yml"]), read(edit.files["databricks.yml"])
    root_before["variables"]["catalog"] = {"default": "main"}
    assert root_after == root_before
    assert all(line.startswith("+") for line in
               changed_lines(files["databricks.yml"], edit.files["databricks.yml"]))


@pytest.mark.parametrize("text", [*NASTY, *RANDOM])
def test_target_add_changes_nothing_else(text: str) -> None:
    root = bundle_files(text)["databricks.yml"]
    after = add_target(root, "staging")
    expected = read(root)
    expected["targets"]["staging"] = {"mode": "production", "variables": {"note": text}}
    assert read(after) == expected
    assert all(line.startswith("+") for line in changed_lines(root, after))


@pytest.mark.parametrize("text", [t for t in [*NASTY, *RANDOM]
                                  if t.strip() and "\n" not in t and "\r" not in t])
def test_a_hostile_value_becomes_a_variable_and_reads_back_as_itself(text: str) -> None:
    """`/dabgen var x=<text>`: every occurrence replaced, the default is exactly `text`
    for the CLI (YAML 1.2) and for YAML 1.1 readers too (it is quoted when either needs)."""
    import yaml

    files = bundle_files(text)
    edit = set_variable(files, "x", text)
    root = edit.files["databricks.yml"]
    assert read(root)["variables"]["x"] == {"default": text}
    assert yaml.safe_load(root)["variables"]["x"] == {"default": text}
    job = read(edit.files["resources/etl.job.yml"])["resources"]["jobs"]["etl"]
    assert job["parameters"][1]["default"] == "${var.x}"
    assert job["tasks"][0]["notebook_task"]["base_parameters"]["text"] == "${var.x}"


HAND_WRITTEN_ROOT = """\
# Maintained by the data platform team.
bundle:
  name: sales   # deployments are keyed on this name

include:
  - resources/*.yml

variables:
  flag:
    description: a switch someone wrote as NO
    default: NO
  window:
    default: 1:20
  enabled:
    default: on
  mode_octal:
    default: 0o17
  day:
    default: 2024-01-01
  nothing:
    default: null
  quoted:
    default: 'single quoted'
  multi:
    description: |
      first paragraph

      second paragraph

# Targets: keep prod last.
targets:
  dev:
    mode: development  # the default
    default: true
  prod:
    mode: production
    # prod deploys as the service principal
    workspace:
      root_path: /Workspace/Shared/.bundle/${bundle.name}
"""

HAND_WRITTEN_JOB = """\
resources:
  jobs:
    etl:
      name: Nightly ETL   # renamed in March
      tags:
        team: main
        flag: NO
      tasks:
        - task_key: main
          notebook_task:
            notebook_path: ../src/etl.py
            base_parameters:
              catalog: main  # the default catalog
              window: 1:20
"""


def comment_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "#" in line]


def test_a_hand_written_bundle_keeps_its_comments_and_yaml_1_2_strings() -> None:
    files = {"databricks.yml": HAND_WRITTEN_ROOT, "resources/etl.job.yml": HAND_WRITTEN_JOB}
    edit = set_variable(files, "catalog", "main")
    job, root = edit.files["resources/etl.job.yml"], edit.files["databricks.yml"]
    assert changed_lines(HAND_WRITTEN_JOB, job) == [
        "-        team: main", "+        team: ${var.catalog}",
        "-              catalog: main  # the default catalog",
        "+              catalog: ${var.catalog} # the default catalog",
    ]  # ruamel keeps the comment; it moves right when the value grows past its column
    assert changed_lines(HAND_WRITTEN_ROOT, root) == [
        "+  catalog:", "+    default: main"]
    declared = read(root)["variables"]
    assert declared["flag"]["default"] == "NO" and declared["window"]["default"] == "1:20"
    assert declared["enabled"]["default"] == "on" and declared["day"]["default"] == "2024-01-01"
    assert declared["multi"]["description"] == "first paragraph\n\nsecond paragraph\n"
    assert comment_lines(root) == comment_lines(HAND_WRITTEN_ROOT)

    staged = add_target(root, "staging")
    assert changed_lines(root, staged) == [
        "+  staging:", "+    mode: production", "+    workspace:",
        "+      root_path: /Workspace/Shared/.bundle/${bundle.name}"]
    assert comment_lines(staged) == comment_lines(HAND_WRITTEN_ROOT)


def test_var_on_a_hand_written_value_keeps_its_yaml_1_2_meaning() -> None:
    """`/dabgen var flag=NO`: the string NO (YAML 1.2) is what is replaced and declared."""
    import yaml

    files = {"databricks.yml": HAND_WRITTEN_ROOT, "resources/etl.job.yml": HAND_WRITTEN_JOB}
    edit = set_variable(files, "window", "1:20")
    assert [p for _, p in edit.replaced] == [
        "resources.jobs.etl.tasks[0].notebook_task.base_parameters.window"]
    assert edit.declared == "unchanged"  # declared with that very default already
    edit = set_variable(files, "team_flag", "NO")
    root = edit.files["databricks.yml"]
    assert read(root)["variables"]["team_flag"] == {"default": "NO"}
    assert yaml.safe_load(root)["variables"]["team_flag"] == {"default": "NO"}
    assert read(root)["variables"]["flag"]["default"] == "NO"  # the other NO is untouched


def test_a_new_variables_section_goes_between_include_and_targets_with_blank_lines() -> None:
    root = "bundle:\n  name: b\n\ninclude:\n  - resources/*.yml\n\n# prod last\ntargets:\n" \
           "  prod:\n    mode: production\n"
    edit = set_variable({"databricks.yml": root}, "catalog", "main")
    assert edit.files["databricks.yml"] == (
        "bundle:\n  name: b\n\ninclude:\n  - resources/*.yml\n\nvariables:\n  catalog:\n"
        "    default: main\n\n# prod last\ntargets:\n  prod:\n    mode: production\n")
