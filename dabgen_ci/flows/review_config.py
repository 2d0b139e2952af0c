"""The configuration a review obeys, read from the base revision (never the change itself).

A pull request must not be able to relax its own review (`review.ignore`, `fail_on`), so
`.dabgen.yml` comes from the revision the change goes into. `remove_deleted` — whether
removing a job resource is intended — belongs to the sync options of issue #9
(`bundles: [{dir, sync: {remove_deleted}}]`, or a top-level `sync:` for the single-bundle
form); :func:`removal_intended` is the one seam that reads it, from the raw file, so it
works whatever shape `Config` gives those options.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

import yaml

from dabgen_ci.config import Config, parse_config
from dabgen_ci.git import GitRepo

DEFAULT_CONFIG = ".dabgen.yml"


def config_at(repo: GitRepo, rev: str, path: str = DEFAULT_CONFIG) -> tuple[Config, str | None]:
    """`.dabgen.yml` at ``rev`` (checked like any config) and its text (None: no file)."""
    text = repo.read_at(rev, path)
    return parse_config(text, origin=f"{path} at {rev}"), text


def removal_intended(config_text: str | None, roots: Iterable[str],
                     default_dir: str) -> dict[str, bool]:
    """Bundle folder → `remove_deleted: true` is set for it."""
    try:
        data = yaml.safe_load(config_text or "") or {}
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    out = {}
    for root in roots:
        listed = [b for b in _list(data.get("bundles")) if _same(b.get("dir"), root)]
        sync = listed[0].get("sync") if listed else (
            data.get("sync") if _same(default_dir, root) else None)
        out[root] = isinstance(sync, dict) and sync.get("remove_deleted") is True
    return out


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _same(a: Any, b: str) -> bool:
    return isinstance(a, str) and PurePosixPath(a.strip("/") or ".") == PurePosixPath(b)
