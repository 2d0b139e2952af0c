"""``dabgen roundtrip DIR --job ID``: does the bundle still reproduce the workspace job?"""

from __future__ import annotations

import json
from pathlib import Path

import click

from dabgen_ci.commands.options import json_option, source_from, source_options
from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.roundtrip import roundtrip_diagnostics


@click.command()
@click.argument("bundle_dir", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@click.option("--job", "job_ids", multiple=True, required=True, type=click.IntRange(min=1),
              metavar="ID", help="Workspace job to compare with (repeatable).")
@source_options
@json_option
def roundtrip(bundle_dir: Path, job_ids: tuple[int, ...], snapshot: Path | None,
              profile: str | None, as_json: bool) -> None:
    """Compare bundle resources with the live (or snapshot) jobs. Exit 1 on differences."""
    if not (bundle_dir / "databricks.yml").is_file():
        raise BadInputError(f"{bundle_dir} has no databricks.yml; pass a bundle directory")
    source = source_from(snapshot, profile)
    jobs = [source.get_job(job_id) for job_id in dict.fromkeys(job_ids)]
    differences = roundtrip_diagnostics(bundle_dir, jobs)
    if as_json:
        click.echo(json.dumps({"ok": not differences,
                               "differences": [d.to_dict() for d in differences]}, indent=2))
    else:
        for difference in differences:
            click.echo(difference.summary)
        click.echo("OK: no differences" if not differences
                   else f"FAILED: {len(differences)} difference(s)")
    click.get_current_context().exit(0 if not differences else 1)
