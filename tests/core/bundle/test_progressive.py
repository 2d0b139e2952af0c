"""Rendering while sources arrive gives render_bundle's bytes, whatever the arrival order."""

from __future__ import annotations

import random

import pytest

from dabgen_ci.core.bundle.convert import BundlePlan, plan_bundle
from dabgen_ci.core.bundle.layout import render_bundle, resource_file
from dabgen_ci.core.bundle.progressive import ProgressiveRender
from dabgen_ci.core.workspace_objects import ExportedObject
from tests.core.bundle.support import fake_export, fixture_names, load_fixture


def _task(key: str, **body: object) -> dict:
    return {"task_key": key, **body}


def _nb(path: str) -> dict:
    return {"notebook_task": {"notebook_path": path}}


def _job(job_id: int, name: str, *tasks: dict, **settings: object) -> dict:
    return {"job_id": job_id, "settings": {"name": name, "tasks": list(tasks), **settings}}


MIXED = [
    _job(1, "a", _task("x", **_nb("/Users/a/shared/common")), _task("y", **_nb("/Users/a/a1"))),
    _job(2, "b", _task("x", **_nb("/Workspace/Users/a/shared/common")),
         _task("w", existing_cluster_id="c-1", **_nb("/Users/a/b1"))),
    # a notebook "x" (exported as x.py) and a file "X.py": one of them gets "_2"
    _job(3, "clash", _task("n", **_nb("/Users/a/x")),
         _task("p", spark_python_task={"python_file": "/Users/a/X.py"})),
    _job(4, "dbt", _task("d", dbt_task={"project_directory": "/Users/a/proj",
                                        "commands": ["dbt run"]})),
    _job(5, "inside dbt folder", _task("n", **_nb("/Users/a/proj/helper"))),
    _job(6, "missing source", _task("m", **_nb("/Users/a/gone"))),
    _job(7, "git", _task("g", **_nb("relative/path")),
         git_source={"git_url": "https://x", "git_provider": "gitHub", "git_branch": "m"}),
    _job(8, "no sources", _task("s", sql_task={"query": {"query_id": "q"},
                                               "warehouse_id": "w-1"})),
    _job(9, "runs a", _task("r", run_job_task={"job_id": 1})),
]


def _arrivals(plan: BundlePlan, missing: set[str]) -> list[tuple[str, ExportedObject | None]]:
    exported = fake_export(plan, skip=sorted(missing))
    return [*exported.items(), *((path, None) for path in sorted(missing))]


def _check(plan: BundlePlan, missing: set[str], seed: int) -> ProgressiveRender:
    arrivals = _arrivals(plan, missing)
    random.Random(seed).shuffle(arrivals)
    renderer = ProgressiveRender(plan, host="https://h")
    early = dict(renderer.start())
    for path, obj in arrivals:
        for rel, content in renderer.arrived(path, obj):
            assert rel not in early
            early[rel] = content
    exported = {p: o for p, o in arrivals if o is not None}
    reasons = {p: "not found" for p in missing}
    final = renderer.finish(exported, reasons)
    expected = render_bundle(plan, exported, missing=reasons, host="https://h")
    assert final == expected
    for rel, content in early.items():
        assert final.files[rel] == content, rel  # what was staged early is never rewritten
    return renderer


@pytest.mark.parametrize("seed", range(20))
def test_any_arrival_order_gives_the_same_bundle(seed: int) -> None:
    plan = plan_bundle(MIXED, bundle_name="b")
    renderer = _check(plan, {"/Users/a/gone"}, seed)
    key = {job.name: job.key for job in plan.jobs}
    early = set(renderer.early)
    assert {key["a"], key["b"], key["missing source"], key["git"], key["no sources"],
            key["runs a"]} <= early
    # sources whose local name depends on another source wait for the end
    assert {key["clash"], key["dbt"], key["inside dbt folder"]}.isdisjoint(early)


@pytest.mark.parametrize("name", fixture_names())
def test_every_converter_fixture(name: str) -> None:
    _check(plan_bundle([load_fixture(name)], bundle_name="fixture"), set(), seed=len(name))


def test_a_job_is_ready_when_its_last_source_arrives() -> None:
    plan = plan_bundle(MIXED[:2], bundle_name="b")
    exported = fake_export(plan)
    renderer = ProgressiveRender(plan)
    assert renderer.start() == []
    ready = renderer.arrived("/Users/a/a1", exported["/Users/a/a1"])
    assert [rel for rel, _ in ready] == ["src/a1.py"]
    ready = renderer.arrived("/Users/a/shared/common", exported["/Users/a/shared/common"])
    assert [rel for rel, _ in ready] == ["src/shared/common.py", resource_file("a")]
    assert renderer.arrived("/Users/a/shared/common", None) == []  # once is enough


def test_export_order_completes_the_jobs_in_turn() -> None:
    """Sorted by path, the shared notebooks of this plan come last and every job would wait
    for them; in export order each job is ready as soon as its own sources are in."""
    jobs = [_job(n, f"job {n}", _task("own", **_nb(f"/Users/a/job{n}/own")),
                 _task("shared", **_nb(f"/Users/a/zz_shared/common{n % 2}")))
            for n in range(1, 5)]
    plan = plan_bundle(jobs, bundle_name="b")
    renderer = ProgressiveRender(plan)
    paths = [s.workspace_path for s in plan.sources]
    assert paths[-2:] == ["/Users/a/zz_shared/common0", "/Users/a/zz_shared/common1"]
    order = renderer.export_order(paths)
    assert sorted(order) == sorted(paths)
    assert order == ["/Users/a/job1/own", "/Users/a/zz_shared/common1", "/Users/a/job2/own",
                     "/Users/a/zz_shared/common0", "/Users/a/job3/own", "/Users/a/job4/own"]
    exported = fake_export(plan)
    ready_after = [[rel for rel, _ in renderer.arrived(p, exported[p])] for p in order]
    key = {job.name: job.key for job in plan.jobs}
    assert ready_after[1][-1] == resource_file(key["job 1"])
    assert ready_after[3][-1] == resource_file(key["job 2"])
    assert ready_after[4][-1] == resource_file(key["job 3"])
    assert ready_after[5][-1] == resource_file(key["job 4"])
    # an unknown path (no job uses it) goes last
    assert renderer.export_order(["/elsewhere", *paths])[-1] == "/elsewhere"
