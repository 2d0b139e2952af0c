"""What dabgen writes reads back, in the validator's YAML 1.2 reader, as exactly the value it
was written from: same types, same key order, same strings. That is what lets ``generate``
hand a freshly rendered resource file's value to the validator instead of parsing the bytes
it has just written (``ParsedFiles.add(..., value)``)."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

from dabgen_ci.core.bundle.convert import plan_bundle
from dabgen_ci.core.bundle.progressive import ProgressiveRender
from dabgen_ci.core.bundle.yamlfmt import dump
from dabgen_ci.validate.loader import ParsedFiles, parse_file
from dabgen_ci.validate.yamlnodes import parse_yaml
from tests.core.bundle.support import GOLDEN, fake_export
from tests.core.bundle.test_progressive import MIXED
from tests.core.bundle.test_yamlemit import _document
from tests.core.bundle.test_yamlfmt import NASTY, _random_strings, _shapes


def same(a: Any, b: Any) -> bool:
    """Equal with the same types and the same key order at every level (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def assert_reads_back(data: object, header: str | None = None) -> None:
    value, _, problems = parse_yaml(dump(data, header=header), "f.yml", locate=False)
    assert problems == []
    assert same(value, data), repr(data)


def test_same_is_strict() -> None:
    assert not same({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not same([1], [1.0]) and not same([True], [1]) and not same("1", 1)
    assert same({"x": [float("nan"), None, "s"]}, {"x": [float("nan"), None, "s"]})


@pytest.mark.parametrize("text", NASTY)
def test_corpus_strings_read_back_exactly(text: str) -> None:
    for data in _shapes(text):
        assert_reads_back(data)


def test_random_strings_read_back_exactly() -> None:
    for text in _random_strings(1500, seed=11):
        for data in _shapes(text):
            assert_reads_back(data)


def test_random_documents_read_back_exactly() -> None:
    """Nested maps and lists of hostile strings, ints, floats (inf, nan, -0.0, 1e300),
    booleans, nulls and empty containers; keys are strings, as in JSON."""
    rng = random.Random(20261201)
    for _ in range(3000):
        assert_reads_back({"root": _document(rng)}, header="dabgen: job 1\nsecond line")


def test_every_rendered_resource_file_reads_back_as_its_document() -> None:
    """Every golden case and the mixed plan, rendered as ``generate`` renders them while
    exports arrive: the document handed to the validator is what parsing the bytes gives."""
    bodies = [json.loads(p.read_text(encoding="utf-8"))
              for p in sorted(GOLDEN.glob("*/snapshot/jobs/*.json"))]
    checked = 0
    for jobs in ([body] for body in bodies):
        checked += _check_plan(jobs)
    checked += _check_plan(MIXED)
    assert checked > len(bodies)


def _check_plan(jobs: list[dict]) -> int:
    plan = plan_bundle(jobs, bundle_name="b")
    renderer = ProgressiveRender(plan)
    ready = renderer.start()
    for path, obj in fake_export(plan).items():
        ready += renderer.arrived(path, obj)
    resources = [(rel, content) for rel, content in ready if rel.startswith("resources/")]
    for rel, content in resources:
        document = renderer.take_document(rel)
        assert document is not None and renderer.take_document(rel) is None
        problems: list = []
        parsed = parse_file(rel, content, problems)
        assert problems == []
        assert same(parsed.config, document), rel
    return len(resources)


def test_a_given_value_still_has_lines_from_the_bytes(tmp_path: Path) -> None:
    data = dump({"resources": {"jobs": {"a": {"name": "x", "tasks": [{"task_key": "t"}]}}}},
                header="dabgen: job 1").encode()
    parsed = ParsedFiles()
    value = {"resources": {"jobs": {"a": {"name": "x", "tasks": [{"task_key": "t"}]}}}}
    parsed.add("resources/a.job.yml", data, value)
    found = parsed.get("resources/a.job.yml", data)
    assert found is not None
    config, problems = found
    assert config.config is value and problems == ()
    assert config.tree is not None
    assert config.tree.find(("resources", "jobs", "a", "tasks", 0, "task_key")).line == 7
    assert parsed.get("resources/a.job.yml", data + b"# changed\n") is None
