"""Round-trip check: does a bundle job resource still say what the original job said?

The bundle side is brought back to API form, then compared field by field with the
original settings. Normalisation, all of it:

* the original loses :data:`~dabgen_ci.core.bundle.convert.READ_ONLY_SETTINGS` (server-owned);
* ``pause_status: UNPAUSED`` and an absent ``pause_status`` are the same value on both sides
  (:func:`~dabgen_ci.core.bundle.pause.omit_default_pause_status`: the API default, which the
  converter leaves out); PAUSED is compared like any value;
* a Jobs API 2.0 single-task original is compared in its one-task shape
  (:mod:`dabgen_ci.core.bundle.single_task`), as the converter wrote it;
* ``${var.<name>}`` resolves from ``variables`` and ``${resources.jobs.<key>.id}`` from
  ``key_to_job_id`` (a whole-string reference takes the value's own type);
* a relative path in a path slot (see :mod:`dabgen_ci.core.bundle.sources`) matches the original
  workspace path when ``local_to_workspace`` maps it to the same object (``/Workspace/x``
  ≡ ``/x``); when it cannot say, the local path without ``src/`` and without a notebook
  extension must be a suffix of the original path.

Nothing else is ignored: list order counts (tasks run in the job's order), types count
(``"1"`` is not ``1``), a key on one side only is a difference.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import regex

from dabgen_ci.core.bundle.convert import READ_ONLY_SETTINGS
from dabgen_ci.core.bundle.layout import RenderedBundle
from dabgen_ci.core.bundle.pause import omit_default_pause_status
from dabgen_ci.core.bundle.single_task import to_multi_task
from dabgen_ci.core.bundle.sources import canonical_path, path_slots
from dabgen_ci.core.bundle.tree import Location, format_path, get_at, set_at
from dabgen_ci.core.json_types import JsonMapping, JsonObject

NOTEBOOK_EXTENSIONS = (".py", ".sql", ".scala", ".r", ".ipynb")
_REFERENCE = regex.compile(r"\$\{([^{}]+)\}")


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT = _Absent()


@dataclass(frozen=True)
class Difference:
    """A field whose bundle value differs from the original (``ABSENT`` on a missing side)."""

    path: str
    original: object
    bundle: object


def compare(
    original_settings: JsonMapping,
    bundle_resource: JsonMapping,
    *,
    variables: Mapping[str, object],
    local_to_workspace: Callable[[str], str | None],
    key_to_job_id: Mapping[str, int],
    resource_dir: str = "resources",
) -> list[Difference]:
    """Differences between a job's settings and its bundle resource after normalisation.

    ``resource_dir`` is the bundle-relative directory of the resource file, which the
    relative paths in it are relative to.
    """
    original = omit_default_pause_status(
        {k: v for k, v in to_multi_task(original_settings).items() if k not in READ_ONLY_SETTINGS})
    # _resolve rebuilds every map and list, so the loaded configuration is never modified.
    resolved = _resolve_map(bundle_resource, variables, key_to_job_id)
    bundle = omit_default_pause_status(resolved)  # a ${var.x} holding UNPAUSED counts too
    _restore_paths(bundle, original, local_to_workspace, resource_dir)
    return list(_diff(original, bundle, ()))


def local_to_workspace_from(rendered: RenderedBundle) -> Callable[[str], str | None]:
    """Map a bundle-relative local path back to the workspace path it was exported from."""
    inverse = {local: ws for ws, local in rendered.local_paths.items()}
    return lambda local: inverse.get(posixpath.normpath(local))


def variable_values(config: JsonMapping, target: str | None = None) -> dict[str, object]:
    """Variable values of a ``databricks.yml`` for ``target``: defaults, then overrides."""
    values = {
        name: spec.get("default") if isinstance(spec, Mapping) else spec
        for name, spec in (config.get("variables") or {}).items()
    }
    targets = config.get("targets") or {}
    overrides = (targets.get(target) or {}).get("variables") or {} if target else {}
    for name, value in overrides.items():
        values[name] = value.get("default") if isinstance(value, Mapping) else value
    return values


def resolve_references(value: object, variables: Mapping[str, object],
                       key_to_job_id: Mapping[str, int]) -> object:
    """``value`` with ``${var.<name>}`` and ``${resources.jobs.<key>.id}`` replaced by what
    they stand for (a whole-string reference takes the value's own type); references it
    cannot resolve stay as written. The input is not modified."""
    return _resolve(value, variables, key_to_job_id)


def _resolve_map(
    mapping: JsonMapping, variables: Mapping[str, object], ids: Mapping[str, int]
) -> JsonObject:
    return {k: _resolve(v, variables, ids) for k, v in mapping.items()}


def _resolve(value: object, variables: Mapping[str, object], ids: Mapping[str, int]) -> object:
    if isinstance(value, dict):
        return _resolve_map(value, variables, ids)
    if isinstance(value, list):
        return [_resolve(v, variables, ids) for v in value]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole:
        found, resolved = _lookup(whole.group(1), variables, ids)
        return resolved if found else value

    def substitute(match: regex.Match[str]) -> str:
        found, resolved = _lookup(match.group(1), variables, ids)
        return str(resolved) if found else match.group(0)

    return _REFERENCE.sub(substitute, value)


def _lookup(
    ref: str, variables: Mapping[str, object], ids: Mapping[str, int]
) -> tuple[bool, object]:
    parts = ref.split(".")
    if len(parts) == 2 and parts[0] == "var" and parts[1] in variables:
        return True, variables[parts[1]]
    if (
        len(parts) == 4
        and parts[:2] == ["resources", "jobs"]
        and parts[3] == "id"
        and (parts[2] in ids)
    ):
        return True, ids[parts[2]]
    return False, None


def _restore_paths(
    bundle: JsonObject,
    original: JsonMapping,
    local_to_workspace: Callable[[str], str | None],
    resource_dir: str,
) -> None:
    for slot in list(path_slots(bundle)):
        if not _is_local(slot.path):
            continue
        try:
            original_value = get_at(original, slot.location)
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(original_value, str) or not original_value.startswith(slot.prefix):
            continue
        local = posixpath.normpath(posixpath.join(resource_dir, slot.path))
        original_path = original_value[len(slot.prefix) :].strip()
        if _same_source(original_path, local_to_workspace(local), local):
            set_at(bundle, slot.location, original_value)


def _is_local(path: str) -> bool:
    return bool(path) and not path.startswith("/") and ":/" not in path


def _same_source(original: str, workspace: str | None, local: str) -> bool:
    if workspace is not None:
        return canonical_path(workspace) == canonical_path(original)
    rel = local.split("/", 1)[1] if local.startswith("src/") else local
    candidates = [rel]
    for ext in NOTEBOOK_EXTENSIONS:
        if rel.lower().endswith(ext):
            candidates.append(rel[: -len(ext)])
    target = canonical_path(original)
    return any(target == f"/{c}" or target.endswith(f"/{c}") for c in candidates if c)


def _diff(original: object, bundle: object, location: Location) -> Iterator[Difference]:
    if isinstance(original, dict) and isinstance(bundle, dict):
        keys = list(original) + sorted(k for k in bundle if k not in original)
        for key in keys:
            yield from _diff(original.get(key, ABSENT), bundle.get(key, ABSENT), (*location, key))
    elif isinstance(original, list) and isinstance(bundle, list):
        for i in range(max(len(original), len(bundle))):
            left = original[i] if i < len(original) else ABSENT
            right = bundle[i] if i < len(bundle) else ABSENT
            yield from _diff(left, right, (*location, i))
    elif type(original) is not type(bundle) or original != bundle:
        yield Difference(format_path(location), original, bundle)
