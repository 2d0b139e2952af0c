"""Shard artifacts are input too: what they name is read only inside the shard, job ids are
numbers, and JSON is bounded — a tampered artifact is refused with one line (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dabgen_ci.core.sync.state import WorkspaceState
from dabgen_ci.errors import BadInputError
from dabgen_ci.sync_store.shards import read_shards, write_shard
from dabgen_ci.workspace.base import ExportedObject
from tests.core.test_limits import nested


@pytest.fixture
def shard(tmp_path: Path) -> Path:
    obj = ExportedObject("/Users/a/nb", b"# Databricks notebook source\nx = 1\n", "py", True)
    state = WorkspaceState({1: "bundle"}, {1: {"job_id": 1, "settings": {"name": "a"}}},
                           {obj.path: obj}, {}, (1, 1))
    out = tmp_path / "dabgen-shard-1-of-1"
    write_shard(state, out)
    return out


def _edit_index(shard: Path, change) -> None:
    index = json.loads((shard / "shard.json").read_text())
    change(index)
    (shard / "shard.json").write_text(json.dumps(index))


def test_an_intact_shard_reads_back(shard: Path) -> None:
    state = read_shards([shard])
    assert list(state.jobs) == [1] and list(state.exported) == ["/Users/a/nb"]


def test_a_job_id_that_is_a_path_is_refused(shard: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.json").write_text('{"job_id": 1, "settings": {}}')
    _edit_index(shard, lambda ix: ix.update(jobs=["../../outside"]))
    with pytest.raises(BadInputError, match="is not a number"):
        read_shards([shard])


def test_a_source_linked_out_of_the_shard_is_refused(shard: Path, tmp_path: Path) -> None:
    [blob] = (shard / "sources").iterdir()
    (tmp_path / "secret").write_bytes(blob.read_bytes())
    blob.unlink()
    blob.symlink_to(tmp_path / "secret")
    with pytest.raises(BadInputError, match="outside"):
        read_shards([shard])


def test_deep_json_in_a_shard_is_refused(shard: Path) -> None:
    (shard / "jobs" / "1.json").write_text(json.dumps({"job_id": 1, "settings": nested(300)}))
    with pytest.raises(BadInputError, match="nested more than"):
        read_shards([shard])
