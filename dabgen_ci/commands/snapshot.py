"""``dabgen snapshot --job ID --out SNAP``: capture jobs and their sources for offline use."""

from __future__ import annotations

from pathlib import Path

import click

from dabgen_ci.commands.options import source_from, source_options
from dabgen_ci.flows.snapshot import take_snapshot
from dabgen_ci.progress import StderrProgress


@click.command()
@click.option("--job", "job_ids", multiple=True, required=True, type=click.IntRange(min=1),
              metavar="ID", help="Job to capture (repeatable).")
@click.option("--out", required=True, metavar="SNAP",
              type=click.Path(path_type=Path, file_okay=False), help="Snapshot directory.")
@click.option("--force", is_flag=True, help="Write into a non-empty directory.")
@source_options
def snapshot(job_ids: tuple[int, ...], out: Path, force: bool, snapshot: Path | None,
             profile: str | None) -> None:
    """Write jobs/<id>.json and the workspace sources they use into SNAP."""
    source = source_from(snapshot, profile)
    result = take_snapshot(source, tuple(dict.fromkeys(job_ids)), out, force=force,
                           progress=StderrProgress())
    for path, reason in sorted(result.missing.items()):
        click.echo(f"warning: {path} not exported: {reason}", err=True)
    click.echo(f"Snapshot written to {out}: {len(result.written)} files"
               + (f", {len(result.missing)} source(s) missing" if result.missing else ""))
