"""Round-trip check: load the written bundle back and compare it with the source jobs.

The bundle is loaded like the CLI loads it (includes merged, default target applied,
variables resolved), relative paths are mapped back to workspace paths, and each job
resource is compared with the original settings after the documented normalisation of
:mod:`dabgen_ci.core.bundle.roundtrip`. Every difference becomes an error diagnostic: nothing is
dropped silently.
"""

from __future__ import annotations

from pathlib import Path

from dabgen_ci.core.bundle.keys import resource_key
from dabgen_ci.core.bundle.layout import RenderedBundle
from dabgen_ci.core.bundle.roundtrip import compare, local_to_workspace_from
from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate.loader import LoadedBundle, load_bundle, resolve_target


def roundtrip_diagnostics(
    root: Path, jobs: list[dict], rendered: RenderedBundle | None = None,
    loaded: LoadedBundle | None = None,
) -> list[Diagnostic]:
    """Compare every job in ``jobs`` with its resource in the bundle at ``root``
    (``loaded``: that bundle, when the caller has read it already)."""
    loaded = load_bundle(root) if loaded is None else loaded
    resolved = resolve_target(loaded.config, None)
    resources = (resolved.get("resources") or {}).get("jobs") or {}
    variables = {  # a variable with no value stays a reference on both sides
        name: spec["default"] if isinstance(spec, dict) else spec
        for name, spec in (resolved.get("variables") or {}).items()
        if not isinstance(spec, dict) or spec.get("default") is not None
    }
    keys = _match_keys(jobs, resources)
    key_to_job_id = {key: int(job["job_id"]) for key, job in keys.items() if job.get("job_id")}
    # Without the rendering at hand (a bundle on disk), paths match by suffix.
    to_workspace = local_to_workspace_from(rendered) if rendered else _unknown_origin
    found: list[Diagnostic] = []
    for key, job in keys.items():
        differences = compare(
            job.get("settings") or {},
            resources[key],
            variables=variables,
            local_to_workspace=to_workspace,
            key_to_job_id=key_to_job_id,
        )
        found += [
            Diagnostic(
                severity="error",
                summary=f"round-trip difference in job {job.get('job_id')} at {d.path}: "
                f"workspace has {d.original!r}, bundle has {d.bundle!r}",
                file=f"resources/{key}.job.yml",
                path=f"resources.jobs.{key}.{d.path}".rstrip("."),
                source="round-trip",
            )
            for d in differences
        ]
    return found


def _unknown_origin(_local: str) -> str | None:
    return None


def _match_keys(jobs: list[dict], resources: dict) -> dict[str, dict]:
    """Find each job's resource: by its derived key, else by an equal ``name``."""
    matched: dict[str, dict] = {}
    taken: set[str] = set()
    for job in jobs:
        name = str((job.get("settings") or {}).get("name") or "")
        key = resource_key(name, taken)
        taken.add(key)
        if key not in resources:
            key = next((k for k, r in resources.items() if (r or {}).get("name") == name), "")
        if not key or key in matched:
            raise BadInputError(
                f"job {job.get('job_id')} ({name!r}) has no resource in this bundle; "
                "check --job and the bundle directory"
            )
        matched[key] = job
    return matched
