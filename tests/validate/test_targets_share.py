"""The shared resolution LoadedBundle keeps: references substituted, the rest not copied."""

from __future__ import annotations

from pathlib import Path

from dabgen_ci.validate.loader import load_bundle
from dabgen_ci.validate.targets import resolve_target
from tests.validate.bundles import write_bundle


def test_resolved_shares_what_holds_no_reference(tmp_path: Path) -> None:
    bundle = load_bundle(write_bundle(tmp_path))
    resolved, tree = bundle.resolved(None)
    assert bundle.resolved("dev") == (resolved, tree)  # the default target, worked out once
    assert bundle.resolved("dev")[0] is resolved
    copied = resolve_target(bundle.config, "dev")
    assert resolved == copied
    original = bundle.config["resources"]["jobs"]
    plain = [(n, key) for key, job in original.items() for n, task in enumerate(job["tasks"])
             if "${var." not in str(task)]
    assert plain  # tasks that hold no reference are not copied
    for n, key in plain:
        assert resolved["resources"]["jobs"][key]["tasks"][n] is original[key]["tasks"][n]
    assert "${var." not in str(resolved["resources"])  # every declared variable substituted
    assert copied["resources"]["jobs"]["cleanup"] is not original["cleanup"]  # a copy


def test_reference_strings_are_walk_strings_with_a_reference(tmp_path: Path) -> None:
    from dabgen_ci.validate.refs import reference_strings, walk_strings

    bundle = load_bundle(write_bundle(tmp_path))
    for value in (bundle.config, bundle.resolved(None)[0], *(f.config for f in bundle.files)):
        expected = [(p, t) for p, t in walk_strings(value) if "${" in t]
        assert list(reference_strings(value)) == expected
    assert any("${" in t for _, t in walk_strings(bundle.config))
