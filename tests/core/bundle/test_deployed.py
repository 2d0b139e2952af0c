"""Where a bundle deployment keeps a job's sources, and where they go in ours (pure)."""

from __future__ import annotations

import pytest

from dabgen_ci.core.bundle.deployed import (
    DeployedBundle,
    deployed_bundle,
    files_root_of,
    original_path,
)

ROOT = "/Users/me@x.com/.bundle/sales/prod"


def test_the_deployment_setting_names_the_root() -> None:
    settings = {"deployment": {"kind": "BUNDLE",
                               "metadata_file_path": f"/Workspace{ROOT}/state/metadata.json"}}
    assert deployed_bundle(settings) == DeployedBundle(ROOT, "sales", "prod")
    custom = {"deployment": {"kind": "BUNDLE",
                             "metadata_file_path": "/Shared/deploys/sales/state/metadata.json"}}
    assert deployed_bundle(custom) == DeployedBundle("/Shared/deploys/sales")
    assert deployed_bundle({}) is None
    assert deployed_bundle({"deployment": {"kind": "OTHER"}}) is None


@pytest.mark.parametrize(("path", "root"), [
    (f"/Workspace{ROOT}/files/src/a", f"{ROOT}/files"),
    ("/Users/me/.bundle/b/files/x.py", "/Users/me/.bundle/b/files"),  # no target segment
    ("/Shared/deploys/sales/files/nb", "/Shared/deploys/sales/files"),  # a known root
    ("/Users/me/project/files/nb", None),
    (f"{ROOT}/artifacts/.internal/x.whl", None),
])
def test_files_root_of(path: str, root: str | None) -> None:
    assert files_root_of(path, ["/Shared/deploys/sales"]) == root


def test_original_paths_mirror_the_original_bundle_under_src() -> None:
    files = f"{ROOT}/files"
    assert original_path(f"{files}/src/etl/ingest", files) == "src/etl/ingest"
    assert original_path(f"/Workspace{files}/my_notebook", files) == "src/my_notebook"
    assert original_path(f"{files}/a/../../x", files) is None
