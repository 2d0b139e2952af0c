from __future__ import annotations

import copy
from pathlib import Path

import pytest

from dabgen_ci.errors import BadInputError
from dabgen_ci.validate.loader import load_bundle, resolve_target, select_target
from dabgen_ci.validate.targets import resolve_target_located
from tests.validate.bundles import DATABRICKS_YML, line_of, write_bundle


def _config() -> dict:
    return {
        "bundle": {"name": "b"},
        "variables": {
            "catalog": {"default": "dev"},
            "cluster": {"type": "complex", "default": {"spark_version": "15.4", "workers": 2}},
            "prefix": {"default": "${var.catalog}_x"},
            "warehouse": {"lookup": {"warehouse": "Shared"}},
            "flag": {"default": True},
        },
        "permissions": [{"level": "CAN_VIEW", "group_name": "users"}],
        "resources": {"jobs": {"etl": {
            "name": "etl-${var.catalog}-${bundle.target}",
            "job_clusters": [{"job_cluster_key": "main", "new_cluster": "${var.cluster}"}],
            "tasks": [
                {"task_key": "a", "notebook_task": {"notebook_path": "a.py"}},
                {"task_key": "b", "depends_on": [{"task_key": "a"}],
                 "notebook_task": {"notebook_path": "b.py",
                                   "base_parameters": {"w": "${var.warehouse}",
                                                       "f": "on=${var.flag}",
                                                       "v": "${var.cluster.spark_version}",
                                                       "m": "${var.missing}"}}},
            ],
        }}},
        "targets": {
            "dev": {"default": True, "mode": "development"},
            "prod": {
                "mode": "production",
                "run_as": {"service_principal_name": "sp"},
                "variables": {"catalog": "prod", "warehouse": {"default": "abc"}},
                "permissions": [{"level": "CAN_MANAGE", "group_name": "admins"}],
                "resources": {"jobs": {"etl": {"tasks": [
                    {"task_key": "b", "notebook_task": {"notebook_path": "b2.py"}},
                    {"task_key": "c", "notebook_task": {"notebook_path": "c.py"}},
                ]}}},
            },
        },
    }


def test_default_target_and_variable_substitution() -> None:
    config = _config()
    before = copy.deepcopy(config)
    out = resolve_target(config, None)

    assert config == before  # pure
    assert "targets" not in out
    assert out["bundle"] == {"name": "b", "mode": "development", "target": "dev"}
    job = out["resources"]["jobs"]["etl"]
    assert job["name"] == "etl-dev-${bundle.target}"  # only ${var.*} is substituted
    assert job["job_clusters"][0]["new_cluster"] == {"spark_version": "15.4", "workers": 2}
    params = job["tasks"][1]["notebook_task"]["base_parameters"]
    assert params == {"w": "${var.warehouse}", "f": "on=true", "v": "15.4",
                      "m": "${var.missing}"}
    assert out["variables"]["prefix"]["default"] == "dev_x"


def test_target_overrides_merge_like_the_cli() -> None:
    out = resolve_target(_config(), "prod")

    assert out["bundle"]["mode"] == "production"
    assert out["run_as"] == {"service_principal_name": "sp"}
    assert [p["group_name"] for p in out["permissions"]] == ["users", "admins"]
    tasks = out["resources"]["jobs"]["etl"]["tasks"]
    assert [t["task_key"] for t in tasks] == ["a", "b", "c"]
    assert tasks[1]["notebook_task"]["notebook_path"] == "b2.py"
    assert tasks[1]["depends_on"] == [{"task_key": "a"}]  # kept from the root definition
    assert tasks[1]["notebook_task"]["base_parameters"]["w"] == "abc"  # lookup replaced
    assert out["resources"]["jobs"]["etl"]["name"] == "etl-prod-${bundle.target}"
    assert "lookup" not in out["variables"]["warehouse"]


def test_target_selection_rules() -> None:
    config = _config()
    assert select_target(config, None) == "dev"
    assert select_target({"targets": {"only": {}}}, None) == "only"
    assert select_target({}, None) is None
    with pytest.raises(BadInputError, match=r"staging: no such target.*dev, prod"):
        select_target(config, "staging")
    config["targets"]["prod"]["default"] = True
    with pytest.raises(BadInputError, match="multiple targets are marked as default"):
        select_target(config, None)
    with pytest.raises(BadInputError, match="default: true"):
        select_target({"targets": {"a": {}, "b": {}}}, None)


def test_no_targets_still_substitutes_variables() -> None:
    out = resolve_target({"variables": {"x": {"default": 3}}, "a": "${var.x}"}, None)
    assert out["a"] == 3


def test_locations_follow_merged_values(tmp_path: Path) -> None:
    bundle = load_bundle(write_bundle(tmp_path))
    config, tree = resolve_target_located(bundle.config, bundle.tree, "prod")
    assert tree is not None

    cluster = ("resources", "jobs", "sales_etl", "job_clusters", 0, "new_cluster")
    assert len(config["resources"]["jobs"]["sales_etl"]["job_clusters"]) == 1
    assert config["resources"]["jobs"]["sales_etl"]["job_clusters"][0]["new_cluster"][
        "num_workers"] == 8
    assert tree.find((*cluster, "num_workers")).file == "databricks.yml"
    assert tree.find((*cluster, "num_workers")).line == line_of(DATABRICKS_YML, "num_workers: 8")
    assert tree.find((*cluster, "spark_version")).file == "resources/etl.job.yml"
