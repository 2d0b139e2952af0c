"""Round trip: written bundle → yaml.safe_load → back to API form → same as the job."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

import pytest

from dabgen_ci.core.bundle.layout import RenderedBundle, resource_file
from dabgen_ci.core.bundle.roundtrip import ABSENT, Difference, compare, variable_values
from dabgen_ci.core.bundle.yamlfmt import dump
from tests.core.bundle.support import build, fixture_names, load_fixture, loaded_resource, roundtrip


class CompareContext(TypedDict):
    """``compare``'s keyword arguments for a bundle without local paths or references."""

    variables: Mapping[str, object]
    local_to_workspace: Callable[[str], str | None]
    key_to_job_id: Mapping[str, int]


NO_PATHS = CompareContext(variables={}, local_to_workspace=lambda _p: None, key_to_job_id={})


@pytest.mark.parametrize("name", fixture_names())
def test_each_fixture_round_trips_without_difference(name):
    plan, rendered = build([load_fixture(name)])
    assert roundtrip(plan, rendered) == {plan.jobs[0].key: []}


def test_all_fixtures_in_one_bundle_round_trip_with_cross_job_references():
    plan, rendered = build([load_fixture(name) for name in fixture_names()])
    assert all(diffs == [] for diffs in roundtrip(plan, rendered).values())
    orchestrator = loaded_resource(rendered, "orchestrator")
    assert (
        orchestrator["tasks"][1]["run_job_task"]["job_id"]
        == "${resources.jobs.nightly_sales_etl.id}"
    )


def test_missing_notebook_round_trips_with_its_absolute_path():
    gone = "/Users/ana@example.com/sales/ingest/raw"
    plan, rendered = build([load_fixture("notebook_classic")], missing={gone: "gone"})
    assert roundtrip(plan, rendered) == {"nightly_sales_etl": []}


def _setup(name: str = "notebook_classic"):
    plan, rendered = build([load_fixture(name)])
    job = plan.jobs[0]
    return plan, rendered, job, loaded_resource(rendered, job.key)


def _diffs(plan, rendered, job, resource) -> list[Difference]:
    """Round-trip differences after replacing the job's resource file with ``resource``."""
    text = dump({"resources": {"jobs": {job.key: resource}}}).encode()
    files = {**rendered.files, resource_file(job.key): text}
    patched = RenderedBundle(files, rendered.local_paths, rendered.diagnostics)
    return roundtrip(plan, patched)[job.key]


def test_changed_dropped_added_and_retyped_values_are_reported():
    plan, rendered, job, resource = _setup()
    resource["tasks"][0]["max_retries"] = 3
    del resource["schedule"]["timezone_id"]
    resource["permissions"] = [{"level": "CAN_VIEW", "group_name": "users"}]
    resource["tasks"][1]["health"]["rules"][0]["value"] = "1800"
    diffs = _diffs(plan, rendered, job, resource)
    assert diffs == [
        Difference("schedule.timezone_id", "Europe/Paris", ABSENT),
        Difference("tasks[0].max_retries", 2, 3),
        Difference("tasks[1].health.rules[0].value", 1800, "1800"),
        Difference("permissions", ABSENT, [{"level": "CAN_VIEW", "group_name": "users"}]),
    ]


def test_task_order_is_significant():
    plan, rendered, job, resource = _setup()
    resource["tasks"][0], resource["tasks"][1] = resource["tasks"][1], resource["tasks"][0]
    paths = {d.path for d in _diffs(plan, rendered, job, resource)}
    assert "tasks[0].task_key" in paths and "tasks[1].task_key" in paths


def test_a_path_to_another_file_or_an_unknown_variable_is_a_difference():
    plan, rendered, job, resource = _setup()
    resource["tasks"][1]["notebook_task"]["notebook_path"] = "../src/ingest/raw.py"
    resource["tasks"][2]["notebook_task"]["warehouse_id"] = "${var.nope}"
    diffs = _diffs(plan, rendered, job, resource)
    assert diffs == [
        Difference(
            "tasks[1].notebook_task.notebook_path",
            "/Users/ana@example.com/sales/transform/clean",
            "../src/ingest/raw.py",
        ),
        Difference("tasks[2].notebook_task.warehouse_id", "4b9b953939869799", "${var.nope}"),
    ]


def test_read_only_fields_of_the_original_are_ignored_and_nothing_else():
    original = {
        "name": "j",
        "format": "MULTI_TASK",
        "edit_mode": "EDITABLE",
        "max_concurrent_runs": 1,
    }
    assert compare(original, {"name": "j", "max_concurrent_runs": 1}, **NO_PATHS) == []
    assert compare(original, {"name": "j"}, **NO_PATHS) == [
        Difference("max_concurrent_runs", 1, ABSENT)
    ]
    assert compare({"a": True}, {"a": 1}, **NO_PATHS) == [Difference("a", True, 1)]


def test_paths_match_by_suffix_without_extension_when_the_mapping_is_unknown():
    original: dict[str, Any] = {
        "tasks": [
            {"task_key": "a", "notebook_task": {"notebook_path": "/Users/x/proj/a/b"}},
            {"task_key": "f", "spark_python_task": {"python_file": "/Workspace/Users/x/proj/c.py"}},
            {"task_key": "g", "notebook_task": {"notebook_path": "/Users/x/proj/other"}},
        ]
    }
    bundle = copy.deepcopy(original)
    bundle["tasks"][0]["notebook_task"]["notebook_path"] = "../src/a/b.py"
    bundle["tasks"][1]["spark_python_task"]["python_file"] = "../src/c.py"
    bundle["tasks"][2]["notebook_task"]["notebook_path"] = "../src/nope.py"
    diffs = compare(original, bundle, **NO_PATHS)
    assert [d.path for d in diffs] == ["tasks[2].notebook_task.notebook_path"]


def test_embedded_and_whole_references_resolve():
    original = {
        "name": "run 42 on w1",
        "tasks": [{"task_key": "t", "run_job_task": {"job_id": 42}}],
    }
    bundle = {
        "name": "run ${resources.jobs.other.id} on ${var.wh}",
        "tasks": [{"task_key": "t", "run_job_task": {"job_id": "${resources.jobs.other.id}"}}],
    }
    assert (
        compare(
            original,
            bundle,
            variables={"wh": "w1"},
            local_to_workspace=lambda _p: None,
            key_to_job_id={"other": 42},
        )
        == []
    )


def test_variable_values_apply_target_overrides():
    config = {
        "variables": {"a": {"default": "1"}, "b": {"description": "no default"}},
        "targets": {"prod": {"variables": {"a": "9", "b": {"default": "2"}}}, "dev": {}},
    }
    assert variable_values(config) == {"a": "1", "b": None}
    assert variable_values(config, "dev") == {"a": "1", "b": None}
    assert variable_values(config, "prod") == {"a": "9", "b": "2"}
