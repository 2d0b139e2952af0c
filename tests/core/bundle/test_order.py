"""Key order of generated job YAML: the converter's fast ordering against the rule it
implements, written here as the sort key it used to be (a rank per key)."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from dabgen_ci.core.bundle.order import (
    _RECORD_ORDER,
    _TASK_COMPUTE,
    _TASK_HEAD,
    JOB_ORDER,
    order_job,
)

Rank = Callable[[str], tuple[int, int, str]]


def _head_rank(head: tuple[str, ...]) -> Rank:
    def rank(key: str) -> tuple[int, int, str]:
        return (0, head.index(key), "") if key in head else (1, 0, key)

    return rank


def _task_rank(key: str) -> tuple[int, int, str]:
    if key in _TASK_HEAD:
        return (0, _TASK_HEAD.index(key), "")
    if key.endswith("_task"):
        return (1, 0, key)
    if key in _TASK_COMPUTE:
        return (2, _TASK_COMPUTE.index(key), "")
    return (3, 0, key)


def _oracle_value(value: object, holder: str) -> object:
    if isinstance(value, dict):
        rank = _task_rank if holder in ("tasks", "task") else _head_rank(
            _RECORD_ORDER.get(holder, ()))
        return {k: _oracle_value(value[k], k) for k in sorted(value, key=rank)}
    if isinstance(value, list):
        return [_oracle_value(item, holder) for item in value]
    return value


def oracle(job: dict[str, object]) -> dict[str, object]:
    rank = _head_rank(JOB_ORDER)
    return {k: _oracle_value(job[k], k) for k in sorted(job, key=rank)}


_NAMES = sorted({*JOB_ORDER, *_TASK_HEAD, *_TASK_COMPUTE, *_RECORD_ORDER,
                 *(k for head in _RECORD_ORDER.values() for k in head),
                 "tasks", "task", "zeta", "alpha", "Beta", "a_task", "z_task", "_task", "x",
                 "", "ä", "spark_conf", "custom_tags"})


def _random_value(rnd: random.Random, depth: int) -> object:
    roll = rnd.random()
    if depth > 4 or roll < 0.4:
        return rnd.choice([1, "s", None, True, 2.5])
    if roll < 0.6:
        return [_random_value(rnd, depth + 1) for _ in range(rnd.randrange(4))]
    keys = rnd.sample(_NAMES, rnd.randrange(min(9, len(_NAMES))))
    return {k: _random_value(rnd, depth + 1) for k in keys}


def _as_pairs(value: object) -> object:
    """Dict order made visible to ``==``."""
    if isinstance(value, dict):
        return [(k, _as_pairs(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_as_pairs(v) for v in value]
    return value


@pytest.mark.parametrize("seed", range(300))
def test_same_order_as_the_rank_rule(seed: int) -> None:
    rnd = random.Random(seed)
    job = {k: _random_value(rnd, 0) for k in rnd.sample(_NAMES, rnd.randrange(1, 20))}
    job["tasks"] = [{k: _random_value(rnd, 1) for k in rnd.sample(_NAMES, rnd.randrange(12))}
                    for _ in range(3)]
    assert _as_pairs(order_job(job)) == _as_pairs(oracle(job))


def test_a_task_reads_head_runs_compute_rest() -> None:
    task = {"zz": 1, "libraries": [], "notebook_task": {"source": "W", "notebook_path": "p"},
            "a_task": 1, "job_cluster_key": "c", "depends_on": [{"outcome": "x", "task_key": "a"}],
            "task_key": "t", "aaa": 2}
    ordered = order_job({"tasks": [task], "name": "n", "zzz": 1, "max_concurrent_runs": 1})
    assert list(ordered) == ["name", "max_concurrent_runs", "tasks", "zzz"]
    first = ordered["tasks"][0]
    assert list(first) == ["task_key", "depends_on", "a_task", "notebook_task", "job_cluster_key",
                           "libraries", "aaa", "zz"]
    assert list(first["notebook_task"]) == ["notebook_path", "source"]
    assert list(first["depends_on"][0]) == ["task_key", "outcome"]
