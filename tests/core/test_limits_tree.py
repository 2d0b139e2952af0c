"""Documents without anchors: the tree walk gives the full alias check's verdict."""

from __future__ import annotations

import random

import yaml

from dabgen_ci.core.limits import MAX_YAML_DEPTH, yaml_node_problem


def _doc(rng: random.Random, depth: int, budget: list[int]) -> object:
    """A random document at most ``depth`` deep; ``budget`` bounds its node count, so deep
    documents stay narrow instead of growing exponentially (the walk's cost is per node)."""
    budget[0] -= 1
    if depth == 0 or budget[0] <= 0 or rng.random() < 0.2:
        return rng.choice(["x", 1, None, True])
    if rng.random() < 0.5:
        return [_doc(rng, depth - 1, budget) for _ in range(rng.randint(0, 3))]
    return {f"k{n}": _doc(rng, depth - 1, budget) for n in range(rng.randint(0, 3))}


def test_the_tree_walk_agrees_with_the_alias_check() -> None:
    rng = random.Random(3)
    for n in range(300):
        text = yaml.safe_dump({"root": _doc(rng, rng.choice([3, 8, 40]), [400])})
        assert "&" not in text
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        assert node is not None
        assert yaml_node_problem(node, anchors=False) == yaml_node_problem(node), n


def test_too_deep_without_anchors_is_refused_by_both() -> None:
    text = "a: " + "[" * (MAX_YAML_DEPTH + 5) + "]" * (MAX_YAML_DEPTH + 5) + "\n"
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    assert node is not None
    expected = yaml_node_problem(node)
    assert expected is not None and "levels deep" in expected
    assert yaml_node_problem(node, anchors=False) == expected
