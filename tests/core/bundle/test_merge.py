"""The three-way merge rule, row by row (docs/sync.md), on plain values."""

from __future__ import annotations

import pytest

from dabgen_ci.core.bundle.merge import (
    ABSENT,
    get_path,
    merge_file,
    merge_values,
    same,
)
from dabgen_ci.core.bundle.tree import Keyed, format_path

BASE = {"name": "etl", "max_concurrent_runs": 1, "timeout_seconds": 600}


def job(**changes: object) -> dict:
    out = dict(BASE)
    for key, value in changes.items():
        if value is ABSENT:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def test_row_same_changed_adopts_the_workspace_value() -> None:
    result = merge_values(BASE, job(), job(max_concurrent_runs=3))
    assert [(c.path, c.ours, c.theirs) for c in result.adopted] == [
        (("max_concurrent_runs",), 1, 3)]
    assert result.kept == result.conflicts == ()
    assert result.drifted


def test_row_changed_same_keeps_the_repository_value() -> None:
    result = merge_values(BASE, job(max_concurrent_runs=5), job())
    assert [(c.path, c.ours, c.theirs) for c in result.kept] == [
        (("max_concurrent_runs",), 5, 1)]
    assert result.adopted == result.conflicts == ()
    assert not result.drifted


def test_row_changed_changed_equal_does_nothing() -> None:
    result = merge_values(BASE, job(max_concurrent_runs=4), job(max_concurrent_runs=4))
    assert result == merge_values({}, {}, {})
    assert not result.drifted


def test_row_changed_changed_different_is_a_conflict() -> None:
    result = merge_values(BASE, job(max_concurrent_runs=4), job(max_concurrent_runs=7))
    [conflict] = result.conflicts
    assert (conflict.path, conflict.base, conflict.ours, conflict.theirs) == (
        ("max_concurrent_runs",), 1, 4, 7)
    assert result.adopted == ()
    assert result.drifted


def test_rows_hold_per_field_independently() -> None:
    result = merge_values(
        BASE,
        job(max_concurrent_runs=5, timeout_seconds=10),
        job(name="etl v2", timeout_seconds=20),
    )
    assert [c.path for c in result.adopted] == [("name",)]
    assert [c.path for c in result.kept] == [("max_concurrent_runs",)]
    assert [c.path for c in result.conflicts] == [("timeout_seconds",)]


def test_added_and_removed_fields_follow_the_same_table() -> None:
    added = merge_values(BASE, job(), job(description="new"))
    assert [(c.path, c.ours, c.theirs) for c in added.adopted] == [
        (("description",), ABSENT, "new")]
    removed = merge_values(BASE, job(), job(timeout_seconds=ABSENT))
    assert [(c.path, c.theirs) for c in removed.adopted] == [(("timeout_seconds",), ABSENT)]
    repo_removed = merge_values(BASE, job(timeout_seconds=ABSENT), job())
    assert [c.path for c in repo_removed.kept] == [("timeout_seconds",)]
    both_removed = merge_values(BASE, job(timeout_seconds=ABSENT), job(timeout_seconds=ABSENT))
    assert both_removed == merge_values(1, 1, 1)


def test_nested_changes_touch_only_the_leaf() -> None:
    base = {"schedule": {"quartz_cron_expression": "0 0 5 * * ?", "timezone_id": "UTC"}}
    theirs = {"schedule": {"quartz_cron_expression": "0 0 6 * * ?", "timezone_id": "UTC"}}
    ours = {"schedule": {"quartz_cron_expression": "0 0 5 * * ?", "timezone_id": "UTC"},
            "permissions": [{"level": "CAN_VIEW", "group_name": "users"}]}
    result = merge_values(base, ours, theirs)
    assert [c.path for c in result.adopted] == [("schedule", "quartz_cron_expression")]
    assert [c.path for c in result.kept] == [("permissions",)]


def tasks(*items: dict) -> dict:
    return {"tasks": list(items)}


INGEST = {"task_key": "ingest", "notebook_task": {"notebook_path": "../src/a.py"}}
CLEAN = {"task_key": "clean", "depends_on": [{"task_key": "ingest"}],
         "notebook_task": {"notebook_path": "../src/b.py"}}


