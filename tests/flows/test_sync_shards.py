"""Shards: each job fetched by exactly one shard, and the merged shards write the same bytes
as one unsharded run (through the real CLI, the workspace server and the SDK)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dabgen_ci.core.sync.select import shard_of
from tests.commands.cli_support import live_env, run
from tests.flows.sync_support import World

SHARDS = 4


def add_jobs(world: World, count: int) -> list[int]:
    """`count` more jobs that share the demo notebooks, some of them drifted later."""
    template = json.loads((world.snapshot / "jobs" / "1001.json").read_text())
    ids = []
    for n in range(count):
        job = json.loads(json.dumps(template))
        job["job_id"] = 5000 + n * 7
        job["settings"]["name"] = f"Regional ETL {n:02d}"
        world.add_job(job)
        ids.append(job["job_id"])
    return ids


def sync(world: World, checkout: Path, *args: str):
    return run(["sync", "--config", str(checkout / ".dabgen.yml"), *args], live_env(world.server))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_shards_cover_every_job_once_and_merge_to_the_same_bytes(world: World,
                                                                tmp_path: Path) -> None:
    extra = add_jobs(world, 30)
    (world.checkout / ".dabgen.yml").write_text(
        "version: 1\nbundle_dir: bundle\njobs: {ids: [1001, 1002], names: ['Regional*']}\n")
    world.edit_job(1001, lambda s: s.update(max_concurrent_runs=2))
    notebook = world.notebook("sales/01_ingest_orders.py")
    notebook.write_text(notebook.read_text() + "\n# v2\n")
    sharded = tmp_path / "sharded"
    shutil.copytree(world.checkout, sharded)

    single = world.sync()
    assert single.exit_code == 0, single.output

    fetched: list[set[int]] = []
    dirs = []
    for index in range(1, SHARDS + 1):
        out = tmp_path / "artifacts" / f"dabgen-shard-{index}"
        result = sync(world, sharded, "--shard", f"{index}/{SHARDS}", "--shard-out", str(out),
                      "--json")
        assert result.exit_code == 0, result.output
        index_file = json.loads((out / "shard.json").read_text())
        fetched.append(set(index_file["jobs"]))
        assert {int(k) for k in index_file["owner"]} == {1001, 1002, *extra}
        assert all(shard_of(i, SHARDS) == index for i in index_file["jobs"])
        dirs.append(str(out))
    assert sum(len(s) for s in fetched) == len(set().union(*fetched)) == 2 + len(extra)
    assert all(fetched), "every shard got some jobs"
    assert tree(sharded) != tree(world.checkout)  # the shards wrote nothing

    merged = sync(world, sharded, "--merge-shards", *dirs)
    assert merged.exit_code == 0, merged.output
    assert tree(sharded) == tree(world.checkout)
    assert merged.stdout == single.stdout  # the same report, too
    # the parent folder of the shards works as well (actions/download-artifact's layout)
    again = sync(world, sharded, "--merge-shards", "--check", str(tmp_path / "artifacts"))
    assert again.exit_code == 0, again.output


def test_incomplete_or_mixed_shards_are_refused(world: World, tmp_path: Path) -> None:
    outs = []
    for index, count in ((1, 2), (2, 2), (1, 3)):
        out = tmp_path / f"s{index}of{count}"
        assert sync(world, world.checkout, "--shard", f"{index}/{count}", "--shard-out",
                    str(out)).exit_code == 0
        outs.append(str(out))
    missing = sync(world, world.checkout, "--merge-shards", outs[0])
    assert missing.exit_code == 2
    assert "expected shards 1..2 once each, got [1]" in missing.stderr
    mixed = sync(world, world.checkout, "--merge-shards", *outs)
    assert mixed.exit_code == 2 and "shards of different counts" in mixed.stderr
    twice = sync(world, world.checkout, "--merge-shards", outs[0], outs[0], outs[1])
    assert twice.exit_code == 2 and "once each" in twice.stderr
    bad = sync(world, world.checkout, "--shard", "3/2")
    assert bad.exit_code == 2 and "I must be between 1 and N" in bad.stderr
    assert sync(world, world.checkout, str(tmp_path)).exit_code == 2  # dirs need --merge-shards
