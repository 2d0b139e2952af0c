"""Progress reporting: one small interface, rendered differently by each entry point.

Flows call :class:`Progress` methods; the CLI renders them on stderr, the bot renders them
as its tracking comment, tests record them. Flows never print.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol, TextIO


class Progress(Protocol):
    def start(self, step: str, total: int | None = None) -> None:
        """A step begins; ``total`` is the number of items when it is known."""

    def advance(self, n: int = 1) -> None:
        """``n`` more items of the current step are done (thread-safe)."""

    def finish(self, step: str, detail: str = "", *, ok: bool = True) -> None:
        """The step ended, successfully or not, with a one-line detail."""


class NullProgress:
    def start(self, step: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self, step: str, detail: str = "", *, ok: bool = True) -> None:
        pass


@dataclass
class RecordedProgress:
    """Keeps every event: the bot's tracking comment and tests read ``events``."""

    events: list[tuple[str, str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self, step: str, total: int | None = None) -> None:
        with self._lock:
            self.events.append(("start", step, "" if total is None else str(total)))

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self, step: str, detail: str = "", *, ok: bool = True) -> None:
        with self._lock:
            self.events.append(("done" if ok else "failed", step, detail))


class StderrProgress:
    """A one-line counter on a terminal, plain start/finish lines otherwise (CI logs)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._lock = threading.Lock()
        self._step = ""
        self._done = 0
        self._total: int | None = None

    def start(self, step: str, total: int | None = None) -> None:
        with self._lock:
            self._step, self._done, self._total = step, 0, total
            self._write(f"{step}…" + (f" 0/{total}" if total else ""), final=not self._tty)

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self._done += n
            if self._tty and self._total:
                self._write(f"{self._step}… {self._done}/{self._total}", final=False)

    def finish(self, step: str, detail: str = "", *, ok: bool = True) -> None:
        with self._lock:
            mark = "✓" if ok else "✗"
            self._write(f"{mark} {step}" + (f": {detail}" if detail else ""), final=True)

    def _write(self, text: str, *, final: bool) -> None:
        if self._tty:
            self._stream.write("\r\x1b[2K" + text + ("\n" if final else ""))
        else:
            self._stream.write(text + "\n")
        self._stream.flush()


@contextmanager
def timed(timings: dict[str, float], step: str) -> Iterator[None]:
    """Add the wall time of the ``with`` block to ``timings[step]`` (``--json`` reports
    them), whether the block ends normally or not."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = timings.get(step, 0.0) + time.perf_counter() - start
