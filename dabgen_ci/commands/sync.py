"""``dabgen sync``: keep the checkout's bundles in step with the workspace.

Regenerates what ``.dabgen.yml`` manages into the working tree (a three-way merge that keeps
the repository's own edits) and prints the drift report. ``--check`` writes nothing and
exits 1 when the workspace has drifted (a CI gate). ``--shard I/N`` only fetches one slice
of the workspace into an artifact directory; ``--merge-shards DIR...`` syncs from them.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click

from dabgen_ci.commands.options import json_option, source_from, source_options
from dabgen_ci.core.sync.render import RenderOptions, render_all
from dabgen_ci.core.sync.select import parse_shard
from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.sync.flow import (
    SyncOptions,
    SyncResult,
    fetch_shard,
    run_sync,
    sync_from_state,
)
from dabgen_ci.progress import NullProgress, Progress, StderrProgress
from dabgen_ci.sync_store.shards import default_shard_dir, read_shards, write_shard

DRIFT = 1


@click.command("sync")
@click.argument("shard_dirs", nargs=-1, type=click.Path(path_type=Path, file_okay=False,
                                                          exists=True), metavar="[DIR ...]")
@click.option("--config", "config_path", default=".dabgen.yml", show_default=True,
              metavar="FILE", help="The configuration; bundle folders are relative to its "
                                   "folder.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when the workspace has drifted, 0 when not.")
@click.option("--shard", "shard_text", metavar="I/N",
              help="Only fetch shard I of N (stable by job id) into --shard-out.")
@click.option("--shard-out", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
              help="Where --shard writes its result (default: dabgen-shard-I-of-N).")
@click.option("--merge-shards", is_flag=True,
              help="Sync from the shard directories given as arguments instead of fetching.")
@click.option("--bundle", "only", multiple=True, metavar="NAME",
              help="Sync only this bundle of .dabgen.yml (repeatable).")
@click.option("--no-validate", is_flag=True, help="Skip offline validation after writing.")
@click.option("--parallelism", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Concurrent workspace exports.")
@json_option
@source_options
def sync(shard_dirs: tuple[Path, ...], config_path: str, check: bool, shard_text: str | None,
         shard_out: Path | None, merge_shards: bool, only: tuple[str, ...], no_validate: bool,
         parallelism: int, as_json: bool, snapshot: Path | None, profile: str | None) -> None:
    """Keep the bundles of .dabgen.yml in step with the workspace; print the drift report."""
    if shard_dirs and not merge_shards:
        raise BadInputError("directories are only taken with --merge-shards")
    if merge_shards and shard_text:
        raise BadInputError("--shard and --merge-shards are separate steps; give one")
    config = Path(config_path)
    options = SyncOptions(root=config.parent if config.parent != Path() else Path.cwd(),
                          config_path=config.name, check=check, only=only,
                          parallelism=parallelism, validate=not no_validate)
    progress: Progress = NullProgress() if as_json else StderrProgress()
    ctx = click.get_current_context()
    if shard_text:
        ctx.exit(_fetch_shard(parse_shard(shard_text), shard_out, options, snapshot, profile,
                              progress, as_json))
    if merge_shards:
        state = read_shards(shard_dirs or (Path.cwd(),))
        result = sync_from_state(state, options, progress)
    else:
        result = run_sync(source_from(snapshot, profile), options, progress)
    ctx.exit(_finish(result, check, as_json))


def _fetch_shard(shard: tuple[int, int], out: Path | None, options: SyncOptions,
                 snapshot: Path | None, profile: str | None, progress: Progress,
                 as_json: bool) -> int:
    source = source_from(snapshot, profile)
    state = fetch_shard(source, options, shard, progress)
    target = out or default_shard_dir(shard)
    write_shard(state, target)
    summary = {"ok": True, "shard": list(shard), "out": str(target), "jobs": len(state.jobs),
               "managed_jobs": len(state.owner), "sources": len(state.exported),
               "api_calls": dict(sorted(source.calls.items()))}
    click.echo(json.dumps(summary, indent=2) if as_json else
               f"shard {shard[0]}/{shard[1]}: {len(state.jobs)} of {len(state.owner)} managed "
               f"job(s), {len(state.exported)} source(s) → {target}")
    return 0


def _finish(result: SyncResult, check: bool, as_json: bool) -> int:
    if as_json:
        start = time.perf_counter()
        payload = result.report.to_dict()
        timings = payload["timings_seconds"]
        assert isinstance(timings, dict)
        timings["report"] = round(time.perf_counter() - start, 3)
        payload["check"] = check
        click.echo(json.dumps(payload, indent=2, default=str))
    else:
        click.echo(render_all(result.report.bundles, _render_options()))
    if check:
        return DRIFT if result.drifted else 0
    return 0 if result.valid else 1


def _render_options() -> RenderOptions:
    from dabgen_ci.core.redact import Redactor
    from dabgen_ci.validate.rules_secrets import sensitive_name

    return RenderOptions(redact=Redactor.from_env(os.environ), sensitive=sensitive_name)
