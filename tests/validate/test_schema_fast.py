"""The compiled fast path of the schema check: who decides, and that both validators agree."""

from __future__ import annotations

import copy
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from dabgen_ci.validate import schema
from dabgen_ci.validate.loader import load_bundle
from tests.validate.bundles import write_bundle
from tests.validate.test_schema import _big_bundle


def test_the_compiled_validator_is_installed() -> None:
    assert schema.fast_validator() is not None, "jsonschema-rs is a declared dependency"


def test_valid_files_never_reach_the_python_validator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast path: a valid 100 × 10 bundle is judged by the compiled validator alone."""
    monkeypatch.setattr(schema, "bundle_validator", _refuse)
    assert schema.check_file(_big_bundle(100, 10), None, "resources/big.yml") == []


def test_a_failing_file_is_explained_by_the_python_validator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = _big_bundle(3, 2)
    config["resources"]["jobs"]["job1"]["tasks"][1]["max_retries"] = "often"
    calls: list[int] = []
    real = schema.bundle_validator

    def counting() -> Any:
        calls.append(1)
        return real()

    monkeypatch.setattr(schema, "bundle_validator", counting)
    [diag] = schema.check_file(config, None, "resources/big.yml")
    assert diag.path == "resources.jobs.job1.tasks[1].max_retries"
    assert diag.summary == 'expected integer, found string "often"'
    assert calls == [1]


def test_without_the_wheel_the_python_validator_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema_rs", None)  # import fails as if not installed
    assert schema.fast_validator.__wrapped__() is None
    monkeypatch.setattr(schema, "fast_validator", lambda: None)
    assert schema.is_valid({"bundle": {"name": "x"}}) is None
    [diag] = schema.check_file({"bundle": {"name": 7}}, None, "databricks.yml")
    assert diag.summary == "expected string, found integer 7"


_ODD_VALUES = ["x", "", 0, -1, 2.5, True, None, [], {}, ["a"], {"a": 1}, "${var.x}",
               "${var.1x}", "${resources.jobs.a.id}", "${var.größe}", "${bad", "ALL_SUCCESS",
               "SOMETIMES", "1", {"task_key": "t"}]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(config: dict, rng: random.Random) -> dict:
    out = copy.deepcopy(config)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(out)[1:])
        parent: Any = out
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict) and rng.random() < 0.2:
            parent[rng.choice(["typo_field", "notebok_task", "run_if"])] = rng.choice(
                _ODD_VALUES)
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(_ODD_VALUES))
    return out


def test_both_validators_agree_on_random_mutations(tmp_path: Path) -> None:
    """The compiled verdict must equal the Python one: a file the fast path passes but the
    Python validator would reject is a diagnostic lost. 600 seeded mutations of a real
    bundle (wrong types, enums, references, unknown fields), both ways round."""
    bundle = load_bundle(write_bundle(tmp_path))
    rng = random.Random(11)
    compiled, python = schema.fast_validator(), schema.bundle_validator()
    assert compiled is not None
    verdicts = set()
    for _ in range(600):
        f = rng.choice(bundle.files)
        config = _mutate(f.config, rng)
        verdict = python.is_valid(config)
        assert compiled.is_valid(config) == verdict, config
        verdicts.add(verdict)
    assert verdicts == {True, False}


def _refuse() -> Any:
    raise AssertionError("the Python validator ran on a valid file")
