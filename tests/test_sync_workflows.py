"""The sharded sync workflow: a matrix of fetch jobs, their artifacts, one merging job."""

from __future__ import annotations

from tests.test_packaging import OUR_ACTION, ROOT, load, run_schema, steps, triggers

SHARDED = ROOT / "examples" / "workflows" / "dabgen-sync-sharded.yml"


def test_sharded_workflow_is_valid() -> None:
    proc = run_schema("vendor.github-workflows", SHARDED)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_sharded_workflow_fetches_in_a_matrix_and_merges_once() -> None:
    workflow = load(SHARDED)
    assert set(triggers(workflow)) == {"schedule", "workflow_dispatch"}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    fetch, merge = workflow["jobs"]["fetch"], workflow["jobs"]["sync"]
    shards = fetch["strategy"]["matrix"]["shard"]
    assert shards == [1, 2, 3, 4]
    assert fetch["permissions"] == {"contents": "read"}  # fetching writes nothing
    [ours] = [s for s in steps({"jobs": {"f": fetch}}) if OUR_ACTION.match(s.get("uses", ""))]
    assert ours["with"]["command"] == "sync"
    assert ours["with"]["shard"] == "${{ matrix.shard }}/" + str(len(shards))
    [upload] = [s for s in fetch["steps"] if s.get("uses", "").startswith(
        "actions/upload-artifact")]
    assert upload["with"]["path"] == ours["with"]["shard-out"]
    assert merge["needs"] == "fetch"
    [download] = [s for s in merge["steps"] if s.get("uses", "").startswith(
        "actions/download-artifact")]
    [merging] = [s for s in merge["steps"] if OUR_ACTION.match(s.get("uses", ""))]
    assert merging["with"]["merge-shards"] == download["with"]["path"]
    assert merge["permissions"] == {"contents": "write", "pull-requests": "write",
                                    "issues": "write"}
