"""Jobs API 2.0 single-task settings → one task (pure)."""

from __future__ import annotations

import pytest

from dabgen_ci.core.bundle.single_task import to_multi_task
from dabgen_ci.errors import BadInputError

LEGACY = {
    "name": "Nightly ETL", "format": "SINGLE_TASK", "timeout_seconds": 60,
    "email_notifications": {"on_failure": ["a@b.c"]}, "max_concurrent_runs": 1,
    "notebook_task": {"notebook_path": "/Users/a/etl"}, "new_cluster": {"num_workers": 1},
    "libraries": [{"pypi": {"package": "x"}}], "max_retries": 2,
    "min_retry_interval_millis": 1000, "retry_on_timeout": True,
}


def test_the_task_fields_move_into_one_task_named_after_the_job() -> None:
    assert to_multi_task(LEGACY) == {
        "name": "Nightly ETL", "timeout_seconds": 60,
        "email_notifications": {"on_failure": ["a@b.c"]}, "max_concurrent_runs": 1,
        "tasks": [{"task_key": "nightly_etl",
                   "notebook_task": {"notebook_path": "/Users/a/etl"},
                   "new_cluster": {"num_workers": 1}, "libraries": [{"pypi": {"package": "x"}}],
                   "max_retries": 2, "min_retry_interval_millis": 1000,
                   "retry_on_timeout": True}],
    }


def test_multi_task_settings_are_returned_unchanged_and_not_shared() -> None:
    settings = {"name": "x", "tasks": [{"task_key": "a", "notebook_task": {}}]}
    out = to_multi_task(settings)
    assert out == settings and out is not settings


def test_an_unnamed_single_task_job_gets_a_fixed_key() -> None:
    assert to_multi_task({"spark_jar_task": {}})["tasks"][0]["task_key"] == "main"


def test_stray_fields_join_the_only_task_unless_they_clash() -> None:
    merged = to_multi_task({"tasks": [{"task_key": "t", "spark_jar_task": {}}],
                            "max_retries": 1})
    assert merged == {"tasks": [{"task_key": "t", "spark_jar_task": {}, "max_retries": 1}]}
    clashes: list[dict[str, object]] = [{"max_retries": 2}, {"notebook_task": {}}]
    for clash in clashes:
        with pytest.raises(BadInputError, match="job 7 has both tasks"):
            to_multi_task({"tasks": [{"task_key": "t", "spark_jar_task": {},
                                      "max_retries": 1}], **clash}, job="job 7")
    with pytest.raises(BadInputError, match=r"\(libraries\)"):
        to_multi_task({"tasks": [{"task_key": "a"}, {"task_key": "b"}], "libraries": []})
