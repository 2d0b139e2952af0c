"""Jobs a bundle already deploys, and where that bundle put their sources (pure).

``databricks bundle deploy`` uploads a bundle's files to ``<root>/files`` — ``root`` is
``workspace.root_path``, by default ``/Workspace/Users/<me>/.bundle/<name>/<target>`` — and
marks each job it owns with ``deployment: {kind: BUNDLE, metadata_file_path:
<root>/state/metadata.json}``. Such a job's notebooks therefore sit at
``<root>/files/<path in the original bundle>``; written under ``src/`` with the usual
common-prefix rule they landed in ``src/files/src/…``. Here the deployment root is
stripped instead, so ``src/`` mirrors the original bundle: a path under its ``src/``
keeps that path, a file at its root goes under ``src/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dabgen_ci.core.bundle.sources import canonical_path

FILES_DIR = "files"
METADATA_SUFFIX = "/state/metadata.json"
SRC_DIR = "src"
# A default root_path: .bundle/<name>/<target> (or .bundle/<name> for an older custom one).
_DEFAULT_ROOT = re.compile(r"^(?P<root>/(?:.+/)?\.bundle/(?P<name>[^/]+)(?:/(?P<target>[^/]+))?)"
                           r"/files/.")


@dataclass(frozen=True)
class DeployedBundle:
    """Where a bundle deployment lives (``root`` canonical: no ``/Workspace`` prefix)."""

    root: str
    name: str | None = None
    target: str | None = None

    @property
    def files_root(self) -> str:
        return f"{self.root}/{FILES_DIR}"

    def describe(self) -> str:
        what = f"bundle `{self.name}`" if self.name else "a bundle"
        return what + (f" (target `{self.target}`)" if self.target else "")


def deployed_bundle(settings: Mapping[str, object]) -> DeployedBundle | None:
    """The deployment that owns a job, from its ``deployment`` setting."""
    deployment = settings.get("deployment")
    if not isinstance(deployment, Mapping) or deployment.get("kind") != "BUNDLE":
        return None
    metadata = deployment.get("metadata_file_path")
    if not isinstance(metadata, str) or not metadata.endswith(METADATA_SUFFIX):
        return DeployedBundle(root="")
    root = canonical_path(metadata[: -len(METADATA_SUFFIX)])
    named = _DEFAULT_ROOT.match(root + "/files/x")
    if named is not None and named.group("root") == root:
        return DeployedBundle(root, named.group("name"), named.group("target"))
    return DeployedBundle(root)


def files_root_of(path: str, known_roots: Iterable[str] = ()) -> str | None:
    """The ``<root>/files`` folder ``path`` lies in: a known deployment's, or one a default
    ``root_path`` names; None for a path outside any bundle deployment."""
    canonical = canonical_path(path)
    for root in sorted(known_roots, key=len, reverse=True):
        if root and canonical.startswith(f"{root}/{FILES_DIR}/"):
            return f"{root}/{FILES_DIR}"
    match = _DEFAULT_ROOT.match(canonical)
    return f"{match.group('root')}/{FILES_DIR}" if match else None


def original_path(path: str, files_root: str) -> str | None:
    """Where a deployed file goes in this bundle: its path in the original bundle, under
    ``src/`` (a path already under the original's ``src/`` keeps it)."""
    rel = canonical_path(path)[len(files_root) + 1:]
    if not rel or ".." in rel.split("/"):
        return None
    return rel if rel.startswith(f"{SRC_DIR}/") else f"{SRC_DIR}/{rel}"
