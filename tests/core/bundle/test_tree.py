"""The one way a place in a job or bundle is printed (every diagnostic's ``path``)."""

from __future__ import annotations

import pytest

from dabgen_ci.core.bundle.tree import format_path, get_at, set_at


@pytest.mark.parametrize(("path", "text"), [
    ((), ""),
    (("tasks",), "tasks"),
    (("tasks", 0, "notebook_task"), "tasks[0].notebook_task"),
    (("resources", "jobs", "etl", "tasks", 3, "libraries", 0, "whl"),
     "resources.jobs.etl.tasks[3].libraries[0].whl"),
    ((0, 1, "a"), "[0][1].a"),
])
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


def test_get_and_set_at_address_the_same_place() -> None:
    job = {"tasks": [{"task_key": "a", "notebook_task": {"notebook_path": "/x"}}]}
    where = ("tasks", 0, "notebook_task", "notebook_path")
    set_at(job, where, "../src/x.py")
    assert get_at(job, where) == "../src/x.py"
    with pytest.raises(KeyError):
        get_at(job, ("tasks", 0, "spark_python_task"))
