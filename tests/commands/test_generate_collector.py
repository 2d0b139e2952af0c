"""``generate`` runs with few full garbage collections, and puts the settings back."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

import dabgen_ci.commands.generate as generate_command
from dabgen_ci.commands.collector import BULK_THRESHOLDS, few_full_collections
from dabgen_ci.flows.generate import generate_jobs
from tests.commands.cli_support import live_env, run_json
from tests.servers.workspace_server import WorkspaceServer


def test_thresholds_raised_inside_and_restored_after_an_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(KeyError), few_full_collections():
        assert gc.get_threshold() == BULK_THRESHOLDS
        raise KeyError("boom")
    assert gc.get_threshold() == before


def test_generate_runs_with_bulk_thresholds(workspace: WorkspaceServer, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int, int]] = []

    def observed(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_threshold())
        return generate_jobs(*args, **kwargs)

    monkeypatch.setattr(generate_command, "generate_jobs", observed)
    before = gc.get_threshold()
    code, report = run_json(["generate", "job", "1001", "--out", str(tmp_path / "b")],
                            live_env(workspace))
    assert code == 0, report
    assert seen == [BULK_THRESHOLDS]
    assert gc.get_threshold() == before
