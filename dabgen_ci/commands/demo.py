"""``dabgen demo``: a sample job becomes a validated bundle on a local branch, with PR text."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dabgen_ci.commands.options import json_option
from dabgen_ci.core.report import render_summary
from dabgen_ci.flows.demo import run_demo
from dabgen_ci.progress import NullProgress, StderrProgress


@click.command()
@click.option("--out", default=Path("dabgen-demo"), show_default=True, metavar="DIR",
              type=click.Path(path_type=Path, file_okay=False),
              help="Git repository to create (must be new or empty).")
@click.option("--force", is_flag=True, help="Re-run in a directory an earlier demo created.")
@json_option
def demo(out: Path, force: bool, as_json: bool) -> None:
    """Run dabgen on the sample workspace shipped in the package: no network, no credentials."""
    result = run_demo(out, force=force, progress=NullProgress() if as_json else StderrProgress())
    if as_json:
        click.echo(json.dumps({**result.generate.to_dict(), "repo": str(result.repo),
                               "branch": result.branch, "commit": result.commit,
                               "pr": {"title": result.title, "body": result.body}},
                              indent=2, default=str))
    else:
        click.echo(render_summary(result.generate))
        committed = (f"committed {result.commit[:12]}" if result.commit
                     else "already up to date, nothing committed")
        click.echo(f"\nBranch {result.branch} in {result.repo}: {committed}")
        click.echo("\nThe pull request dabgen would open:\n")
        click.echo(f"# {result.title}\n")
        click.echo(result.body)
    click.get_current_context().exit(0 if result.generate.ok else 1)
