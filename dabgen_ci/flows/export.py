"""Download the workspace sources a bundle needs, concurrently and each exactly once.

One ``workspace/export`` (format AUTO) per distinct object, in a bounded thread pool: a
notebook shared by many jobs is fetched once per run. Objects that do not exist are
collected in ``missing`` (the converter reports them against the tasks that use them);
every other workspace error aborts the run.

An :class:`Exporter` can be asked for paths before the caller knows everything it will
need (``generate`` asks for each job's sources while the job list is still being read), so
the downloads overlap the listing; :func:`export_sources` then delivers every outcome, the
early ones first, without asking any object twice.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import TracebackType

from dabgen_ci.core.bundle.sources import canonical_path
from dabgen_ci.core.workspace_objects import DESIGNER_FILE
from dabgen_ci.errors import NotFoundError
from dabgen_ci.progress import Progress
from dabgen_ci.workspace.base import ExportedObject, WorkspaceSource

DEFAULT_PARALLELISM = 8
_WINDOW = 4  # exports handed to the pool at a time, per thread

#: Called in the caller's thread as each export arrives: (path, object or why it is missing).
OnResult = Callable[[str, ExportedObject | str], None]
Outcome = ExportedObject | str  # the object, or why it is missing


@dataclass
class ExportResult:
    exported: dict[str, ExportedObject] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


class Exporter:
    """One run's exports: a bounded pool, asked path by path, each object at most once.

    Only a few exports per thread are handed to the pool at a time (``_WINDOW``), in the
    order asked: submitting all of them up front kept a future, a condition and a work item
    alive per path (tens of megabytes at 20,000 notebooks) for no speed-up. The first
    failure other than a missing object stops the asking; what has not started never runs.
    Used as a context manager: leaving it waits for the exports already running.
    """

    def __init__(self, source: WorkspaceSource, parallelism: int = DEFAULT_PARALLELISM) -> None:
        self._source = source
        self._window = max(1, parallelism) * _WINDOW
        self._pool = ThreadPoolExecutor(max_workers=max(1, parallelism))
        self._lock = threading.Lock()
        self._todo: deque[str] = deque()  # asked, not handed to the pool yet
        self._asked: dict[str, str] = {}  # canonical path → the spelling asked
        self._in_pool = 0
        self._failure: BaseException | None = None
        self._closed = False
        self._delivered = False
        # Outcomes in the order they finished, until `deliver` hands them over.
        self._finished: queue.SimpleQueue[tuple[str, Outcome | BaseException]] = (
            queue.SimpleQueue())

    def __enter__(self) -> Exporter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Ask nothing more and wait for the exports already running."""
        with self._lock:
            self._closed = True
            self._todo.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def ask(self, paths: Iterable[str]) -> None:
        """Export each path not asked yet (``/Workspace/x`` ≡ ``/x``) in the background.

        Raises the first failure an earlier export met, so a caller still listing jobs
        stops at once instead of after the listing.
        """
        with self._lock:
            if self._failure is not None:
                raise self._failure
            for path in paths:
                canonical = canonical_path(path)
                if canonical not in self._asked:
                    self._asked[canonical] = path
                    self._todo.append(path)
            self._pump()

    def deliver(self, wanted: list[str], progress: Progress,
                on_result: OnResult | None) -> dict[str, Outcome]:
        """Every wanted path's outcome (``wanted`` names each path once), handed to
        ``on_result`` as it is known: outcomes that finished earlier first. Called once.

        A path asked earlier under another spelling of the same object is not exported
        again: its outcome is delivered under the wanted spelling. Paths asked earlier
        that are not wanted and have not started are dropped, and what still waits is
        handed to the pool in the order of ``wanted``.
        """
        spelled: dict[str, list[str]] = {}  # the spelling asked → the wanted spellings
        with self._lock:
            if self._delivered:
                raise RuntimeError("Exporter.deliver is called once")
            self._delivered = True
            for path in wanted:
                canonical = canonical_path(path)
                asked = self._asked.get(canonical)
                if asked is None:
                    asked = self._asked[canonical] = path
                    self._todo.append(path)
                spelled.setdefault(asked, []).append(path)
            first = {asked: n for n, asked in enumerate(spelled)}
            waiting = [path for path in self._todo if path in spelled]
            self._todo = deque(sorted(waiting, key=first.__getitem__))
            self._pump()
        outcomes: dict[str, Outcome] = {}
        while len(outcomes) < len(wanted):
            path, outcome = self._finished.get()
            if isinstance(outcome, BaseException):
                raise outcome
            for name in spelled.get(path, ()):
                if isinstance(outcome, ExportedObject) and outcome.path != name:
                    outcome = outcome._replace(path=name)
                outcomes[name] = outcome
                progress.advance()
                if on_result is not None:
                    on_result(name, outcome)
        return outcomes

    def _pump(self) -> None:
        """Hand waiting paths to the pool up to the window (the lock is held)."""
        while (self._todo and self._in_pool < self._window and self._failure is None
               and not self._closed):
            self._in_pool += 1
            self._pool.submit(self._export, self._todo.popleft())

    def _export(self, path: str) -> None:
        """In a pool thread: one export; its outcome is queued before a failure is
        recorded, so whoever waits for outcomes meets the failure rather than a gap."""
        outcome: Outcome | BaseException
        if self._failure is not None:
            outcome = RuntimeError("not exported after an earlier failure")
        else:
            try:
                outcome = self._source.export(path)
            except NotFoundError as exc:
                outcome = str(exc)
            except BaseException as exc:  # handed to the caller's thread
                outcome = exc
        self._finished.put((path, outcome))
        with self._lock:
            self._in_pool -= 1
            if isinstance(outcome, BaseException) and self._failure is None:
                self._failure = outcome
            self._pump()


def export_sources(
    source: WorkspaceSource,
    paths: Iterable[str],
    directories: Iterable[str] = (),
    *,
    progress: Progress,
    parallelism: int = DEFAULT_PARALLELISM,
    prefetched: ExportResult | None = None,
    on_result: OnResult | None = None,
    exporter: Exporter | None = None,
) -> ExportResult:
    """Export every path (and every file below each directory) once.

    Paths already in ``prefetched`` are reused, not fetched again. ``on_result`` sees each
    result as it arrives (prefetched ones first), so the caller can work while the rest is
    still downloading; the result itself lists paths in the order they were asked for.
    ``exporter`` is one the caller already asked for some of the paths (see
    :class:`Exporter`); without one, a pool is made for this call.
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
    if exporter is None:
        with Exporter(source, parallelism) as own:
            outcomes = own.deliver(wanted, progress, on_result)
    else:
        outcomes = exporter.deliver(wanted, progress, on_result)
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


def _walk(source: WorkspaceSource, directory: str) -> list[str]:
    """All non-directory objects below ``directory``, depth first, sorted."""
    found: list[str] = []
    for info in sorted(source.list_dir(directory)):
        if info.object_type == "DIRECTORY":
            found += _walk(source, info.path)
        elif info.object_type in ("NOTEBOOK", "FILE", DESIGNER_FILE):
            found.append(info.path)
    return found
