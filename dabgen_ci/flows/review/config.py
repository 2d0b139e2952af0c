"""The configuration a review obeys, read from the base revision (never the change itself).

A pull request must not be able to relax its own review (`review.ignore`, `fail_on`), so
`.dabgen.yml` comes from the revision the change goes into. Whether removing a job resource
is intended is the bundle's sync option `remove_deleted` (single-bundle `sync:` or the
entry of `bundles:` whose `dir` is the bundle).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from dabgen_ci.config import Config, parse_config
from dabgen_ci.git import GitRepo

DEFAULT_CONFIG = ".dabgen.yml"


def config_at(repo: GitRepo, rev: str, path: str = DEFAULT_CONFIG) -> Config:
    """`.dabgen.yml` at ``rev``, checked like any configuration (no file: the defaults)."""
    return parse_config(repo.read_at(rev, path), origin=f"{path} at {rev}")


def removal_intended(config: Config, root: str) -> bool:
    """`remove_deleted: true` is set for the bundle in folder ``root``."""
    wanted = PurePosixPath(root)
    return any(PurePosixPath(b.dir.strip("/") or ".") == wanted and b.sync.remove_deleted
               for b in config.managed_bundles())
