from __future__ import annotations

from pathlib import Path

import pytest

from dabgen_ci.errors import BadInputError
from dabgen_ci.validate.loader import load_bundle
from dabgen_ci.validate.located import Location
from tests.validate.bundles import DATABRICKS_YML, ETL_JOB_YML, line_of, write_bundle


def errors(bundle):
    return [d for d in bundle.diagnostics if d.severity == "error"]


def test_valid_bundle_loads_all_files_in_include_order(tmp_path: Path) -> None:
    bundle = load_bundle(write_bundle(tmp_path))

    assert [f.path for f in bundle.files] == [
        "databricks.yml", "resources/cleanup.job.yml", "resources/etl.job.yml"]
    assert bundle.diagnostics == ()
    assert set(bundle.config["resources"]["jobs"]) == {"sales_etl", "cleanup"}
    assert bundle.config["bundle"] == {"name": "sales_etl"}


def test_every_yaml_path_keeps_its_file_and_line(tmp_path: Path) -> None:
    bundle = load_bundle(write_bundle(tmp_path))

    path = "resources.jobs.sales_etl.tasks[3].for_each_task.task.notebook_task.notebook_path"
    assert bundle.locations[path] == Location(
        "resources/etl.job.yml", line_of(ETL_JOB_YML, "notebook_path: ../src/region.py"), 17)
    assert bundle.locations["variables.catalog.default"].file == "databricks.yml"
    assert bundle.locations["variables.catalog.default"].line == line_of(
        DATABRICKS_YML, "default: dev_catalog")
    # a path that is not set falls back to its nearest ancestor
    loc = bundle.locate(("resources", "jobs", "cleanup", "tasks", 0, "no_such_field"))
    assert loc == bundle.locations["resources.jobs.cleanup.tasks[0]"]


def test_include_globs_are_sorted_per_entry_and_deduplicated(tmp_path: Path) -> None:
    root = write_bundle(tmp_path, {
        "databricks.yml": "bundle: {name: x}\ninclude:\n  - b/*.yml\n  - a/*.yml\n"
                          "  - b/2.yml\n",
        "b/2.yml": "variables: {two: {default: 2}}\n",
        "b/1.yml": "variables: {one: {default: 1}}\n",
        "a/z.yml": "variables: {z: {default: z}}\n",
        "a/.hidden.yml": "variables: {hidden: {default: h}}\n",
        "a/notes.txt": "not included by *.yml\n",
    })
    bundle = load_bundle(root)

    assert [f.path for f in bundle.files] == [
        "databricks.yml", "b/1.yml", "b/2.yml", "a/.hidden.yml", "a/z.yml"]
    assert set(bundle.config["variables"]) == {"one", "two", "z", "hidden"}


def test_include_problems_are_diagnostics(tmp_path: Path) -> None:
    text = "bundle: {name: x}\ninclude:\n  - resources/missing.yml\n  - docs/*\n"
    root = write_bundle(tmp_path, {"databricks.yml": text, "docs/readme.md": "# hi\n"})
    bundle = load_bundle(root)

    found = {(d.summary.split(" ")[0], d.line) for d in errors(bundle)}
    assert ("include", line_of(text, "missing.yml")) in found
    assert ("included", line_of(text, "docs/*")) in found
    assert all(d.file == "databricks.yml" for d in errors(bundle))


def test_malformed_yaml_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    broken = "resources:\n  jobs:\n    etl:\n      name: [unclosed\n      tasks: []\n"
    root = write_bundle(tmp_path, {"resources/etl.job.yml": broken})
    bundle = load_bundle(root)

    [diag] = errors(bundle)
    assert diag.file == "resources/etl.job.yml"
    assert diag.line == 5
    assert diag.summary.startswith("invalid YAML")
    # the other files are still loaded
    assert "cleanup" in bundle.config["resources"]["jobs"]


def test_no_bundle_root_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"no databricks\.yml"):
        load_bundle(tmp_path)


