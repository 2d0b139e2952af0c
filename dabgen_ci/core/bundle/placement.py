"""Where each exported workspace object lands under ``src/``, as a pure decision.

The local path is the workspace path with the common directory prefix of *all* planned
sources removed (so a notebook going missing does not move every other file), plus the
language extension for notebooks (``.py .sql .scala .r``; ``.ipynb`` for Jupyter, not
doubled for Lakeflow Designer ``*.ipynb`` objects). Files keep their own name. Paths that
would collide on a case-insensitive file system get a ``_2`` suffix and a warning.

Sources a bundle deployed (under ``<root>/files``, :mod:`.deployed`) are placed where they
were in that bundle instead, and do not count towards the common prefix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dabgen_ci.core.bundle.deployed import files_root_of, original_path
from dabgen_ci.core.bundle.sources import SourceRef, canonical_path
from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.paths import lexical_problem
from dabgen_ci.core.workspace_objects import ExportedObject

SRC_DIR = "src"
NOTEBOOK_EXTENSIONS = (".py", ".sql", ".scala", ".r", ".ipynb")


@dataclass
class Placement:
    """``local_paths``: workspace path → bundle-relative path; ``files``: path → bytes;
    ``unplaced``: workspace path → why it has no local copy."""

    local_paths: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    unplaced: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _taken: dict[str, str] = field(default_factory=dict)  # lower-cased local → workspace


@dataclass(frozen=True)
class _Base:
    """How workspace paths map to local ones: the common prefix, and deployment roots."""

    prefix: str
    deployed_roots: tuple[str, ...] = ()


def place_sources(
    sources: Sequence[SourceRef],
    exported: Mapping[str, ExportedObject],
    missing: Mapping[str, str],
    deployed_roots: Iterable[str] = (),
    *,
    prefix: str | None = None,
) -> Placement:
    """``deployed_roots``: roots of the bundle deployments that own the jobs (canonical);
    their sources go where they were in that bundle. ``prefix``: the workspace directory
    that maps to ``src/`` (default: the common directory of the other sources); sync passes
    the one recorded at the first sync, so files stay where they are when jobs come and go."""
    base = placement_base(sources, deployed_roots, prefix=prefix)
    by_canonical = {canonical_path(path): obj for path, obj in sorted(exported.items())}
    missing_canonical = {canonical_path(path): why for path, why in missing.items()}
    out = Placement()
    for ref in sorted(sources, key=lambda s: canonical_path(s.workspace_path)):
        canonical = canonical_path(ref.workspace_path)
        if canonical in missing_canonical:
            out.unplaced[ref.workspace_path] = missing_canonical[canonical] or "not found"
        elif ref.kind == "directory":
            _place_directory(out, ref, canonical, base, by_canonical)
        elif canonical in by_canonical:
            _place_object(out, ref.workspace_path, by_canonical[canonical], base)
        else:
            out.unplaced[ref.workspace_path] = "it was not exported from the workspace"
    return out


def placement_base(sources: Sequence[SourceRef], deployed_roots: Iterable[str] = (), *,
                   prefix: str | None = None) -> _Base:
    """How :func:`place_sources` maps workspace paths for these sources (see there)."""
    roots = tuple(sorted(set(deployed_roots)))
    if prefix is None:
        prefix = common_dir_prefix([canonical_path(s.workspace_path) for s in sources
                                    if files_root_of(s.workspace_path, roots) is None])
    return _Base(prefix, roots)


def common_dir_prefix(paths: Sequence[str]) -> str:
    """Longest common directory of absolute paths (``/a/b/x``, ``/a/c`` → ``/a``)."""
    if not paths:
        return ""
    dirs = [p.split("/")[:-1] for p in paths]
    common = dirs[0]
    for parts in dirs[1:]:
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return "/".join(common)


def _place_directory(
    out: Placement,
    ref: SourceRef,
    canonical: str,
    prefix: _Base,
    by_canonical: Mapping[str, ExportedObject],
) -> None:
    children = [p for p in by_canonical if p.startswith(canonical + "/")]
    if not children:
        out.unplaced[ref.workspace_path] = "nothing under it was exported from the workspace"
        return
    local_dir, problem = _local_base(canonical, prefix)
    if local_dir is None:
        out.unplaced[ref.workspace_path] = problem
        return
    out.local_paths[ref.workspace_path] = local_dir
    for child in children:
        _place_object(out, by_canonical[child].path or child, by_canonical[child], prefix)


def _place_object(out: Placement, workspace_path: str, obj: ExportedObject,
                  prefix: _Base) -> None:
    if workspace_path in out.local_paths:
        return
    named, problem = _with_extension(canonical_path(workspace_path), obj, prefix)
    if named is None:
        out.unplaced[workspace_path] = problem
        return
    local = _unique(out, named, workspace_path)
    refused = lexical_problem(local)  # the extension or a _2 suffix can pass a length limit
    if refused:
        out.unplaced[workspace_path] = f"its path cannot be mapped under src/: {local!r} {refused}"
        return
    out.local_paths[workspace_path] = local
    out.files[local] = obj.content


def local_path(canonical: str, obj: ExportedObject, base: _Base) -> str | None:
    """Where ``obj`` lands when no other object takes its name first (``_unique``);
    ``None`` when it has no local copy."""
    local, _ = _with_extension(canonical, obj, base)
    return local if local is not None and not lexical_problem(local) else None


def name_clash_key(canonical: str, base: _Base) -> str | None:
    """Objects whose local paths could clash (case-insensitively, whatever extension
    their export adds) share this key; ``None`` for a path that cannot be mapped."""
    local, _ = _local_base(canonical, base)
    if local is None:
        return None
    lowered = local.lower()
    for ext in NOTEBOOK_EXTENSIONS:
        if lowered.endswith(ext):
            return lowered[: -len(ext)]
    return lowered


def _with_extension(canonical: str, obj: ExportedObject, base: _Base
                    ) -> tuple[str | None, str]:
    local, problem = _local_base(canonical, base)
    if local is not None and obj.is_notebook and obj.file_type:
        ext = "." + obj.file_type.lower()
        if not (ext == ".ipynb" and local.lower().endswith(ext)):
            local += ext
    return local, problem


def _local_base(canonical: str, base: _Base) -> tuple[str | None, str]:
    """``src/<path below the prefix>`` (a deployed bundle's own path for its sources), or
    None and why the one path rule refuses it."""
    files_root = files_root_of(canonical, base.deployed_roots)
    prefix = base.prefix
    if files_root is not None:
        original = original_path(canonical, files_root)
        if original is None:
            return None, "its path cannot be mapped under src/"
        local = original
    else:
        rel = canonical[len(prefix) :].lstrip("/") if canonical.startswith(prefix) else canonical
        local = f"{SRC_DIR}/{rel.lstrip('/')}"
    problem = lexical_problem(local)
    if problem:
        return None, f"its path cannot be mapped under src/: {local!r} {problem}"
    return local, ""


def _unique(out: Placement, local: str, workspace_path: str) -> str:
    candidate = local
    stem, dot, ext = local.rpartition(".")
    if not dot or "/" in ext:
        stem, dot, ext = local, "", ""
    n = 2
    while candidate.lower() in out._taken:
        candidate = f"{stem}_{n}{dot}{ext}"
        n += 1
    if candidate != local:
        out.diagnostics.append(
            Diagnostic(
                "warning",
                f"{workspace_path} is written to {candidate}: {local} is already taken by "
                f"{out._taken[local.lower()]}",
                file=candidate,
            )
        )
    out._taken[candidate.lower()] = workspace_path
    return candidate
