"""The drift report: what a sync found, per bundle and per job (pure records).

One model, three renderings: the pull request body and the job summary (Markdown, see
:mod:`dabgen_ci.core.sync.render`) and ``dabgen sync --json`` (:meth:`SyncReport.to_dict`).
Values are kept as plain data here; rendering shortens and redacts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dabgen_ci.core.bundle.merge import ABSENT
from dabgen_ci.core.diagnostics import Diagnostic

ChangeKind = Literal["added", "removed", "renamed", "settings", "sources", "conflict"]
KIND_ORDER: tuple[ChangeKind, ...] = ("added", "removed", "renamed", "settings", "sources",
                                      "conflict")
SourceStatus = Literal["added", "changed", "removed", "conflict"]


@dataclass(frozen=True)
class FieldChange:
    """A field of the job resource (YAML path below the job) and its old and new value."""

    path: str
    old: object
    new: object


@dataclass(frozen=True)
class FieldConflict:
    """Both sides changed ``path`` differently; ``repository`` is kept."""

    path: str
    repository: object
    workspace: object
    base: object
    reason: str = ""


@dataclass(frozen=True)
class SourceChange:
    workspace_path: str
    local: str
    status: SourceStatus
    diff: str = ""  # unified diff, repository → workspace (empty for binary or removed)
    shared_with: tuple[int, ...] = ()  # other jobs that use the same source


@dataclass(frozen=True)
class JobDrift:
    job_id: int
    key: str
    name: str
    file: str
    kinds: tuple[ChangeKind, ...]
    changes: tuple[FieldChange, ...] = ()
    tasks_added: tuple[str, ...] = ()
    tasks_removed: tuple[str, ...] = ()
    sources: tuple[SourceChange, ...] = ()
    conflicts: tuple[FieldConflict, ...] = ()
    kept: int = 0  # fields the repository changed that a deploy will push (not drift)
    note: str = ""  # e.g. what removing the resource does on the next deploy

    def to_dict(self) -> dict[str, object]:
        return {
            "job_id": self.job_id, "key": self.key, "name": self.name, "file": self.file,
            "kinds": list(self.kinds),
            "changes": [{"path": c.path, "old": _plain(c.old), "new": _plain(c.new)}
                        for c in self.changes],
            "tasks_added": list(self.tasks_added), "tasks_removed": list(self.tasks_removed),
            "sources": [{"workspace_path": s.workspace_path, "local": s.local,
                         "status": s.status, "diff": s.diff,
                         "shared_with": list(s.shared_with)} for s in self.sources],
            "conflicts": [{"path": c.path, "repository": _plain(c.repository),
                           "workspace": _plain(c.workspace), "base": _plain(c.base),
                           "reason": c.reason} for c in self.conflicts],
            "kept": self.kept, "note": self.note,
        }


@dataclass(frozen=True)
class BundleReport:
    name: str
    dir: str
    jobs: tuple[JobDrift, ...] = ()
    files_written: tuple[str, ...] = ()
    files_deleted: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    unchanged_jobs: int = 0
    notes: tuple[str, ...] = ()

    @property
    def drifted(self) -> bool:
        """Would sync change the repository? (``--check`` exits 1 when it would.)"""
        return bool(self.files_written or self.files_deleted)

    @property
    def conflicts(self) -> int:
        return sum(len(j.conflicts) for j in self.jobs)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name, "dir": self.dir, "drifted": self.drifted,
            "conflicts": self.conflicts, "unchanged_jobs": self.unchanged_jobs,
            "jobs": [j.to_dict() for j in self.jobs],
            "files_written": list(self.files_written),
            "files_deleted": list(self.files_deleted),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class SyncReport:
    bundles: tuple[BundleReport, ...] = ()
    api_calls: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    shard: tuple[int, int] | None = None

    @property
    def drifted(self) -> bool:
        return any(b.drifted for b in self.bundles)

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": True, "drifted": self.drifted,
            "bundles": [b.to_dict() for b in self.bundles],
            "api_calls": dict(self.api_calls),
            "timings_seconds": {k: round(v, 3) for k, v in self.timings.items()},
        }


def _plain(value: object) -> object:
    """JSON-ready: an absent side is ``null`` in ``--json`` (rendered as *absent*)."""
    return None if value is ABSENT else value
