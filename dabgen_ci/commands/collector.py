"""Garbage-collector settings for commands that build a whole bundle in memory.

``generate`` keeps nearly everything it allocates until the end (the jobs, each resource
file's value for the validator, the staged files), and CPython's full collections re-scan
every one of those survivors, more often the more there are: at 10,000 jobs ten full
collections took 1.9 s of the run's CPU and freed nothing. Raised thresholds keep the young
collections (a short-lived cycle is still freed) and make full ones rare for the run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Young collections every 10,000 net allocations (CPython: 700), the middle one every 20
#: of those, a full one every 100 middle ones (20 million allocations).
BULK_THRESHOLDS = (10_000, 20, 100)


@contextmanager
def few_full_collections() -> Iterator[None]:
    """Run the block with :data:`BULK_THRESHOLDS`; the previous thresholds come back after."""
    previous = gc.get_threshold()
    gc.set_threshold(*BULK_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
