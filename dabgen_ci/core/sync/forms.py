"""The one form the three sides of a merge are compared in (pure).

Base and theirs are job settings from the API; ours is a resource from the repository. All
three are brought to the bundle's form with the converter the generator uses
(:func:`~dabgen_ci.core.bundle.convert.job_resource`: local source paths, ids as variables,
jobs of the bundle as ``${resources.jobs.<key>.id}``) and then *resolved*: every
``${var.x}`` and ``${resources.jobs.<key>.id}`` replaced by what it stands for in the
configured target. So a value the user parameterised compares by its value, and the value
written back for an adopted change is the converted one, references included. An absent
``pause_status`` and UNPAUSED are one value on every side
(:mod:`dabgen_ci.core.bundle.pause`): pausing a job in the UI is drift that writes
``pause_status: PAUSED``, unpausing it is drift that removes it.

:class:`SyncVariables` hands the converter the repository's own variables: an id that a
declared variable already holds becomes that variable, a new one gets a new variable named
like the generator names them (``warehouse_id_2``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from typing import Any

from dabgen_ci.core.bundle.convert import job_resource
from dabgen_ci.core.bundle.keys import unique_name
from dabgen_ci.core.bundle.pause import omit_default_pause_status
from dabgen_ci.core.bundle.roundtrip import resolve_references
from dabgen_ci.core.bundle.sources import canonical_path
from dabgen_ci.core.bundle.variables import KINDS, Variable, VariableRegistry
from dabgen_ci.core.json_types import JsonMapping, JsonObject

PathFor = Callable[[str, str], str]


class SyncVariables(VariableRegistry):
    """Variables for converting workspace settings into an existing bundle."""

    def __init__(self, declared: Mapping[str, object]) -> None:
        super().__init__()
        self._declared = dict(declared)
        self._new: dict[tuple[str, str], Variable] = {}

    def declare(self, name: str, value: object) -> None:
        """Record a variable the bundle now declares (or a declared one's new value)."""
        self._declared[name] = value
        self._new = {k: v for k, v in self._new.items() if v.name != name}

    def declared(self) -> dict[str, object]:
        return dict(self._declared)

    def taken(self) -> set[str]:
        return {*self._declared, *(v.name for v in self._new.values())}

    def ref(self, kind: str, value: str, *, job_name: str) -> str:
        name = self._existing(kind, value)
        if name is None:
            var = self._new.get((kind, value))
            if var is None:
                var = Variable(unique_name(KINDS[kind][0], self.taken()), kind, value)
            if job_name not in var.used_by:
                var = Variable(var.name, kind, value, (*var.used_by, job_name))
            self._new[(kind, value)] = var
            name = var.name
        return f"${{var.{name}}}"

    def variables(self) -> tuple[Variable, ...]:
        """The variables conversions named that the bundle does not declare yet."""
        return tuple(sorted(self._new.values(), key=lambda v: v.name))

    def values(self) -> dict[str, object]:
        """Every variable's value for the target: declared ones, then the new ones."""
        return {**self._declared, **{v.name: v.default for v in self._new.values()}}

    def copy(self) -> SyncVariables:
        """An independent copy (converting the base must not name new variables)."""
        twin = SyncVariables(self._declared)
        twin._new = dict(self._new)
        return twin

    def _existing(self, kind: str, value: str) -> str | None:
        """A declared variable holding ``value``, preferring one named for the kind."""
        holders = sorted(n for n, v in self._declared.items() if isinstance(v, str) and v == value)
        base = KINDS[kind][0]
        named = [n for n in holders if n == base or n.startswith(base + "_")]
        candidates = named or holders
        return candidates[0] if candidates else None


def path_for(locals_by_path: Mapping[str, str], resource_dir: str) -> PathFor:
    """Workspace source → path relative to the resource file's folder (``../src/x.py``);
    a source with no local copy keeps its workspace path."""
    def convert(workspace_path: str, _kind: str) -> str:
        local = locals_by_path.get(canonical_path(workspace_path))
        if local is None:
            return workspace_path
        return posixpath.relpath(local, resource_dir or ".")

    return convert


def bundle_form(settings: JsonMapping, *, key: str, paths: PathFor,
                key_for_job_id: Mapping[int, str], variables: SyncVariables) -> JsonObject:
    """The resource body the generator would write for ``settings`` in this bundle."""
    return job_resource(settings, key=key, path_for=paths, key_for_job_id=key_for_job_id,
                        variables=variables)


def resolved(resource: Mapping[str, Any], variables: Mapping[str, object],
             key_to_job_id: Mapping[str, int]) -> dict[str, Any]:
    """``resource`` in the form the three sides are compared in: its references replaced
    by their values, and ``pause_status: UNPAUSED`` left out
    (:func:`~dabgen_ci.core.bundle.pause.omit_default_pause_status`). The converter already
    leaves it out of the base and theirs; a resource that still writes it (an older dabgen,
    a person, a variable holding UNPAUSED) means the same thing, so it is no change."""
    value = resolve_references(dict(resource), variables, key_to_job_id)
    return omit_default_pause_status(value if isinstance(value, dict) else {})