@pytest.mark.parametrize("name", ["databricks.yaml", "bundle.yml", "bundle.yaml"])
def test_alternative_root_file_names(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("bundle:\n  name: alt\n")
    assert load_bundle(tmp_path).config == {"bundle": {"name": "alt"}}


def test_same_resource_key_in_two_files_is_an_error(tmp_path: Path) -> None:
    copy = "resources:\n  jobs:\n    sales_etl:\n      name: again\n"
    root = write_bundle(tmp_path, {"resources/zz_copy.yml": copy})
    bundle = load_bundle(root)

    [diag] = errors(bundle)
    assert (diag.file, diag.line) == ("resources/zz_copy.yml", 3)
    assert diag.path == "resources.jobs.sales_etl"
    assert "resources/etl.job.yml:3" in diag.summary


def test_same_resource_key_under_two_types_is_an_error(tmp_path: Path) -> None:
    other = "resources:\n  pipelines:\n    cleanup:\n      name: p\n"
    bundle = load_bundle(write_bundle(tmp_path, {"resources/zz_pipe.yml": other}))

    [diag] = errors(bundle)
    assert diag.path == "resources.pipelines.cleanup"
    assert "jobs.cleanup" in diag.summary


def test_values_follow_yaml_1_2_like_the_cli(tmp_path: Path) -> None:
    text = ("bundle: {name: x}\nvariables:\n  a: {default: on}\n  b: {default: yes}\n"
            "  c: {default: 2024-01-01}\n  d: {default: 0x10}\n  e: {default: 007}\n"
            "  f: {default: 1e3}\n  g: {default: '12'}\n  h: {default: True}\n"
            "  i: {default: ~}\n  j: {default: -.inf}\n")
    (tmp_path / "databricks.yml").write_text(text)
    values = {k: v["default"] for k, v in load_bundle(tmp_path).config["variables"].items()}

    assert values == {"a": "on", "b": "yes", "c": "2024-01-01", "d": 16, "e": 7, "f": 1000.0,
                      "g": "12", "h": True, "i": None, "j": float("-inf")}


def test_anchors_and_merge_keys(tmp_path: Path) -> None:
    text = ("bundle: {name: x}\nvariables:\n  base: &base {default: 1, description: d}\n"
            "  other:\n    <<: *base\n    default: 2\n")
    (tmp_path / "databricks.yml").write_text(text)
    bundle = load_bundle(tmp_path)

    assert bundle.config["variables"]["other"] == {"default": 2, "description": "d"}
    assert bundle.locations["variables.other.default"].line == 6


def test_duplicate_merge_key_and_duplicate_key_are_errors(tmp_path: Path) -> None:
    text = ("bundle: {name: x}\nx1: &a {k: 1}\nx2: &b {k: 2}\n"
            "variables:\n  v:\n    <<: *a\n    <<: *b\n")
    (tmp_path / "databricks.yml").write_text(text)
    [diag] = errors(load_bundle(tmp_path))
    assert "merge key" in diag.summary and diag.line == 7

    (tmp_path / "databricks.yml").write_text("bundle:\n  name: x\n  name: y\n")
    [dup] = errors(load_bundle(tmp_path))
    assert (dup.summary, dup.line) == ("duplicate key 'name' in a mapping; remove one of them", 3)


def test_non_string_key_and_non_mapping_file_are_errors(tmp_path: Path) -> None:
    (tmp_path / "databricks.yml").write_text("bundle:\n  1: x\n")
    [diag] = errors(load_bundle(tmp_path))
    assert "keys must be strings" in diag.summary and diag.line == 2

    (tmp_path / "databricks.yml").write_text("- a\n- b\n")
    [top] = errors(load_bundle(tmp_path))
    assert "must be a mapping" in top.summary


def test_include_outside_root_file_is_a_warning(tmp_path: Path) -> None:
    extra = "include:\n  - more/*.yml\nvariables: {x: {default: 1}}\n"
    bundle = load_bundle(write_bundle(tmp_path, {"resources/extra.yml": extra}))

    [diag] = bundle.diagnostics
    assert (diag.severity, diag.file, diag.line) == ("warning", "resources/extra.yml", 1)
