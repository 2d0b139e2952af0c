"""dabgen's own checks of a loaded bundle (pure: configuration and file names in, findings out).

What each rule checks, and why it is checked on the files as written or on the resolved
target, is said in its module: :mod:`rules_refs` (variables and resource references),
:mod:`rules_jobs` (task keys, dependencies, compute), :mod:`rules_paths` (local files),
:mod:`rules_secrets` (credentials in configuration).
"""

from __future__ import annotations

from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.json_types import JsonMapping
from dabgen_ci.core.secrets import SecretAllowlist
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate.loader import LoadedBundle
from dabgen_ci.validate.located import LocTree
from dabgen_ci.validate.rulebase import finding, unresolved
from dabgen_ci.validate.rules_jobs import check_jobs, check_unique_task_keys
from dabgen_ci.validate.rules_paths import check_paths
from dabgen_ci.validate.rules_refs import (
    check_interpolation_limits,
    check_resource_references,
    check_variable_values,
    check_variables,
)
from dabgen_ci.validate.rules_secrets import NO_ALLOWANCES, check_secrets, may_hold_secret

__all__ = ["check_bundle", "check_target_modes"]

MODES = ("development", "production")


def check_bundle(bundle: LoadedBundle, files: frozenset[str], *, target: str | None = None,
                 notebooks: frozenset[str] | None = None,
                 secrets: SecretAllowlist = NO_ALLOWANCES) -> list[Diagnostic]:
    """All rule findings for ``target`` (already selected; ``None`` when there are none).

    ``files`` are the bundle's files relative to its root (POSIX); ``notebooks`` the subset
    that are notebooks, or ``None`` to skip the notebook-or-file kind checks; ``secrets``
    the false positives the repository accepts.
    """
    variables = bundle.config.get("variables")
    declared = set(variables) if isinstance(variables, dict) else set()
    out: list[Diagnostic] = []
    uses = check_variables(bundle.files, declared)
    out.extend(uses.diagnostics)
    out.extend(check_interpolation_limits(bundle.files))
    for f in bundle.files:
        if may_hold_secret(f.data):  # (a file's bytes can rule the walk of its values out)
            out.extend(check_secrets(f.config, f.tree, secrets))
    out.extend(check_unique_task_keys(bundle.config, bundle.tree))
    out.extend(check_target_modes(bundle.config, bundle.tree))
    try:
        resolved, tree = bundle.resolved(target)
    except BadInputError as exc:  # a target whose overrides clash with the root
        return [*out, finding("error", str(exc), bundle.tree, ("targets", target or ""))]
    out.extend(check_jobs(resolved, tree))
    out.extend(check_resource_references(resolved, tree))
    out.extend(check_variable_values(resolved, tree, uses.referenced, target))
    out.extend(check_paths(resolved, tree, files, notebooks, bundle.file_of(target)))
    return out


def check_target_modes(config: JsonMapping, tree: LocTree | None) -> list[Diagnostic]:
    """``mode`` is development or production; the CLI refuses anything else."""
    out: list[Diagnostic] = []
    targets = config.get("targets")
    for name, target in (targets.items() if isinstance(targets, dict) else ()):
        mode = target.get("mode") if isinstance(target, dict) else None
        if mode is None or unresolved(mode) or mode in MODES:
            continue
        out.append(finding("error", f"target {name!r} has mode {mode!r}; use development or "
                           "production (or leave it out)", tree, ("targets", name, "mode")))
    return out
