"""Sources in a sync: where each lands under ``src/`` and the three-way rule per file (pure).

Placement is the generator's (:func:`~dabgen_ci.core.bundle.placement.place_sources`) with
the workspace folder recorded at the first sync as the root of ``src/``, and a source the
base record knows keeps its recorded local path: files never move because other jobs came
or went. The merge compares content hashes (:func:`~dabgen_ci.core.bundle.merge.merge_file`);
only sources whose workspace content differs from the base need the repository's copy.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dabgen_ci.core.bundle.merge import merge_file
from dabgen_ci.core.bundle.placement import common_dir_prefix, place_sources
from dabgen_ci.core.bundle.sources import SourceRef, canonical_path, workspace_refs
from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.json_types import JsonMapping
from dabgen_ci.core.sync.base import BaseRecord, SourceRecord, sha256
from dabgen_ci.core.sync.report import SourceStatus
from dabgen_ci.core.workspace_objects import ExportedObject

DIFF_LINES = 80
DIFF_CHARS = 6_000


@dataclass(frozen=True)
class TheirsSource:
    workspace_path: str
    local: str
    content: bytes
    sha256: str


@dataclass(frozen=True)
class SourceLayout:
    prefix: str
    sources: Mapping[str, TheirsSource]  # canonical workspace path → exported object
    locals_by_path: Mapping[str, str]  # canonical workspace path (folders too) → local path
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class SourceVerdict:
    canonical: str
    workspace_path: str
    local: str
    status: SourceStatus
    diff: str = ""


@dataclass
class SourceOutcome:
    writes: dict[str, bytes] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)
    verdicts: list[SourceVerdict] = field(default_factory=list)
    records: dict[str, SourceRecord] = field(default_factory=dict)


def layout_sources(refs: Sequence[SourceRef], exported: Mapping[str, ExportedObject],
                   missing: Mapping[str, str], base: BaseRecord) -> SourceLayout:
    prefix = base.src_prefix
    if prefix is None:
        prefix = common_dir_prefix([canonical_path(r.workspace_path) for r in refs])
    placement = place_sources(refs, exported, missing, prefix=prefix)
    taken = {rec.local.lower(): path for path, rec in base.sources.items()}
    sources: dict[str, TheirsSource] = {}
    locals_by_path: dict[str, str] = {}
    for workspace_path, local in sorted(placement.local_paths.items()):
        canonical = canonical_path(workspace_path)
        known = base.sources.get(canonical)
        final = known.local if known else _free(local, canonical, taken)
        locals_by_path[canonical] = final
        if local in placement.files:
            content = placement.files[local]
            sources[canonical] = TheirsSource(workspace_path, final, content, sha256(content))
    return SourceLayout(prefix, sources, locals_by_path, tuple(placement.diagnostics))


def source_refs(jobs: Mapping[int, JsonMapping]) -> list[SourceRef]:
    """One ref per workspace source (``/Workspace/x`` ≡ ``/x``) of the jobs, in path order;
    ``referenced_by`` lists the ids of the jobs that use it."""
    merged: dict[str, SourceRef] = {}
    for job_id in sorted(jobs):
        for ref in workspace_refs(jobs[job_id].get("settings") or {}):
            canonical = canonical_path(ref.workspace_path)
            known = merged.get(canonical, SourceRef(ref.workspace_path, ref.kind, ()))
            merged[canonical] = SourceRef(known.workspace_path, known.kind,
                                          (*known.referenced_by, str(job_id)))
            if known.referenced_by and known.referenced_by[-1] == str(job_id):
                merged[canonical] = known  # a job using a source twice counts once
    return [merged[k] for k in sorted(merged)]


def files_to_read(layout: SourceLayout, base: BaseRecord) -> list[str]:
    """Local paths whose repository content the merge needs: sources whose workspace
    content is not what the base recorded, and recorded sources no job uses any more."""
    wanted = [s.local for c, s in layout.sources.items()
              if (rec := base.sources.get(c)) is None or rec.sha256 != s.sha256]
    wanted += [rec.local for c, rec in base.sources.items() if c not in layout.sources]
    return sorted(set(wanted))


def merge_sources(layout: SourceLayout, base: BaseRecord, ours: Mapping[str, bytes | None],
                  *, keep: set[str], skip: set[str]) -> SourceOutcome:
    """Decide every source. ``ours`` holds the files :func:`files_to_read` asked for;
    ``keep``: local paths something in the repository still uses; ``skip``: excluded."""
    out = SourceOutcome()
    for canonical, theirs in sorted(layout.sources.items()):
        record = base.sources.get(canonical)
        out.records[canonical] = SourceRecord(theirs.local, theirs.sha256)
        if theirs.local in skip:
            if record is not None:
                out.records[canonical] = record
            continue
        if record is not None and record.sha256 == theirs.sha256:
            continue
        current = ours.get(theirs.local)
        # Never synced: the repository's copy (if any) is the base.
        decision = merge_file(record.sha256 if record else _hash(current),
                              _hash(current), theirs.sha256)
        if decision in ("adopt", "conflict"):
            status: SourceStatus = "conflict" if decision == "conflict" else (
                "added" if current is None else "changed")
            if decision == "adopt":
                out.writes[theirs.local] = theirs.content
            out.verdicts.append(SourceVerdict(
                canonical, theirs.workspace_path, theirs.local, status,
                "" if current is None else unified_diff(current, theirs.content, theirs.local)))
    for canonical, record in sorted(base.sources.items()):
        if canonical in layout.sources or record.local in skip:
            continue
        current = ours.get(record.local)
        if current is not None and sha256(current) == record.sha256 \
                and record.local not in keep:
            out.deletes.append(record.local)
            out.verdicts.append(SourceVerdict(canonical, canonical, record.local, "removed"))
    return out


def unified_diff(old: bytes, new: bytes, local: str) -> str:
    """Repository → workspace, capped; binary content is only named."""
    try:
        before, after = old.decode("utf-8"), new.decode("utf-8")
    except UnicodeDecodeError:
        return f"(binary file {local} changed: {len(old)} → {len(new)} bytes)"
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(),
                                      f"a/{local}", f"b/{local}", lineterm="", n=2))
    shown = lines[:DIFF_LINES]
    text = "\n".join(shown)
    if len(shown) < len(lines) or len(text) > DIFF_CHARS:
        text = text[:DIFF_CHARS] + f"\n… ({len(lines) - len(shown)} more diff lines not shown)"
    return text


def _hash(content: bytes | None) -> str | None:
    return None if content is None else sha256(content)


def _free(local: str, canonical: str, taken: dict[str, str]) -> str:
    """``local``, or ``local`` with ``_2``… when a recorded source of another path has it."""
    candidate, n = local, 2
    stem, dot, ext = local.rpartition(".")
    if not dot or "/" in ext:
        stem, dot, ext = local, "", ""
    while taken.get(candidate.lower(), canonical) != canonical:
        candidate = f"{stem}_{n}{dot}{ext}"
        n += 1
    taken[candidate.lower()] = canonical
    return candidate
