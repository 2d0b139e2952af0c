"""``dabgen config check [FILE]``: every problem of a ``.dabgen.yml``, each with its line."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dabgen_ci.commands.options import json_option
from dabgen_ci.config.check import check_config_text
from dabgen_ci.config.files import read_config_text


@click.group("config")
def config() -> None:
    """Work with .dabgen.yml."""


@config.command("check")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False), default=".dabgen.yml",
                metavar="[FILE]")
@json_option
def check(path: Path, as_json: bool) -> None:
    """Validate FILE (default .dabgen.yml); print every problem with its line (exit 1)."""
    _, problems = check_config_text(read_config_text(path), str(path))
    if as_json:
        click.echo(json.dumps({"ok": not problems, "file": str(path), "problems": [
            {"line": p.line, "path": p.path, "message": p.message} for p in problems]},
            indent=2))
    elif problems:
        for problem in problems:
            click.echo(problem.render(str(path)))
        click.echo(f"{len(problems)} problem(s)", err=True)
    else:
        click.echo(f"{path}: ok")
    click.get_current_context().exit(1 if problems else 0)
