"""Bounds measured before any work: nesting depth of JSON values, and YAML alias expansion
on the composed nodes (go-yaml v3's rule, the one the Databricks CLI applies)."""

from __future__ import annotations

import pytest
import yaml

from dabgen_ci.core.limits import (
    MAX_DEPTH,
    MAX_YAML_DEPTH,
    allowed_alias_ratio,
    json_depth_problem,
    yaml_node_problem,
    yaml_text_problem,
)


def bomb(levels: int, fan_out: int = 10) -> str:
    """The "billion laughs": each level repeats the previous one ``fan_out`` times."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * fan_out)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def nested(depth: int) -> dict:
    value: object = "leaf"
    for _ in range(depth - 1):
        value = {"k": value}
    assert isinstance(value, dict)
    return value


def test_a_442_byte_bomb_is_refused_on_its_nodes() -> None:
    text = bomb(9)
    assert len(text) < 600
    problem = yaml_text_problem(text)
    assert problem is not None and "1,123,456,798 values" in problem


def test_a_smaller_bomb_is_refused_as_excessive_aliasing() -> None:
    problem = yaml_text_problem(bomb(6))  # about a million values, nearly all from aliases
    assert problem is not None and "excessive aliasing" in problem


def test_a_bomb_of_10_to_the_30_values_is_refused_without_expanding_it() -> None:
    # Building this document would never finish; counting it is linear in its text.
    problem = yaml_text_problem(bomb(30))
    assert problem is not None and "would expand to" in problem


def test_ordinary_anchors_are_accepted() -> None:
    """One cluster definition reused by 200 tasks: what bundles really do."""
    tasks = "\n".join(f"  - {{task_key: t{i}, new_cluster: *cluster}}" for i in range(200))
    text = ("cluster: &cluster {spark_version: 15.4.x-scala2.12, node_type_id: i3.xlarge,"
            " num_workers: 2, spark_conf: {a: b, c: d}}\ntasks:\n" + tasks + "\n")
    assert yaml_text_problem(text) is None


@pytest.mark.parametrize(("expanded", "ratio"), [
    (1000, 0.99), (400_000, 0.99), (2_200_000, 0.545), (4_000_000, 0.10), (10**9, 0.10)])
def test_alias_ratio_follows_go_yaml(expanded: int, ratio: float) -> None:
    assert allowed_alias_ratio(expanded) == pytest.approx(ratio)


def test_a_self_referencing_alias_is_a_cycle() -> None:
    node = yaml.compose("a: &x [1, 2]\n")
    assert node is not None
    node.value[0][1].value.append(node.value[0][1])  # what a recursive alias composes to
    assert "cycle" in (yaml_node_problem(node) or "")


def test_yaml_depth() -> None:
    deep = "[" * (MAX_YAML_DEPTH + 1) + "]" * (MAX_YAML_DEPTH + 1)
    assert "nested more than" in (yaml_text_problem(deep) or "")
    ok = "[" * (MAX_YAML_DEPTH - 1) + "]" * (MAX_YAML_DEPTH - 1)
    assert yaml_text_problem(ok) is None
    too_deep_to_compose = "[" * 5000 + "]" * 5000
    assert "nested more than" in (yaml_text_problem(too_deep_to_compose) or "")


def test_text_the_composer_cannot_read_is_left_to_the_reader() -> None:
    assert yaml_text_problem("a: [unclosed\n") is None
    assert yaml_text_problem("") is None


def test_json_depth() -> None:
    assert json_depth_problem(nested(MAX_DEPTH)) is None
    assert "nested more than 128 levels" in (json_depth_problem(nested(MAX_DEPTH + 1)) or "")
    assert json_depth_problem([[[]]], max_depth=3) is None
    assert json_depth_problem([[[[]]]], max_depth=3) is not None
