"""The variable registry: names in order of first sight, users in order, any number of each."""

from __future__ import annotations

from dabgen_ci.core.bundle.variables import Variable, VariableRegistry


def test_thousands_of_ids_and_users_keep_names_and_order() -> None:
    registry = VariableRegistry()
    refs = [registry.ref("cluster", f"c{i}", job_name=f"job {i}") for i in range(3000)]
    shared = [registry.ref("warehouse", "w", job_name=f"job {i % 2000}") for i in range(5000)]

    assert refs[:3] == ["${var.cluster_id}", "${var.cluster_id_2}", "${var.cluster_id_3}"]
    assert refs[-1] == "${var.cluster_id_3000}"
    assert set(shared) == {"${var.warehouse_id}"}
    [warehouse] = [v for v in registry.variables() if v.kind == "warehouse"]
    assert warehouse.used_by == tuple(f"job {i}" for i in range(2000))
    assert warehouse.description == (
        "ID of the SQL warehouse used by job 'job 0' and 1999 other jobs")


def test_a_seed_keeps_its_names_and_new_names_skip_them() -> None:
    seed = [Variable("cluster_id", "cluster", "a", ("x",)),
            Variable("cluster_id_3", "cluster", "c", ("y",))]
    registry = VariableRegistry(seed)
    assert registry.ref("cluster", "c", job_name="j") == "${var.cluster_id_3}"
    assert [registry.ref("cluster", v, job_name="j") for v in "bde"] == [
        "${var.cluster_id_2}", "${var.cluster_id_4}", "${var.cluster_id_5}"]
    by_name = {v.name: v.used_by for v in registry.variables()}
    assert by_name == {"cluster_id": (), "cluster_id_2": ("j",), "cluster_id_3": ("j",),
                       "cluster_id_4": ("j",), "cluster_id_5": ("j",)}
