"""`spaced=True` (databricks.yml) puts a blank line between top-level keys and nowhere else.

It used to add one before every line at column 0, which includes the empty lines of a
literal block: a bundle name, variable description or default with a blank line inside
came back with one more newline per blank line, and a value ending in blank lines
(``|+``) swallowed the separator too.
"""

from __future__ import annotations

import pytest
import yaml

from dabgen_ci.core.bundle.yamlfmt import dump
from tests.core.bundle.test_yamlfmt import NASTY, _random_strings

MULTI_LINE = ["first\n\nthird", "first\n\nthird\n", "a\n\n\n\nb\n", "x\n\n", "x\n\n\n", "\nx",
              "\n\nx\n", "x\n \ny", " x\n\ny", "\n", "\n\n", "a\r\n\r\nb"]


def _databricks_yml(text: str) -> dict[str, object]:
    """Every place the issue names (bundle name, variable description and default), plus a
    value in the last top-level key and one nested in a list."""
    return {
        "bundle": {"name": text},
        "include": ["resources/*.yml"],
        "variables": {"v": {"description": text, "default": text}},
        "targets": {"dev": {"default": True, "notes": [text]}},
        "last": text,
    }


@pytest.mark.parametrize("text", [*MULTI_LINE, *NASTY])
def test_every_string_reads_back_exactly_from_a_spaced_file(text: str) -> None:
    data = _databricks_yml(text)
    assert yaml.safe_load(dump(data, header="generated", spaced=True)) == data


def test_random_strings_read_back_exactly_from_a_spaced_file() -> None:
    texts = _random_strings(800, seed=20250807)
    data = {f"k{i}": {"name": t, "items": [t]} for i, t in enumerate(texts)}
    if yaml.safe_load(dump(data, spaced=True)) != data:
        bad = [t for t in texts if yaml.safe_load(dump(_databricks_yml(t), spaced=True))
               != _databricks_yml(t)]
        pytest.fail(f"these strings change in a spaced file: {bad[:20]!r}")


def test_blank_lines_separate_top_level_keys_only() -> None:
    text = dump({"bundle": {"name": "one\n\ntwo"}, "include": ["a"]}, spaced=True)
    assert text == "bundle:\n  name: |-\n    one\n\n    two\n\ninclude:\n  - a\n"


def test_a_value_keeping_trailing_newlines_is_not_extended_by_the_separator() -> None:
    text = dump({"a": "x\n\n", "b": 1}, spaced=True)
    assert text == "a: |+\n  x\n\nb: 1\n"
    assert yaml.safe_load(text) == {"a": "x\n\n", "b": 1}
