from __future__ import annotations

import pytest

from dabgen_ci.core.review.diff import (
    ChangedFile,
    added_ranges,
    bundle_roots,
    on_diff,
    parse_name_status,
)


def test_parse_name_status_with_renames_and_odd_names() -> None:
    text = "M\0a b.yml\0R087\0old.yml\0new\tname.yml\0D\0gone.yml\0A\0x/ünï.py\0"
    assert parse_name_status(text) == [
        ChangedFile("a b.yml", "modified"), ChangedFile("new\tname.yml", "renamed", "old.yml"),
        ChangedFile("gone.yml", "deleted"), ChangedFile("x/ünï.py", "added")]


def test_added_ranges_from_a_zero_context_patch() -> None:
    patch = ("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -3 +3 @@\n-a\n+b\n"
             "@@ -10,2 +10,0 @@\n-c\n-d\n@@ -20,0 +19,3 @@\n+e\n+f\n+g\n")
    assert added_ranges(patch) == ((3, 3), (19, 21))


@pytest.mark.parametrize(("file", "line", "expected"), [
    ("x.yml", 3, True), ("x.yml", 4, False), ("x.yml", 21, True), ("y.yml", 3, False),
    ("x.yml", None, False), (None, 3, False)])
def test_on_diff(file: str | None, line: int | None, expected: bool) -> None:
    assert on_diff({"x.yml": ((3, 3), (19, 21))}, file, line) is expected


def test_bundle_roots_are_the_nearest_folders_with_a_root_file() -> None:
    has = {"bundle": True, "bundle/resources": False, "other": True, ".": False,
           "other/nested": True}
    changed = ["bundle/resources/a.yml", "bundle/src/x.py", "README.md",
               "other/nested/databricks.yml", "other/b.yml"]
    assert bundle_roots(changed, has) == ["bundle", "other", "other/nested"]
