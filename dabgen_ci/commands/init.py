"""``dabgen init``: a commented starter ``.dabgen.yml`` and the three example workflows.

Writes ``.dabgen.yml`` (selectors from ``--job``/``--name``/``--tag``/``--path``) and copies
``dabgen.yml`` (comments → pull requests), ``dabgen-sync.yml`` (the scheduled sync) and
``dabgen-review.yml`` (pull request reviews) into ``.github/workflows/``. Existing files are
never overwritten without ``--force``; without it, nothing is written at all.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from dabgen_ci.config.check import check_config_text
from dabgen_ci.config.starter import starter_config
from dabgen_ci.core import paths as confinement
from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.select import parse_tag

WORKFLOWS = ("dabgen.yml", "dabgen-sync.yml", "dabgen-review.yml")
WORKFLOW_DIR = Path(".github") / "workflows"


@click.command("init")
@click.option("--job", "ids", multiple=True, type=click.IntRange(min=1), metavar="ID",
              help="A job id to manage (repeatable).")
@click.option("--name", "names", multiple=True, metavar="GLOB",
              help="Manage jobs whose name matches GLOB (repeatable).")
@click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE",
              help="Manage jobs with this tag (repeatable).")
@click.option("--path", "paths", multiple=True, metavar="FOLDER",
              help="Manage jobs that run code from below this workspace folder.")
@click.option("--dir", "bundle_dir", default="bundle", show_default=True,
              help="The bundle folder, relative to the repository root.")
@click.option("--bundle-name", metavar="NAME", help="The bundle's name (default: its folder).")
@click.option("--repo", "repo", type=click.Path(path_type=Path, file_okay=False), default=".",
              show_default=True, help="The repository root to write into.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(ids: tuple[int, ...], names: tuple[str, ...], tags: tuple[str, ...],
         paths: tuple[str, ...], bundle_dir: str, bundle_name: str | None, repo: Path,
         force: bool) -> None:
    """Write a starter .dabgen.yml and the example workflows into the repository."""
    text = starter_config(ids=ids, names=names, tags=[parse_tag(t) for t in tags],
                          paths=paths, bundle_dir=bundle_dir.strip("/") or ".",
                          bundle_name=bundle_name)
    _, problems = check_config_text(text)
    if problems:  # e.g. a bundle folder or name the schema refuses
        raise BadInputError("; ".join(p.render("--options") for p in problems))
    files = {Path(".dabgen.yml"): text.encode()}
    for name in WORKFLOWS:
        source = resources.files("dabgen_ci.data.workflows").joinpath(name)
        files[WORKFLOW_DIR / name] = source.read_bytes()
    targets = {rel: confinement.write_target(repo, rel.as_posix(), what="file", where=str(repo))
               for rel in files}
    existing = [str(rel) for rel, path in targets.items() if path.exists() or path.is_symlink()]
    if existing and not force:
        raise BadInputError(f"{', '.join(existing)} already exist(s) in {repo}; pass --force "
                            "to overwrite")
    for rel, path in targets.items():
        confinement.confine(repo, rel.parent.as_posix(), what="folder", where=str(repo),
                      allow_self=True).mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            path.unlink()
        confinement.write_file(path, files[rel])
        click.echo(f"wrote {rel}")
    click.echo("Next: set the secrets DATABRICKS_HOST and DATABRICKS_TOKEN, check the file "
               "with `dabgen config check`, commit, and run the `dabgen sync` workflow.")
