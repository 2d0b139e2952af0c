"""Shared helpers for the core tests: job fixtures (the golden cases), a fake export, and a
full round trip."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from dabgen_ci.core.bundle.convert import BundlePlan, plan_bundle
from dabgen_ci.core.bundle.layout import RenderedBundle, render_bundle, resource_file
from dabgen_ci.core.bundle.roundtrip import (
    Difference,
    compare,
    local_to_workspace_from,
    variable_values,
)
from dabgen_ci.core.workspace_objects import ExportedObject

# The converter's inputs are the golden cases (tests/flows/test_generate_golden.py): each
# case with one job is also a fixture here, so a rule's unit test and its exact output
# read the same jobs/get body.
GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "generate"

# A notebook's language is hinted by the end of its name in the fixtures.
_LANGUAGE_HINTS = {"_sql": "sql", "_scala": "scala", "_r": "r", "_jupyter": "ipynb"}


def _job_files(case: str) -> list[Path]:
    return sorted((GOLDEN / case / "snapshot" / "jobs").glob("*.json"))


def fixture_names() -> list[str]:
    """The golden cases that hold exactly one job."""
    return sorted(p.name for p in GOLDEN.iterdir() if len(_job_files(p.name)) == 1)


def load_fixture(name: str) -> dict:
    """The ``jobs/get`` body of the one-job golden case ``name``."""
    [job_file] = _job_files(name)
    return json.loads(job_file.read_text(encoding="utf-8"))


_COMMENT = {"py": "#", "r": "#", "sql": "--", "scala": "//"}


def notebook_source(path: str, file_type: str) -> bytes:
    """An export as the workspace returns it: a header line per language, JSON for Jupyter."""
    if file_type == "ipynb":
        cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": [path]}
        doc = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 0}
        return json.dumps(doc, indent=1).encode()
    mark = _COMMENT[file_type]
    return f"{mark} Databricks notebook source\n{mark} {path}\n".encode()


def notebook_type(path: str) -> str:
    for hint, file_type in _LANGUAGE_HINTS.items():
        if path.endswith(hint):
            return file_type
    return "py"


def fake_export(plan: BundlePlan, *, skip: Sequence[str] = ()) -> dict[str, ExportedObject]:
    """What a workspace export of every planned source would return (content = its path)."""
    out: dict[str, ExportedObject] = {}
    for ref in plan.sources:
        path = ref.workspace_path
        if path in skip:
            continue
        if ref.kind == "notebook":
            file_type = notebook_type(path)
            out[path] = ExportedObject(path, notebook_source(path, file_type), file_type, True)
        elif ref.kind == "file":
            ext = posixpath.splitext(path)[1].lstrip(".")
            out[path] = ExportedObject(path, f"file {path}\n".encode(), ext, False)
        else:
            for child in ("dbt_project.yml", "models/daily.sql"):
                full = f"{path}/{child}"
                out[full] = ExportedObject(
                    full, f"{child}\n".encode(), child.rsplit(".")[-1], False
                )
    return out


def build(
    jobs: Sequence[dict], *, missing: Mapping[str, str] | None = None, host: str | None = None
) -> tuple[BundlePlan, RenderedBundle]:
    plan = plan_bundle(jobs, bundle_name="test_bundle")
    exported = fake_export(plan, skip=list(missing or {}))
    return plan, render_bundle(plan, exported, missing=missing, host=host)


def loaded_resource(rendered: RenderedBundle, key: str) -> dict:
    doc = yaml.safe_load(rendered.files[resource_file(key)].decode("utf-8"))
    return doc["resources"]["jobs"][key]


def roundtrip(plan: BundlePlan, rendered: RenderedBundle) -> dict[str, list[Difference]]:
    """Differences per job key after loading every written file back with yaml.safe_load."""
    config = yaml.safe_load(rendered.files["databricks.yml"].decode("utf-8"))
    variables = variable_values(config, "dev")
    to_workspace = local_to_workspace_from(rendered)
    key_to_job_id = {job.key: job.job_id for job in plan.jobs if job.job_id is not None}
    return {
        job.key: compare(
            job.settings,
            loaded_resource(rendered, job.key),
            variables=variables,
            local_to_workspace=to_workspace,
            key_to_job_id=key_to_job_id,
        )
        for job in plan.jobs
    }
