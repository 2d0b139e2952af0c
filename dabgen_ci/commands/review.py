"""``dabgen review [--base REF] [--json]``: review the bundles a checkout's change touches.

The change is the work tree (committed or not) against where it forked from ``--base``
(default: the remote's default branch). Exit 0 when the review passes, 1 when findings
reach `review.fail_on` of `.dabgen.yml` (read from the base), 2 on bad input. Inside GitHub
Actions the findings are also printed as `::error`/`::warning` annotations.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import click

from dabgen_ci.commands.options import json_option
from dabgen_ci.core.review.render import review_annotations
from dabgen_ci.core.review.report import Review
from dabgen_ci.core.review.text import review_text
from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.review.config import config_at
from dabgen_ci.flows.review.flow import ReviewRequest, run_review
from dabgen_ci.git import GitError, GitRepo
from dabgen_ci.workspace import open_source, workspace_configured
from dabgen_ci.workspace.base import WorkspaceSource

DEFAULT_BASES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")


@click.command()
@click.option("--base", metavar="REF",
              help="Revision the change goes into (default: origin/HEAD, else main).")
@json_option
def review(base: str | None, as_json: bool) -> None:
    """Review the bundles this change touches: checks, lint, deploy plan. Exit 1 on failure."""
    ctx = click.get_current_context()
    if as_json and isinstance(ctx.obj, dict):
        ctx.obj["json"] = True
    result = review_checkout(Path.cwd(), base)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        click.echo(review_text(result))
        if os.environ.get("GITHUB_ACTIONS") == "true":
            click.echo("\n".join(review_annotations(result)))
    ctx.exit(1 if result.failed else 0)


def review_checkout(cwd: Path, base: str | None) -> Review:
    repo = GitRepo(_toplevel(cwd))
    rev = base or _default_base(repo)
    if repo.resolve(rev) is None:
        raise BadInputError(f"--base {rev}: no such revision here (fetch it first)")
    config = config_at(repo, rev)
    request = ReviewRequest(
        repo, rev, config, date.today(), head=None, fail_on=config.review.fail_on,
        run_cli={"always": True, "never": False}.get(config.validation_cli),
        open_source=_source if workspace_configured(os.environ) else None,
        log=lambda message: click.echo(message, err=True))
    return run_review(request)


def _source() -> WorkspaceSource:
    return open_source(snapshot=None, profile=None)


def _default_base(repo: GitRepo) -> str:
    found = next((ref for ref in DEFAULT_BASES if repo.resolve(ref)), None)
    if found is None:
        raise BadInputError("no base to compare with: pass --base REF (e.g. origin/main)")
    return found


def _toplevel(cwd: Path) -> Path:
    try:
        return GitRepo(cwd).toplevel()
    except GitError:
        raise BadInputError(f"{cwd} is not inside a git repository; `dabgen review` reviews "
                            "a checkout") from None
