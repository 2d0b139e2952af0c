"""One record for everything a review reports about a bundle: lint and validator findings.

Validators speak :class:`~dabgen_ci.core.diagnostics.Diagnostic`; lint rules add an id
(``DAB001``…) and a one-line fix hint. A review shows both side by side, positions them on
the diff and decides the exit code from them, so both become a :class:`Finding`. Files are
relative to the repository root once the flow has placed the bundle in the repository.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace

from dabgen_ci.core.diagnostics import Diagnostic, Severity

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
FAIL_ON = ("error", "warning", "never")
# Where a finding came from, for the summary table: lint rules have ids, validators names.
CATEGORIES = ("Validation", "Databricks CLI", "Secrets", "Lint")


@dataclass(frozen=True)
class Finding:
    """A finding located as precisely as its producer could (file, line, YAML path)."""

    rule: str  # a lint id (DAB001) or the validator that produced it (schema, rules, ...)
    severity: Severity
    message: str
    hint: str = ""
    file: str | None = None
    line: int | None = None
    path: str | None = None

    @property
    def is_lint(self) -> bool:
        return self.rule.startswith("DAB")

    @property
    def category(self) -> str:
        if self.is_lint:
            return "Lint"
        if self.rule == "databricks-cli":
            return "Databricks CLI"
        if self.rule == "secrets":
            return "Secrets"
        return "Validation"

    @property
    def fingerprint(self) -> str:
        """Stable across pushes that only move the finding: rule, file and YAML path, not the
        line. A finding without a path (a loader error, some CLI findings) is told apart
        from its twins by message and line instead."""
        anchor = self.path or f"{self.message}\x1f{self.line or 0}"
        text = "\x1f".join((self.rule, self.file or "", anchor))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def located(self, prefix: str) -> Finding:
        """The finding with its bundle-relative file placed under ``prefix`` in the repo."""
        if not self.file or not prefix or prefix == ".":
            return self
        return replace(self, file=f"{prefix.rstrip('/')}/{self.file}")

    def render(self) -> str:
        """One line: ``warning DAB003 bundle/x.yml:12: message``."""
        where = ""
        if self.file:
            where = f" {self.file}:{self.line}:" if self.line else f" {self.file}:"
        return f"{self.severity} {self.rule}{where} {self.message}"


def from_diagnostic(diagnostic: Diagnostic, *, secret: bool = False) -> Finding:
    """A validator's diagnostic as a finding (``secret``: it came from the secret scan)."""
    rule = "secrets" if secret else diagnostic.source
    return Finding(rule, diagnostic.severity, diagnostic.summary, diagnostic.detail,
                   diagnostic.file, diagnostic.line, diagnostic.path)


def fails(findings: Iterable[Finding], fail_on: str) -> bool:
    """Whether ``findings`` make the review fail: any at ``fail_on`` severity or worse."""
    if fail_on == "never":
        return False
    limit = SEVERITY_RANK["warning" if fail_on == "warning" else "error"]
    return any(SEVERITY_RANK.get(f.severity, 9) <= limit for f in findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_RANK.get(f.severity, 9), f.file or "",
                                           f.line or 0, f.rule, f.message))
