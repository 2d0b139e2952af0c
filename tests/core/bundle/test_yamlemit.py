"""The direct emitter writes exactly PyYAML's bytes: corpus, random strings, random documents."""

from __future__ import annotations

import io
import itertools
import random
from pathlib import Path

import pytest
import yaml
from yaml.emitter import Emitter

from dabgen_ci.core.bundle import yamlfmt
from dabgen_ci.core.bundle.yamlemit import plain_without_analysis
from dabgen_ci.core.bundle.yamlfmt import QUOTED_MAPS, dump, pyyaml_dump
from tests.core.bundle.test_yamlfmt import NASTY, _random_strings, _shapes

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "demo_bundle"
FAST = yamlfmt._FAST


def fast(data: object, quoted_maps: frozenset[str] = QUOTED_MAPS) -> str | None:
    return FAST.emit(data, quoted_maps)


def assert_same(data: object) -> bool:
    """Both writers agree; returns whether the direct emitter handled ``data`` itself."""
    direct = fast(data)
    reference = pyyaml_dump(data)
    assert dump(data) == reference
    if direct is not None:
        assert direct == reference, repr(data)
    return direct is not None


@pytest.mark.parametrize("text", NASTY)
def test_corpus_strings_in_every_shape(text: str) -> None:
    for data in _shapes(text):
        assert_same(data)


def test_random_strings_in_every_shape() -> None:
    handled = [assert_same(data) for text in _random_strings(1500, seed=7) for data in
               _shapes(text)]
    # Empty and multi-line keys (PyYAML writes "? key") are the only strings left to PyYAML.
    assert sum(handled) > 0.8 * len(handled)


def _scalar(rng: random.Random) -> object:
    pick = rng.random()
    if pick < 0.45:
        return rng.choice(NASTY) if rng.random() < 0.3 else "".join(
            rng.choice("abc xyz_/.:-#'\"\n${}[]é日😀\t\r") for _ in range(rng.randint(0, 14)))
    if pick < 0.6:
        return rng.choice([0, 1, -7, 2**63, 10**20, -(10**30)])
    if pick < 0.75:
        return rng.choice([0.0, -0.0, 0.5, 1e17, 1e-05, 3.14159, -2.5e-300, 1e300,
                           float("inf"), float("-inf"), float("nan")])
    return rng.choice([True, False, None, {}, []])


def _key(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(sorted(QUOTED_MAPS))
    if rng.random() < 0.05:
        return "k" * rng.choice([121, 122, 123, 124])  # around the simple-key limit
    return rng.choice(NASTY) if rng.random() < 0.2 else rng.choice(
        ["name", "task_key", "a b", "x:y", "-", "k#1", "é", "tasks", "1"])


def _document(rng: random.Random, depth: int = 0) -> object:
    if depth > 4 or rng.random() < 0.3:
        return _scalar(rng)
    if rng.random() < 0.5:
        return [_document(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_key(rng): _document(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def test_random_documents() -> None:
    rng = random.Random(20261130)
    handled = 0
    for _ in range(3000):
        data = {"root": _document(rng)} if rng.random() < 0.7 else [_document(rng)]
        handled += assert_same(data)
    assert handled > 1500


def test_limits_of_the_restricted_shape_fall_back_to_pyyaml() -> None:
    """Shapes only PyYAML can say how it writes: the emitter declines, dump still matches."""
    shapes: list[object] = [
        {"k" * 123: 1}, {"": 1}, {"a\nb": 1}, {1: "int key"}, {"k": ("tuple",)},
        {"k": "ends in a blank line\n\n"}, {"k": "\n"}, {}, [], "scalar"]
    for data in shapes:
        assert fast(data) is None, data
        assert_same(data)
    assert fast({"k" * 122: 1}) == pyyaml_dump({"k" * 122: 1})


def test_the_golden_bundle_is_written_by_the_fast_path() -> None:
    """Every YAML file of the golden demo bundle: the data it holds is written by the
    emitter itself, to the file's own lines (header comments and blank lines aside)."""
    for file in sorted(GOLDEN.rglob("*.yml")):
        text = file.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        direct = fast(data)
        assert direct is not None, file
        assert direct == pyyaml_dump(data)
        assert [line for line in direct.splitlines() if line.strip()] == [
            line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_text_written_plain_without_analysis_is_text_pyyaml_finds_plain() -> None:
    """The emitter skips PyYAML's analysis for text ``plain_without_analysis`` passes: each
    such text must be one the analysis finds non-empty, single-line and fit to write plain.
    Every text of up to four characters over the pattern's alphabet and its neighbours
    (indicators, quotes, breaks, tabs, non-ASCII), the edge cases, and random longer ones."""
    alphabet = "a9_./- :#'\"\t\n?é"
    texts = ["", ".", "..", "...", "...x", "-", "-x", "x-", " a", "a ", "a  b", "---", "a:b",
             "a #b", "a" * 200, "/Workspace/Users/a b/c.py", "../src/x.py"]
    texts += ["".join(chars) for n in range(1, 5)
              for chars in itertools.product(alphabet, repeat=n)]
    rng = random.Random(11)
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(5, 40)))
              for _ in range(5000)]
    safe = "aZ09_./- "
    texts += ["".join(rng.choice(safe) for _ in range(rng.randint(1, 60))) for _ in range(5000)]
    analyzer = Emitter(io.StringIO(), allow_unicode=True)
    skipped = 0
    for text in texts:
        if plain_without_analysis(text):
            skipped += 1
            found = analyzer.analyze_scalar(text)
            assert not found.empty and not found.multiline, repr(text)
            assert found.allow_block_plain and found.allow_single_quoted, repr(text)
    assert skipped > 5000  # the pattern is exercised, not just refused everywhere
    assert not plain_without_analysis("...") and not plain_without_analysis("-")
    assert plain_without_analysis("../src/x.py") and plain_without_analysis("job 001")
