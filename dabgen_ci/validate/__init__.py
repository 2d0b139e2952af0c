"""The offline bundle validator behind ``dabgen validate``.

Three validators share one :class:`~dabgen_ci.core.diagnostics.Diagnostic` model: the
bundle JSON schema (``schema``), dabgen's rules (``rules``), and — when a ``databricks``
CLI and credentials are present — ``databricks bundle validate`` itself
(``databricks-cli``). Problems found while reading the files come from ``loader``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dabgen_ci.core.diagnostics import Diagnostic, has_errors
from dabgen_ci.core.secrets import SecretAllowlist
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate import cli_runner, schema
from dabgen_ci.validate.files import BundleFiles, scan_files
from dabgen_ci.validate.loader import LoadedBundle, load_bundle, resolve_target
from dabgen_ci.validate.rules import check_bundle
from dabgen_ci.validate.secret_scan import scan_sources, with_markers
from dabgen_ci.validate.targets import select_target

__all__ = ["LoadedBundle", "ValidationReport", "load_bundle", "resolve_target",
           "validate_bundle"]

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class ValidationReport:
    """What the validators found, which ran, and why any did not."""

    diagnostics: tuple[Diagnostic, ...]
    validators_run: tuple[str, ...]
    validators_skipped: dict[str, str] = field(default_factory=dict)
    target: str | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "target": self.target,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "validators_run": list(self.validators_run),
            "validators_skipped": dict(self.validators_skipped),
        }


def validate_bundle(root: Path, *, target: str | None = None, run_cli: bool | None = None,
                    env: Mapping[str, str] | None = None,
                    secrets: SecretAllowlist | None = None,
                    bundle: LoadedBundle | None = None, found: BundleFiles | None = None,
                    contents: Mapping[str, bytes] | None = None) -> ValidationReport:
    """Validate the bundle in ``root`` for ``target`` (default: the bundle's default target).

    ``run_cli``: ``None`` runs the Databricks CLI when it and credentials are available,
    ``False`` never, ``True`` requires it (an error diagnostic when it is unavailable).
    ``secrets``: the false positives of the secret rule the repository accepts
    (``.dabgen.yml`` ``secrets.allow``); ``dabgen: allow-secret`` markers count always.
    ``bundle``, ``found`` and ``contents`` are what the caller has of ``root`` already
    (it has just written the bundle there): its loaded configuration, its files, and the
    bytes it wrote, which are then not read back.
    Raises :class:`BadInputError` when ``root`` holds no bundle or ``target`` is unknown.
    """
    root = Path(root)
    env = os.environ if env is None else env
    bundle = load_bundle(root, contents) if bundle is None else bundle
    diags = list(bundle.diagnostics)
    for f in bundle.files:
        diags.extend(schema.check_file(f.config, f.tree, f.path))
    run: list[str] = ["schema"]
    skipped: dict[str, str] = {}
    # The configuration files' bytes were read (or handed over) to load them: not again.
    in_hand = {f.path: f.data for f in bundle.files if f.data is not None}
    allow = with_markers(root, [f.path for f in bundle.files], secrets or SecretAllowlist(),
                         {**in_hand, **(contents or {})})
    found = scan_files(root, contents) if found is None else found
    # scan_files lists only files inside the root: no need to resolve each one again
    diags.extend(scan_sources(root, found.files, allow, contents, confined=True))
    name, problem = _select_target(bundle, target)
    if problem is not None:
        diags.append(problem)
        skipped["rules"] = problem.summary
    else:
        diags.extend(check_bundle(bundle, found.files, target=name, notebooks=found.notebooks,
                                  secrets=allow))
        diags.extend(_links_outside(found.links_outside))
        run.append("rules")
    _run_cli(root, name or target, run_cli, env, diags, run, skipped)
    return ValidationReport(tuple(sorted(diags, key=_order)), tuple(run), skipped, name)


def _select_target(bundle: LoadedBundle, target: str | None
                   ) -> tuple[str | None, Diagnostic | None]:
    """An unknown explicit target is bad input; a bundle without a usable default is a
    configuration problem, reported like any other."""
    if target is not None:
        return select_target(bundle.config, target), None
    try:
        return select_target(bundle.config, None), None
    except BadInputError as exc:
        loc = bundle.locate(("targets",))
        return None, Diagnostic("error", str(exc), file=loc.file if loc else None,
                                line=loc.line if loc else None, path="targets",
                                source="rules")


def _run_cli(root: Path, target: str | None, run_cli: bool | None, env: Mapping[str, str],
             diags: list[Diagnostic], run: list[str], skipped: dict[str, str]) -> None:
    if run_cli is False:
        skipped[cli_runner.SOURCE] = "disabled"
        return
    available = cli_runner.detect(env)
    if not available.ok or available.executable is None:
        reason = available.reason or "databricks CLI not on PATH"
        skipped[cli_runner.SOURCE] = reason
        if run_cli:
            diags.append(Diagnostic("error", f"databricks bundle validate is required but "
                                    f"cannot run: {reason}", source=cli_runner.SOURCE))
        return
    diags.extend(cli_runner.run_cli_validate(root, available.executable, target=target,
                                             env=env))
    run.append(cli_runner.SOURCE)


def _links_outside(links: frozenset[str]) -> list[Diagnostic]:
    """A link out of the bundle is not read (its target is not named: it is outside)."""
    return [Diagnostic("warning", f"{rel} is a symbolic link that leads outside the bundle "
                       "root; dabgen does not read it (point the link inside the bundle or "
                       "copy the file in)", file=rel, source="rules")
            for rel in sorted(links)]


def _order(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.file or "", d.line or 0, _SEVERITY_ORDER.get(d.severity, 3), d.path or "",
            d.summary)
