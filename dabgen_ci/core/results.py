"""What the generate use case returns: typed records every reader shares.

They sit in the core, below the flow that builds them, so the renderers (``core/report.py``:
terminal summary, PR title and body), the bot, the MCP tools and the commands read one
typed value without importing the flow. ``to_dict`` is the JSON contract of
``dabgen generate --json`` and of the MCP tools; nothing else turns the records into dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dabgen_ci.core.bundle.layout import RenderedBundle
from dabgen_ci.core.diagnostics import Diagnostic, has_errors


@dataclass(frozen=True)
class GeneratedJob:
    """One job of a generated bundle: its resource key and where it came from.

    ``job_id`` is ``None`` for a job built from a notebook folder: it has no workspace job
    yet, so there is nothing to bind.
    """

    key: str
    job_id: int | None
    name: str

    @property
    def resource_file(self) -> str:
        return f"resources/{self.key}.job.yml"

    def to_dict(self) -> dict[str, object]:
        return {"key": self.key, "job_id": self.job_id, "name": self.name}


@dataclass(frozen=True)
class GenerateResult:
    """Everything a caller reports: files, diagnostics, round-trip, API calls, timings."""

    out: Path
    bundle_name: str
    jobs: tuple[GeneratedJob, ...] = ()
    files: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    validators_run: tuple[str, ...] = ()
    validators_skipped: Mapping[str, str] = field(default_factory=dict)
    roundtrip: tuple[Diagnostic, ...] = ()
    api_calls: Mapping[str, int] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    rendered: RenderedBundle | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics) and not self.roundtrip

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "out": str(self.out),
            "bundle_name": self.bundle_name,
            "jobs": [job.to_dict() for job in self.jobs],
            "files": list(self.files),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "validators_run": list(self.validators_run),
            "validators_skipped": dict(self.validators_skipped),
            "roundtrip_differences": [d.to_dict() for d in self.roundtrip],
            "api_calls": dict(self.api_calls),
            "timings_seconds": {k: round(v, 3) for k, v in self.timings.items()},
            "notes": list(self.notes),
        }
