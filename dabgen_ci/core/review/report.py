"""The review of one change, as data: per bundle its findings and deploy plan (pure).

Every entry point renders the same record: the command line as text or JSON, the action as
a pull-request review, annotations and the job summary. The verdict (``failed``) follows
``fail_on`` alone, so the exit code means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dabgen_ci.core.bundle.roundtrip import ABSENT
from dabgen_ci.core.review.diff import Ranges, on_diff
from dabgen_ci.core.review.findings import Finding, fails, sort_findings
from dabgen_ci.core.review.plan import DeployPlan, FieldChange

MAX_INLINE = 50


@dataclass(frozen=True)
class BundleReview:
    root: str  # the bundle folder, relative to the repository root
    findings: tuple[Finding, ...]  # files relative to the repository root
    plan: DeployPlan
    validators_run: tuple[str, ...] = ()
    validators_skipped: Mapping[str, str] = field(default_factory=dict)
    removed: bool = False  # the change deletes the whole bundle


@dataclass(frozen=True)
class Review:
    base: str  # the revision the change is compared with
    head: str  # the commit reviewed ("" for a work tree)
    bundles: tuple[BundleReview, ...]
    fail_on: str = "error"
    changed: Mapping[str, Ranges] = field(default_factory=dict)  # file → added lines
    risk_summary: str = ""  # the model's, when `review.agent` is on and a key is set

    @property
    def findings(self) -> list[Finding]:
        return sort_findings(f for b in self.bundles for f in b.findings)

    @property
    def failed(self) -> bool:
        return fails(self.findings, self.fail_on)

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)

    def split(self) -> tuple[list[Finding], list[Finding]]:
        """(findings on a line the change added → inline comments, the rest → the body).

        At most :data:`MAX_INLINE` go inline (the most severe first); a flood of comments
        helps nobody, and the body lists the rest.
        """
        inline: list[Finding] = []
        body: list[Finding] = []
        for finding in self.findings:
            fits = len(inline) < MAX_INLINE
            on_line = on_diff(self.changed, finding.file, finding.line)
            (inline if on_line and fits else body).append(finding)
        return inline, body

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": not self.failed, "fail_on": self.fail_on, "base": self.base,
            "head": self.head,
            "errors": self.count("error"), "warnings": self.count("warning"),
            "bundles": [_bundle_dict(b) for b in self.bundles],
            "risk_summary": self.risk_summary or None,
        }


def _bundle_dict(bundle: BundleReview) -> dict[str, object]:
    plan = bundle.plan
    return {
        "root": bundle.root, "removed": bundle.removed,
        "findings": [vars(f) | {"fingerprint": f.fingerprint} for f in bundle.findings],
        "validators_run": list(bundle.validators_run),
        "validators_skipped": dict(bundle.validators_skipped),
        "plan": {"target": plan.target, "skipped": plan.skipped or None,
                 "state": plan.state or None, "jobs": [
            {"kind": j.kind, "key": j.key, "name": j.name, "file": j.file, "job_id": j.job_id,
             "note": j.note or None,
             "changes": [_change_dict(c) for c in j.changes]}
            for j in plan.jobs]},
    }


def _change_dict(change: FieldChange) -> dict[str, object]:
    """A field a deploy changes; ``old``/``new`` are left out where the field is unset."""
    out: dict[str, object] = {"path": change.path, "ui_edit": change.ui_edit}
    if change.old is not ABSENT:
        out["old"] = change.old
    if change.new is not ABSENT:
        out["new"] = change.new
    return out
