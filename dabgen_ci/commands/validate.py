"""``dabgen validate DIR``: the offline validator (plus the Databricks CLI when available)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dabgen_ci.commands.options import json_option
from dabgen_ci.config.files import read_config
from dabgen_ci.core.diagnostics import count
from dabgen_ci.validate import validate_bundle


@click.command()
@click.argument("bundle_dir", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@click.option("--target", "-t", metavar="NAME", help="Target to validate (default: the default).")
@click.option("--no-cli", is_flag=True, help="Never run `databricks bundle validate`.")
@click.option("--require-cli", is_flag=True, help="Fail when the Databricks CLI cannot run.")
@click.option("--config", "config_file", metavar="FILE", type=click.Path(path_type=Path),
              help="A .dabgen.yml whose secrets.allow applies (as the bot applies it).")
@json_option
def validate(bundle_dir: Path, target: str | None, no_cli: bool, require_cli: bool,
             config_file: Path | None, as_json: bool) -> None:
    """Check a bundle: schema, references, files, task graph, secrets. Exit 1 on errors."""
    run_cli = False if no_cli else (True if require_cli else None)
    secrets = read_config(config_file).secrets if config_file is not None else None
    report = validate_bundle(bundle_dir, target=target, run_cli=run_cli, secrets=secrets)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        for diagnostic in report.diagnostics:
            click.echo(diagnostic.render())
        errors, warnings = count(report.diagnostics), count(report.diagnostics, "warning")
        click.echo(f"{'OK' if report.ok else 'FAILED'}: {errors} error(s), {warnings} "
                   f"warning(s); validators: {', '.join(report.validators_run)}")
        for name, reason in report.validators_skipped.items():
            click.echo(f"skipped {name}: {reason}")
    click.get_current_context().exit(0 if report.ok else 1)

