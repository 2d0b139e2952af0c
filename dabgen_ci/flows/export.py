"""Download the workspace sources a bundle needs, concurrently and each exactly once.

One ``workspace/export`` (format AUTO) per distinct object, in a bounded thread pool: a
notebook shared by many jobs is fetched once per run. Objects that do not exist are
collected in ``missing`` (the converter reports them against the tasks that use them);
every other workspace error aborts the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from dabgen_ci.core.workspace_objects import DESIGNER_FILE
from dabgen_ci.errors import NotFoundError
from dabgen_ci.progress import Progress
from dabgen_ci.workspace.base import ExportedObject, WorkspaceSource

DEFAULT_PARALLELISM = 8


@dataclass
class ExportResult:
    exported: dict[str, ExportedObject] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


def export_sources(
    source: WorkspaceSource,
    paths: Iterable[str],
    directories: Iterable[str] = (),
    *,
    progress: Progress,
    parallelism: int = DEFAULT_PARALLELISM,
    prefetched: ExportResult | None = None,
) -> ExportResult:
    """Export every path (and every file below each directory) once.

    Paths already in ``prefetched`` are reused, not fetched again.
    """
    result = ExportResult()
    if prefetched is not None:
        result.exported.update(prefetched.exported)
        result.missing.update(prefetched.missing)
    wanted = [p for p in dict.fromkeys(paths) if p not in result.exported]
    for directory in dict.fromkeys(directories):
        try:
            wanted += [
                p for p in _walk(source, directory)
                if p not in wanted and p not in result.exported
            ]
        except NotFoundError as exc:
            result.missing[directory] = str(exc)
    progress.start("export sources", total=len(wanted))
    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        outcomes = pool.map(_export_one(source, progress), wanted)
        for path, outcome in zip(wanted, outcomes, strict=True):
            if isinstance(outcome, ExportedObject):
                result.exported[path] = outcome
            else:
                result.missing[path] = outcome
    detail = f"{len(result.exported)} exported"
    if result.missing:
        detail += f", {len(result.missing)} missing"
    progress.finish("export sources", detail, ok=not result.missing)
    return result


def _export_one(source: WorkspaceSource, progress: Progress):
    def run(path: str) -> ExportedObject | str:
        try:
            return source.export(path)
        except NotFoundError as exc:
            return str(exc)
        finally:
            progress.advance()

    return run


def _walk(source: WorkspaceSource, directory: str) -> list[str]:
    """All non-directory objects below ``directory``, depth first, sorted."""
    found: list[str] = []
    for info in sorted(source.list_dir(directory)):
        if info.object_type == "DIRECTORY":
            found += _walk(source, info.path)
        elif info.object_type in ("NOTEBOOK", "FILE", DESIGNER_FILE):
            found.append(info.path)
    return found
