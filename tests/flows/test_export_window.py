"""Exports are handed to the thread pool a few at a time, in the order asked.

Submitting every export up front kept a future, its condition and a work item alive per
path for the whole download (tens of megabytes at 20,000 notebooks); the window keeps that
bounded without changing what is exported, in which order it is asked, or what a failure does.
"""

from __future__ import annotations

import gc
from concurrent.futures import Future
from pathlib import Path

import pytest

from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.export import _WINDOW, export_sources
from dabgen_ci.progress import NullProgress
from dabgen_ci.workspace.base import ExportedObject
from dabgen_ci.workspace.snapshot import SnapshotSource
from tests.workspace.conftest import PY_NOTEBOOK, write_object

N = 120


def _snapshot(tmp_path: Path) -> tuple[SnapshotSource, list[str]]:
    root = tmp_path / "snap"
    (root / "jobs").mkdir(parents=True)
    paths = []
    for n in range(N):
        write_object(root, f"Shared/nb_{n:03d}.py", PY_NOTEBOOK + f"# {n}\n".encode())
        paths.append(f"/Shared/nb_{n:03d}")
    return SnapshotSource(root), paths


def _live_futures() -> int:
    return sum(isinstance(o, Future) for o in gc.get_objects())


@pytest.mark.parametrize("parallelism", [1, 3])
def test_every_path_once_with_few_futures_alive(tmp_path: Path, parallelism: int) -> None:
    source, paths = _snapshot(tmp_path)
    asked = [*paths, "/Shared/gone"]
    seen: list[str] = []
    alive: list[int] = []
    gc.collect()
    before = _live_futures()  # what earlier tests in this process left behind

    def arrived(path: str, outcome: ExportedObject | str) -> None:
        seen.append(path)
        if len(seen) % 20 == 1:
            alive.append(_live_futures() - before)

    result = export_sources(source, asked, progress=NullProgress(), parallelism=parallelism,
                            on_result=arrived)
    assert sorted(seen) == sorted(asked)
    assert list(result.exported) == paths  # in the order asked
    assert result.exported["/Shared/nb_007"].content.endswith(b"# 7\n")
    assert list(result.missing) == ["/Shared/gone"]
    assert source.calls["workspace/export"] == len(asked)
    # Submitted up front, all 121 futures would be alive at the first arrival.
    assert alive and max(alive) <= parallelism * _WINDOW + 1


def test_with_one_thread_results_arrive_in_the_order_asked(tmp_path: Path) -> None:
    source, paths = _snapshot(tmp_path)
    order = paths[::-1]
    seen: list[str] = []
    export_sources(source, order, progress=NullProgress(), parallelism=1,
                   on_result=lambda path, _: seen.append(path))
    assert seen == order


def test_a_failure_stops_asking(tmp_path: Path) -> None:
    source, paths = _snapshot(tmp_path)
    with pytest.raises(BadInputError, match="is a directory"):
        export_sources(source, ["/Shared", *paths], progress=NullProgress(), parallelism=1)
    assert source.calls["workspace/export"] <= _WINDOW  # not the 121 asked
