"""Download the workspace sources a bundle needs, concurrently and each exactly once.

One ``workspace/export`` (format AUTO) per distinct object, in a bounded thread pool: a
notebook shared by many jobs is fetched once per run. Objects that do not exist are
collected in ``missing`` (the converter reports them against the tasks that use them);
every other workspace error aborts the run.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from dabgen_ci.core.workspace_objects import DESIGNER_FILE
from dabgen_ci.errors import NotFoundError
from dabgen_ci.progress import Progress
from dabgen_ci.workspace.base import ExportedObject, WorkspaceSource

DEFAULT_PARALLELISM = 8
_WINDOW = 4  # exports handed to the pool at a time, per thread

#: Called in the caller's thread as each export arrives: (path, object or why it is missing).
OnResult = Callable[[str, ExportedObject | str], None]


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
    on_result: OnResult | None = None,
) -> ExportResult:
    """Export every path (and every file below each directory) once.

    Paths already in ``prefetched`` are reused, not fetched again. ``on_result`` sees each
    result as it arrives (prefetched ones first), so the caller can work while the rest is
    still downloading; the result itself lists paths in the order they were asked for.
    """
    result = ExportResult()
    if prefetched is not None:
        result.exported.update(prefetched.exported)
        result.missing.update(prefetched.missing)
        if on_result is not None:
            known: list[tuple[str, ExportedObject | str]] = [
                *prefetched.exported.items(), *prefetched.missing.items()]
            for path, outcome in known:
                on_result(path, outcome)
    wanted = [p for p in dict.fromkeys(paths) if p not in result.exported]
    seen = set(wanted)
    for directory in dict.fromkeys(directories):
        try:
            found = [p for p in _walk(source, directory)
                     if p not in seen and p not in result.exported]
        except NotFoundError as exc:
            result.missing[directory] = str(exc)
            continue
        wanted += found
        seen.update(found)
    progress.start("export sources", total=len(wanted))
    outcomes = _export_all(source, wanted, progress, parallelism, on_result)
    for path in wanted:
        outcome = outcomes[path]
        if isinstance(outcome, ExportedObject):
            result.exported[path] = outcome
        else:
            result.missing[path] = outcome
    detail = f"{len(result.exported)} exported"
    if result.missing:
        detail += f", {len(result.missing)} missing"
    progress.finish("export sources", detail, ok=not result.missing)
    return result


def _export_all(source: WorkspaceSource, wanted: list[str], progress: Progress,
                parallelism: int, on_result: OnResult | None
                ) -> dict[str, ExportedObject | str]:
    """Every path's outcome; the first failure leaves the exports not asked yet unasked.

    Only a few exports per thread are handed to the pool at a time (``_WINDOW``), in the
    order of ``wanted``: submitting all of them up front kept a future, a condition and a
    work item alive per path (tens of megabytes at 20,000 notebooks) for no speed-up.
    """
    outcomes: dict[str, ExportedObject | str] = {}
    export = _export_one(source, progress)
    finished: queue.SimpleQueue[Future[ExportedObject | str]] = queue.SimpleQueue()
    asking = iter(wanted)
    in_flight: dict[Future[ExportedObject | str], str] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:

        def ask_next() -> None:
            path = next(asking, None)
            if path is not None:
                future = pool.submit(export, path)
                in_flight[future] = path
                future.add_done_callback(finished.put)

        for _ in range(max(1, parallelism) * _WINDOW):
            ask_next()
        try:
            while in_flight:
                done = finished.get()
                path = in_flight.pop(done)
                outcomes[path] = done.result()
                ask_next()
                if on_result is not None:
                    on_result(path, outcomes[path])
        except BaseException:  # nothing more is asked, and what has not started never is
            for future in in_flight:
                future.cancel()
            raise
    return outcomes


def _export_one(source: WorkspaceSource, progress: Progress
                ) -> Callable[[str], ExportedObject | str]:
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