def test_tasks_merge_by_task_key_not_by_position() -> None:
    publish = {"task_key": "publish", "notebook_task": {"notebook_path": "../src/c.py"}}
    changed_clean = {**CLEAN, "timeout_seconds": 60}
    # the repository reordered its tasks; the workspace added one and changed another
    result = merge_values(tasks(INGEST, CLEAN), tasks(CLEAN, INGEST),
                          tasks(INGEST, changed_clean, publish))
    assert [(format_path(c.path), c.theirs) for c in result.adopted] == [
        ("tasks[clean].timeout_seconds", 60),
        ("tasks[publish]", publish),
    ]
    assert result.kept == result.conflicts == ()


def test_task_removed_in_the_workspace_is_adopted_unless_the_repo_changed_it() -> None:
    removed = merge_values(tasks(INGEST, CLEAN), tasks(INGEST, CLEAN), tasks(INGEST))
    assert [(format_path(c.path), c.theirs) for c in removed.adopted] == [
        ("tasks[clean]", ABSENT)]
    edited = {**CLEAN, "max_retries": 2}
    conflict = merge_values(tasks(INGEST, CLEAN), tasks(INGEST, edited), tasks(INGEST))
    assert [format_path(c.path) for c in conflict.conflicts] == ["tasks[clean]"]


def test_reordering_alone_is_not_drift() -> None:
    result = merge_values(tasks(INGEST, CLEAN), tasks(INGEST, CLEAN), tasks(CLEAN, INGEST))
    assert not result.drifted and result.kept == ()


def test_lists_without_keys_are_one_value() -> None:
    base = {"libraries": [{"pypi": {"package": "a"}}]}
    theirs = {"libraries": [{"pypi": {"package": "a"}}, {"pypi": {"package": "b"}}]}
    result = merge_values(base, base, theirs)
    assert [(c.path, c.theirs) for c in result.adopted] == [(("libraries",), theirs["libraries"])]
    duplicate_keys = {"tasks": [{"task_key": "a"}, {"task_key": "a", "x": 1}]}
    result = merge_values({"tasks": []}, {"tasks": []}, duplicate_keys)
    assert [c.path for c in result.adopted] == [("tasks",)]


def test_types_count() -> None:
    assert not same(1, True)
    assert not same("1", 1)
    assert same(1, 1.0)
    assert not same([1, 2], [2, 1])
    result = merge_values({"a": 1}, {"a": 1}, {"a": "1"})
    assert [c.theirs for c in result.adopted] == ["1"]


def test_base_absent_means_both_sides_added() -> None:
    # no base (first sync of a field both sides have): equal → nothing, else conflict
    assert not merge_values(ABSENT, {"a": 1}, {"a": 1}).drifted
    result = merge_values(ABSENT, {"a": 1}, {"a": 2})
    assert [c.path for c in result.conflicts] == [("a",)]


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "decision"),
    [
        ("b", "b", "b", "unchanged"),
        ("b", "b", "t", "adopt"),
        ("b", "o", "b", "keep"),
        ("b", "x", "x", "same"),
        ("b", "o", "t", "conflict"),
        (None, None, "t", "adopt"),  # a new source the repository does not have
        ("b", None, "t", "conflict"),  # deleted in the repository, changed in the workspace
        ("b", "b", None, "adopt"),  # gone from the workspace
    ],
)
def test_file_rule(base: str | None, ours: str | None, theirs: str | None,
                   decision: str) -> None:
    assert merge_file(base, ours, theirs) == decision


def test_get_path_follows_keys() -> None:
    value = tasks(INGEST, CLEAN)
    path = ("tasks", Keyed("task_key", "clean"), "depends_on")
    assert get_path(value, path) == [{"task_key": "ingest"}]
    assert get_path(value, ("tasks", Keyed("task_key", "nope"))) is ABSENT
    assert get_path(value, ("name",)) is ABSENT


def test_assumed_base_adopts_differences_and_keeps_repository_additions() -> None:
    from dabgen_ci.core.bundle.merge import assumed_base

    ours = {"name": "etl", "max_concurrent_runs": 1, "permissions": [{"level": "CAN_VIEW"}],
            "tasks": [INGEST, {"task_key": "mine"}]}
    theirs = {"name": "etl", "max_concurrent_runs": 2, "tasks": [INGEST, CLEAN]}
    result = merge_values(assumed_base(ours, theirs), ours, theirs)
    assert [(format_path(c.path), c.theirs) for c in result.adopted] == [
        ("max_concurrent_runs", 2), ("tasks[clean]", CLEAN)]
    assert sorted(format_path(c.path) for c in result.kept) == ["permissions", "tasks[mine]"]
