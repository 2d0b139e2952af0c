"""A loaded bundle as the review's lint rules read it (:class:`BundleFacts`).

The rules are pure; this adapter does the reading once: every configuration file's text
(for ``# dabgen: ignore`` comments), the files of the bundle, and each target resolved the
way the validator resolves it (overrides merged, variables substituted) with the location
of every value, so a finding about the resolved ``prod`` target still points at the line
that wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dabgen_ci.core.review.facts import BundleFacts, Loc, RemovedJob, TargetView
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate.files import scan_files
from dabgen_ci.validate.loader import LoadedBundle, load_bundle
from dabgen_ci.validate.located import Location, LocTree, flatten
from dabgen_ci.validate.targets import resolve_target_located


def bundle_facts(bundle: LoadedBundle, removed: tuple[RemovedJob, ...] = (),
                 files: frozenset[str] | None = None) -> BundleFacts:
    """Facts about ``bundle``; ``removed`` are the job resources the change deletes."""
    found = files if files is not None else scan_files(bundle.root).files
    return BundleFacts(
        config=bundle.config,
        locations=_locations(bundle.locations),
        targets=target_views(bundle),
        files=found,
        texts={f.path: _text(bundle.root / f.path) for f in bundle.files},
        removed=removed,
    )


def load_facts(root: Path, removed: tuple[RemovedJob, ...] = ()) -> BundleFacts:
    return bundle_facts(load_bundle(root), removed)


def target_views(bundle: LoadedBundle) -> tuple[TargetView, ...]:
    """Every target resolved; one unnamed view when the bundle declares none. A target
    whose overrides cannot be applied is left out (the validator reports it)."""
    targets = bundle.config.get("targets")
    names: list[str | None] = list(targets) if isinstance(targets, dict) and targets else [None]
    views = []
    for name in names:
        try:
            resolved, tree = resolve_target_located(bundle.config, bundle.tree, name)
        except BadInputError:
            continue
        views.append(TargetView(name or "", resolved, _tree_locations(tree)))
    if not views:
        views.append(TargetView("", bundle.config, _locations(bundle.locations)))
    return tuple(views)


def _tree_locations(tree: LocTree | None) -> dict[str, Loc]:
    return _locations(dict(flatten(tree))) if tree is not None else {}


def _locations(found: Mapping[str, Location]) -> dict[str, Loc]:
    return {path: Loc(loc.file, loc.line) for path, loc in found.items()}


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
