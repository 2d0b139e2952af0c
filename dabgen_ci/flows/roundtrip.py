"""Round-trip check: load the written bundle back and compare it with the source jobs.

The bundle is loaded like the CLI loads it (includes merged, default target applied,
variables resolved), relative paths are mapped back to workspace paths, and each job
resource is compared with the original settings after the documented normalisation of
:mod:`dabgen_ci.core.bundle.roundtrip`. Every difference becomes an error diagnostic: nothing is
dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dabgen_ci.core.bundle.keys import resource_key
from dabgen_ci.core.bundle.layout import RenderedBundle, job_ids_in
from dabgen_ci.core.bundle.roundtrip import compare, local_to_workspace_from
from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate.loader import LoadedBundle, load_bundle


def roundtrip_diagnostics(
    root: Path, jobs: list[JsonObject], rendered: RenderedBundle | None = None,
    loaded: LoadedBundle | None = None,
) -> list[Diagnostic]:
    """Compare every job in ``jobs`` with its resource in the bundle at ``root``
    (``loaded``: that bundle, when the caller has read it already)."""
    loaded = load_bundle(root) if loaded is None else loaded
    resolved = loaded.resolved(None)[0]
    resources = (resolved.get("resources") or {}).get("jobs") or {}
    variables = {  # a variable with no value stays a reference on both sides
        name: spec["default"] if isinstance(spec, dict) else spec
        for name, spec in (resolved.get("variables") or {}).items()
        if not isinstance(spec, dict) or spec.get("default") is not None
    }
    written = rendered.files if rendered else {}
    keys = _match_keys(jobs, resources, _keys_by_job_id(loaded, written))
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


def _keys_by_job_id(loaded: LoadedBundle, written: Mapping[str, bytes]) -> dict[int, str]:
    """Job id → resource key, from the ``# dabgen: job <id>`` header of each resource file
    that defines exactly one job (the files dabgen writes; ``written``: those just written,
    not read back)."""
    found: dict[int, str] = {}
    for file in loaded.files:
        jobs = (file.config.get("resources") or {}).get("jobs")
        if not isinstance(jobs, dict) or len(jobs) != 1:
            continue
        try:
            data = written.get(file.path)
            text = (data.decode("utf-8") if data is not None
                    else (loaded.root / file.path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        ids = job_ids_in(text)
        if len(ids) == 1:
            found[ids[0]] = next(iter(jobs))
    return found


def _match_keys(jobs: list[JsonObject], resources: JsonObject, by_id: dict[int, str]
                ) -> dict[str, JsonObject]:
    """Find each job's resource by its id (the resource header); a bundle without headers
    falls back to the key dabgen derives from the name, then to the one resource with an
    equal ``name`` — never to list order, so two jobs of the same name cannot swap."""
    matched: dict[str, JsonObject] = {}
    for job in jobs:
        key = by_id.get(_job_id(job)) or _key_by_name(job, resources, by_id)
        if not key or key not in resources or key in matched:
            name = str((job.get("settings") or {}).get("name") or "")
            raise BadInputError(
                f"job {job.get('job_id')} ({name!r}) has no resource of its own in this "
                "bundle (none names it in a '# dabgen: job <id>' header, and its name does "
                "not identify one); check --job and the bundle directory"
            )
        matched[key] = job
    return matched


def _job_id(job: JsonObject) -> int:
    value = job.get("job_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _key_by_name(job: JsonObject, resources: JsonObject, by_id: dict[int, str]) -> str:
    claimed = set(by_id.values())
    name = str((job.get("settings") or {}).get("name") or "")
    fallback = name or f"job {_job_id(job)}"
    derived = resource_key(fallback, set())
    if derived in resources and derived not in claimed:
        return derived
    same = [k for k, r in resources.items()
            if isinstance(r, dict) and r.get("name") == name and k not in claimed]
    return same[0] if name and len(same) == 1 else ""
