"""Deterministic YAML emission: exact round trip through yaml.safe_load, CLI-like style."""

from __future__ import annotations

import random

import pytest
import yaml

from dabgen_ci.core.bundle.yamlfmt import dump

NASTY = [
    "", " ", "  ", "\t", "yes", "No", "ON", "off", "y", "N", "true", "False", "null", "Null",
    "~", "1e3", "1E3", "1e+3", "0.1e3", "012", "007", "0o17", "0x1F", "0b101", "1_000", "+1",
    "-1", ".5", "5.", "0", "00", "-0", "1.0", ".inf", "-.inf", ".NaN", "inf", "NaN",
    "infinity", "2024-01-01", "2024-01-01T10:00:00Z", "12:30", "1:20:30", "=", "<<", "*a",
    "&a", "@x", "`x", "!x", "%x", "|x", ">x", "#x", "- x", "? x", ": x", "a: b", "a #b",
    "a#b", "[x]", "{x}", "{{job.id}}", '"q"', "'q'", "${var.x}", "${resources.jobs.a.id}",
    "trailing ", "  lead", "tab\tin", "a\nb", "a\n", "a\n\n", "\na", "\n", " \n x", "x \ny",
    "\r\n", "a\rb", "\x85", "\u2028", "\u2029", "\ufeff", "\x00", "\x07", "\x1b[0m", "日本語",
    "émoji 😀", "RTL \u202e", "zero\u200bwidth", "\\ back", "a\\nb", '"', "'", "...", "---",
    "--- x", "... x", "-", "?", ":", "a:", "http://x:80/y", "key: value\nother: 1", "|", ">",
    "0 30 2 * * ?", "local[*, 4]", "s3://bucket/in: raw", "e2", "x" * 300, "SELECT *\n  FROM t\n",
]  # fmt: skip

_ALPHABET = [*"ab 01\n\t:#-?*&!|>'\"%@`{}[],.~=<+eExXoO_\\$", "é", "\u2028", "\x85", "\ufeff",
             "😀", "\r", "\x00", "\u00a0", "日"]  # fmt: skip


def _random_strings(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 10))) for _ in range(count)]


def _shapes(text: str) -> list[object]:
    return [
        {"k": text},
        {text: "v"},
        [text],
        {"tags": {text: text}},
        {"spark_conf": {"a": text}},
        {"a": {"b": [text, {"c": text, "d": [1, None, True]}]}},
    ]


@pytest.mark.parametrize("text", NASTY)
def test_nasty_strings_round_trip_exactly(text):
    for data in _shapes(text):
        assert yaml.safe_load(dump(data)) == data


def test_random_strings_round_trip_exactly():
    """Property test: 1,500 seeded random strings of YAML-hostile characters, every shape,
    dumped as one document (then one by one to name the culprits if it fails)."""
    texts = _random_strings(1500, seed=20240601)
    document = [_shapes(text) for text in texts]
    if yaml.safe_load(dump(document)) != document:
        culprits = [t for t in texts if yaml.safe_load(dump(_shapes(t))) != _shapes(t)]
        pytest.fail(f"these strings do not round-trip: {culprits[:20]!r}")


@pytest.mark.parametrize(
    "text", ["yes", "on", "null", "~", "1e3", "0o17", "012", "inf", "y", "", "2024-01-01", "1_000"]
)
def test_strings_a_reader_could_mistype_are_double_quoted(text):
    assert dump({"k": text}) == f'k: "{text}"\n'


@pytest.mark.parametrize("text", ["${var.warehouse_id}", "../src/a b/c.py", "main", "e2", "1.2.3a"])
def test_plain_strings_stay_plain(text):
    assert dump({"k": text}) == f"k: {text}\n"


def test_multi_line_strings_use_literal_blocks():
    assert dump({"d": "one\ntwo\n"}) == "d: |\n  one\n  two\n"
    assert dump({"d": "one\ntwo"}) == "d: |-\n  one\n  two\n"


def test_scalars_of_other_types_round_trip():
    data = {"i": 0, "big": 2**62, "f": 0.1, "neg": -2.5, "t": True, "f2": False, "n": None}
    assert yaml.safe_load(dump(data)) == data
    assert dump({"yes_flag": True, "nothing": None}) == "yes_flag: true\nnothing: null\n"


def test_style_matches_the_cli_generator():
    data = {
        "tasks": [{"task_key": "a", "depends_on": [{"task_key": "b"}]}],
        "new_cluster": {"spark_conf": {"spark.x": "1", "k": "v"}, "custom_tags": {"team": "x"}},
        "empty_map": {},
        "empty_list": [],
    }
    assert dump(data) == (
        "tasks:\n"
        "  - task_key: a\n"
        "    depends_on:\n"
        "      - task_key: b\n"
        "new_cluster:\n"
        "  spark_conf:\n"
        '    "spark.x": "1"\n'
        '    "k": "v"\n'
        "  custom_tags:\n"
        '    "team": "x"\n'
        "empty_map: {}\n"
        "empty_list: []\n"
    )


def test_keys_keep_the_given_order_and_output_is_deterministic():
    data = {"z": 1, "a": 2, "m": {"x": 1, "b": 2}}
    assert dump(data) == "z: 1\na: 2\nm:\n  x: 1\n  b: 2\n"
    assert dump(data) == dump(dict(data))


def test_long_strings_are_not_folded():
    text = " ".join(["word"] * 200)
    assert dump({"k": text}) == f"k: {text}\n"


def test_header_and_spacing_for_top_level_sections():
    text = dump({"a": {"b": 1}, "c": [1], "d": "x\ny"}, header="line one\n\nline two", spaced=True)
    assert text == "# line one\n#\n# line two\na:\n  b: 1\n\nc:\n  - 1\n\nd: |-\n  x\n  y\n"
    assert yaml.safe_load(text) == {"a": {"b": 1}, "c": [1], "d": "x\ny"}
