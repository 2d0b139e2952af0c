"""Round-trip YAML: unedited files come back byte for byte; new values are quoted safely."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dabgen_ci.core.bundle import rtyaml

GOLDEN = Path(__file__).parents[2] / "golden" / "demo_bundle"

HAND_WRITTEN = """\
# Maintained by the data platform team
bundle:
  name: sales   # do not rename: deployments are keyed on it

variables:
  flag:
    default: NO
  window:
    default: 1:20
  note:
    description: 'single quoted'

targets:
  dev:
    mode: development
    default: true
"""


@pytest.mark.parametrize(
    "path", sorted(p for p in GOLDEN.rglob("*.yml")), ids=lambda p: p.name
)
def test_generated_files_round_trip_byte_for_byte(path: Path) -> None:
    text = path.read_text()
    assert rtyaml.dump(rtyaml.load(text)) == text


def test_hand_written_file_keeps_comments_quotes_and_yaml_1_2_strings() -> None:
    document = rtyaml.load(HAND_WRITTEN)
    assert document["variables"]["flag"]["default"] == "NO"
    assert document["variables"]["window"]["default"] == "1:20"
    assert rtyaml.dump(document) == HAND_WRITTEN


@pytest.mark.parametrize("value", ["on", "NO", "1:20", "0o17", "1e3", "", "~", "2024-01-01"])
def test_new_ambiguous_strings_read_back_as_strings_in_yaml_1_1_too(value: str) -> None:
    document = rtyaml.load(HAND_WRITTEN)
    document["variables"]["new"] = {"default": rtyaml.scalar(value)}
    text = rtyaml.dump(document)
    assert rtyaml.load(text)["variables"]["new"]["default"] == value
    assert yaml.safe_load(text)["variables"]["new"]["default"] == value


def test_multi_line_text_is_a_literal_block_without_extra_blank_lines() -> None:
    document = rtyaml.load(HAND_WRITTEN)
    document["variables"]["note"]["description"] = rtyaml.scalar("first\n\nthird\n")
    text = rtyaml.dump(document)
    assert "description: |" in text
    assert rtyaml.load(text)["variables"]["note"]["description"] == "first\n\nthird\n"
