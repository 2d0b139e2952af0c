"""``dabgen demo``: the main job end to end on the sample workspace shipped in the package.

Initialises a git repository, generates a bundle from every sample job into ``bundle/`` on
branch ``dabgen/demo``, validates it, commits it as the bot would, and returns what the
pull request would say. Re-running with ``--force`` in the same directory regenerates on
the same branch and commits only when something changed, as the bot does.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dabgen_ci.core.report import pr_body, pr_title
from dabgen_ci.core.results import GenerateResult
from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
from dabgen_ci.flows.select import JobSelection
from dabgen_ci.git import GitRepo
from dabgen_ci.progress import Progress
from dabgen_ci.workspace.snapshot import SnapshotSource

BRANCH = "dabgen/demo"
BUNDLE_DIR = "bundle"
README = """# dabgen demo repository

Created by `dabgen demo`. Branch `dabgen/demo` holds the bundle generated from the sample
workspace; compare it with `main` to see what a dabgen pull request adds:

    git diff main dabgen/demo --stat
"""


@dataclass
class DemoResult:
    repo: Path
    branch: str
    commit: str | None
    generate: GenerateResult
    title: str
    body: str


@contextmanager
def demo_snapshot() -> Iterator[Path]:
    """The sample workspace snapshot inside the installed package."""
    with resources.as_file(resources.files("dabgen_ci") / "data" / "demo_workspace") as path:
        yield Path(path)


def run_demo(out: Path, *, force: bool, progress: Progress) -> DemoResult:
    created = not out.exists() or not any(out.iterdir())
    try:
        repo = _prepare_repo(out, force=force)
        with demo_snapshot() as snapshot:
            result = generate_jobs(
                SnapshotSource(snapshot),
                JobSelection(all=True),
                GenerateOptions(out=out / BUNDLE_DIR, force=True, bundle_name="dabgen_demo"),
                progress,
            )
        progress.start("commit")
        sha = repo.commit(
            f"dabgen: bundle for {len(result.jobs)} jobs from the sample workspace",
            paths=[BUNDLE_DIR],
        )
        progress.finish("commit", f"{sha[:12]} on {BRANCH}" if sha else "already up to date")
    except BaseException:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return DemoResult(
        repo=out, branch=BRANCH, commit=sha, generate=result,
        title=pr_title(result), body=pr_body(result, bundle_dir=BUNDLE_DIR),
    )


def _prepare_repo(out: Path, *, force: bool) -> GitRepo:
    if out.exists() and any(out.iterdir()):
        if not force:
            raise BadInputError(
                f"{out} is not empty; choose another --out or pass --force to re-run the "
                "demo in a directory an earlier `dabgen demo` created"
            )
        if not (out / ".git").is_dir() or not (out / BUNDLE_DIR).is_dir():
            raise BadInputError(f"{out} was not created by `dabgen demo`; refusing to touch it")
        repo = GitRepo(out)
        repo.checkout_new_branch_from(BRANCH, BRANCH)
        return repo
    repo = GitRepo.init(out, "main")
    (out / "README.md").write_text(README, encoding="utf-8")
    repo.commit("Initial commit")
    repo.checkout_new_branch_from("main", BRANCH)
    return repo
