"""``${var.*}`` and ``${resources.*}`` references must point at something that exists.

Variables are checked in every file as written (a reference in any target would fail when
that target is deployed); resource references are checked in the resolved target, where
the set of resources is known. Target ``variables`` may only assign variables declared at
the top level (databricks/cli ``validateVariableOverrides``), resource keys may not contain
references (``no_variable_reference_in_resource_key.go``), nor should the bundle name or
authentication fields (``no_interpolation_in_bundle_name.go``,
``interpolation_in_auth_config.go``; warnings, as in the CLI).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.validate.located import LocTree, Path
from dabgen_ci.validate.refs import (
    has_reference,
    may_hold_reference,
    reference_strings,
    references,
    split_reference,
)
from dabgen_ci.validate.rulebase import finding, get

_AUTH_FIELDS = ("host", "profile", "auth_type", "metadata_service_url", "client_id",
                "google_service_account", "azure_resource_id", "azure_use_msi",
                "azure_client_id", "azure_tenant_id", "azure_environment",
                "azure_login_app_id", "account_id", "workspace_id")


class RawFile(Protocol):
    """What the reference rules need of a configuration file as written."""

    @property
    def config(self) -> dict[str, Any]: ...

    @property
    def tree(self) -> LocTree | None: ...

    @property
    def data(self) -> bytes | None: ...  # the bytes read (None: not known)


@dataclass(frozen=True)
class VariableUses:
    """What one pass over the files as written finds (one walk of every string serves both:
    a second one was 6 % of validating a 10,000-job bundle)."""

    diagnostics: list[Diagnostic]  # undeclared variables, target variables, keys
    referenced: set[str]  # every variable a ``${var.<name>}`` names


def check_variables(files: Iterable[RawFile], declared: set[str]) -> VariableUses:
    """Undeclared ``${var.x}``, undeclared target variables, references in resource keys;
    and the names of all variables referenced."""
    out: list[Diagnostic] = []
    names: set[str] = set()
    for f in files:
        for path, text in reference_strings(f.config) if may_hold_reference(f.data) else ():
            for ref in references(text):
                parts = split_reference(ref)
                if parts[0] != "var":
                    continue
                if len(parts) > 1 and isinstance(parts[1], str):
                    names.add(parts[1])
                if len(parts) < 2 or parts[1] not in declared:
                    name = parts[1] if len(parts) > 1 else ""
                    out.append(finding(
                        "error", f"variable {name!r} is not declared; add it under "
                        f"'variables:' in databricks.yml (referenced as ${{{ref}}})",
                        f.tree, path))
        out.extend(_target_variables(f, declared))
        out.extend(_reference_in_keys(f))
    return VariableUses(out, names)


def check_variable_values(resolved: dict[str, Any], tree: LocTree | None, used: set[str],
                          target: str | None) -> list[Diagnostic]:
    """A used variable with neither default nor lookup needs a value at deploy time."""
    out: list[Diagnostic] = []
    variables = resolved.get("variables")
    if not isinstance(variables, dict):
        return out
    for name in sorted(used):
        var = variables.get(name)
        if isinstance(var, dict) and var.get("default") is None and not var.get("lookup"):
            where = f" for target {target!r}" if target else ""
            out.append(finding(
                "warning", f"variable {name!r} has no value{where}; set a default, or pass "
                f"--var {name}=… or BUNDLE_VAR_{name} when deploying", tree,
                ("variables", name)))
    return out


def check_resource_references(resolved: dict[str, Any], tree: LocTree | None
                              ) -> list[Diagnostic]:
    """Every ``${resources.<type>.<key>...}`` names a resource of the resolved target."""
    resources = resolved.get("resources")
    resources = resources if isinstance(resources, dict) else {}
    out = []
    for path, text in reference_strings(resolved):
        for ref in references(text):
            parts = split_reference(ref)
            if parts[0] != "resources":
                continue
            if len(parts) < 4:
                out.append(finding("error", f"reference ${{{ref}}} must have the form "
                                   "${resources.<type>.<key>.<field>}", tree, path))
                continue
            group = resources.get(parts[1])
            if not isinstance(group, dict) or parts[2] not in group:
                out.append(finding("error", f"reference ${{{ref}}} points to no resource; "
                                   f"define resources.{parts[1]}.{parts[2]} or fix the "
                                   "reference", tree, path))
    return out


def check_interpolation_limits(files: Iterable[RawFile]) -> list[Diagnostic]:
    """References where the CLI cannot use them: bundle name and authentication fields."""
    out = []
    for f in files:
        for prefix, section in _sections(f.config):
            name = get(section, "bundle", "name")
            if isinstance(name, str) and has_reference(name):
                out.append(finding(
                    "warning", "do not use references in the bundle name; it is part of the "
                    "path where deployment state is kept", f.tree, (*prefix, "bundle", "name")))
            for field in _AUTH_FIELDS:
                value = get(section, "workspace", field)
                if isinstance(value, str) and has_reference(value):
                    out.append(finding(
                        "warning", f"workspace.{field} cannot use references; set it through "
                        "the environment (e.g. DATABRICKS_HOST) instead", f.tree,
                        (*prefix, "workspace", field)))
    return out


def _sections(config: dict[str, Any]) -> list[tuple[Path, Any]]:
    """The top level and each target, which may both set bundle/workspace fields."""
    out: list[tuple[Path, Any]] = [((), config)]
    targets = config.get("targets")
    for name, target in (targets.items() if isinstance(targets, dict) else ()):
        out.append((("targets", name), target))
    return out


def _target_variables(f: RawFile, declared: set[str]) -> list[Diagnostic]:
    out = []
    targets = f.config.get("targets")
    for name, target in (targets.items() if isinstance(targets, dict) else ()):
        variables = target.get("variables") if isinstance(target, dict) else None
        for var in variables if isinstance(variables, dict) else ():
            if var not in declared:
                out.append(finding(
                    "error", f"target {name!r} assigns variable {var!r}, which is not "
                    "declared under top-level 'variables:'", f.tree,
                    ("targets", name, "variables", var)))
    return out


def _reference_in_keys(f: RawFile) -> list[Diagnostic]:
    out = []
    prefixes: list[tuple[Path, Any]] = [(("resources",), f.config.get("resources"))]
    targets = f.config.get("targets")
    for name, target in (targets.items() if isinstance(targets, dict) else ()):
        if isinstance(target, dict):
            prefixes.append((("targets", name, "resources"), target.get("resources")))
    for prefix, resources in prefixes:
        for rtype, group in (resources.items() if isinstance(resources, dict) else ()):
            for key in group if isinstance(group, dict) else ():
                if has_reference(key):
                    out.append(finding("error", f"resource key {key!r} must not contain "
                                       "variable references", f.tree, (*prefix, rtype, key)))
    return out
