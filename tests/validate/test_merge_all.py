"""merge_all: the same result as folding merge file by file, in place, inputs untouched."""

from __future__ import annotations

import copy
import functools
import random
from typing import Any

from dabgen_ci.validate.located import Location, LocTree, flatten, merge, merge_all


def _value(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.random()
    if depth > 3 or pick < 0.3:
        return rng.choice([1, "x", None, True, [1], ["a", "b"]])
    if pick < 0.4:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 2))]
    return {rng.choice("abcde"): _value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def _tree(value: Any, file: str, line: list[int]) -> LocTree:
    line[0] += 1
    loc = Location(file, line[0])
    if isinstance(value, dict):
        return LocTree(loc, {k: _tree(v, file, line) for k, v in value.items()})
    if isinstance(value, list):
        return LocTree(loc, [_tree(v, file, line) for v in value])
    return LocTree(loc)


def _fold(items: list[tuple[Any, LocTree]]) -> tuple[Any, LocTree | None, list[int]]:
    acc: Any = {}
    tree: LocTree | None = None
    skipped = []
    for i, (value, value_tree) in enumerate(items):
        try:
            acc, tree = merge(acc, value, tree, value_tree)
        except ValueError:
            skipped.append(i)
    return acc, tree, skipped


def _record(clashes: list[int], index: int, _message: str) -> None:
    clashes.append(index)


def test_merge_all_equals_the_fold_of_merge() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        items = []
        for n in range(rng.randint(1, 5)):
            value = {rng.choice("rst"): _value(rng) for _ in range(rng.randint(1, 3))}
            items.append((value, _tree(value, f"f{n}.yml", [0])))
        before = copy.deepcopy(items)
        expected, expected_tree, skipped = _fold(items)
        clashes: list[int] = []
        got, got_tree = merge_all(items, functools.partial(_record, clashes))
        assert got == expected
        assert dict(flatten(got_tree)) == dict(flatten(expected_tree))
        assert clashes == skipped
        assert items == before  # the files' own configurations are never modified


def test_a_clash_reports_the_message_merge_raises() -> None:
    messages: list[tuple[int, str]] = []
    got, _ = merge_all([({"a": {"b": 1}}, None), ({"a": [1]}, None), ({"a": {"c": 2}}, None)],
                       lambda i, msg: messages.append((i, msg)))
    assert got == {"a": {"b": 1, "c": 2}}
    assert messages == [(1, "cannot merge a map with a sequence")]


def test_many_files_merge_into_one_map_without_copying_it_per_file() -> None:
    """10,000 resource files each adding one job: every file's job lands in one map."""
    items = [({"resources": {"jobs": {f"j{i}": {"name": str(i)}}}}, None) for i in range(10_000)]
    got, _ = merge_all(items, lambda i, msg: None)
    assert len(got["resources"]["jobs"]) == 10_000
    assert items[0][0] == {"resources": {"jobs": {"j0": {"name": "0"}}}}
