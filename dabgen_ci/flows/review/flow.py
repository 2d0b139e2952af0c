"""Review a change to bundles: what would merging and deploying it do? (one use case, three
entry points: `dabgen review`, the action on `pull_request`, `/dabgen review` on a PR).

Read top to bottom: find where the change forked from the base (``git merge-base``) → the
files it changed → the bundles those files belong to (a folder with ``databricks.yml``, in
the change or in the base) → per bundle: validate, scan for secrets, lint, and plan a
deploy of the production target against the live workspace (read only; skipped with a
reason when there are no credentials or the change comes from a fork) → the lines the
change added, so findings there become inline comments → optionally the model's risk
summary. Nothing here writes to git, GitHub or the workspace: publishing is the caller's.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Protocol

from dabgen_ci.config import Config
from dabgen_ci.core.review.diff import ChangedFile, Ranges, bundle_roots
from dabgen_ci.core.review.facts import RemovedJob
from dabgen_ci.core.review.lint import removal_findings
from dabgen_ci.core.review.plan import DeployPlan
from dabgen_ci.core.review.report import BundleReview, Review
from dabgen_ci.core.review.rules import LintOptions
from dabgen_ci.errors import BadInputError, WorkspaceError
from dabgen_ci.flows.review.bundle import BaseBundle, base_bundle, check_bundle
from dabgen_ci.flows.review.config import removal_intended
from dabgen_ci.flows.review.plan import deploy_plan, removal_plan
from dabgen_ci.git import GitRepo
from dabgen_ci.validate.loader import ROOT_FILE_NAMES
from dabgen_ci.workspace.base import WorkspaceSource

REVIEWED_SUFFIXES = (".yml", ".yaml", ".json")


@dataclass(frozen=True)
class RiskRequest:
    """What the model reads to summarise the risk of a change (all of it untrusted data)."""

    repo_root: Path
    review: Review
    diff: str


class RiskSummarizer(Protocol):
    def summarize(self, request: RiskRequest) -> str: ...


@dataclass(frozen=True)
class ReviewRequest:
    repo: GitRepo
    base: str  # the revision the change goes into (a branch ref or a sha)
    config: Config  # from the base revision: a change cannot relax its own review
    today: date
    head: str | None = None  # a commit checked out in `repo`; None: the work tree
    fail_on: str = "error"
    run_cli: bool | None = None
    open_source: Callable[[], WorkspaceSource] | None = None  # None: no credentials
    skip_plan: str = ""  # why the workspace must not be read at all (e.g. a fork)
    summarizer: RiskSummarizer | None = None
    log: Callable[[str], None] = lambda _: None


def run_review(request: ReviewRequest) -> Review:
    repo = request.repo
    fork_point = repo.merge_base(request.base, request.head or "HEAD")
    changes = repo.changed_files(fork_point, request.head)
    roots = touched_bundles(repo, fork_point, changes)
    request.log(f"review: {len(changes)} changed file(s), bundle(s): {', '.join(roots) or 'none'}")
    source, skip = _workspace(request) if roots else (None, request.skip_plan)
    bundles = tuple(_review_bundle(request, fork_point, root, source, skip) for root in roots)
    review = Review(request.base, request.head or "", bundles, request.fail_on,
                    _added_lines(repo, fork_point, request.head, changes, roots))
    if request.summarizer is not None and request.config.review.agent and bundles:
        diff = repo.diff_text(fork_point, request.head, roots)
        review = replace(review, risk_summary=request.summarizer.summarize(
            RiskRequest(repo.path, review, diff)))
    return review


def touched_bundles(repo: GitRepo, fork_point: str, changes: Iterable[ChangedFile]) -> list[str]:
    """Bundle folders holding a changed file, now or in the base (a deleted bundle too)."""
    paths = [p for c in changes for p in (c.path, c.old_path) if p]
    folders = {posixpath.dirname(p) or "." for p in paths}
    for folder in list(folders):
        while folder not in (".", ""):
            folder = posixpath.dirname(folder) or "."
            folders.add(folder)
    has_root = {f: _has_root_file(repo, fork_point, f) for f in folders}
    return bundle_roots(paths, has_root)


def _has_root_file(repo: GitRepo, rev: str, folder: str) -> bool:
    """A bundle root file in ``folder``, now or at ``rev`` (a folder name git takes but
    dabgen refuses to read — `.git`, a device name — holds no bundle dabgen reviews)."""
    for name in ROOT_FILE_NAMES:
        rel = name if folder == "." else f"{folder}/{name}"
        try:
            if (repo.path / rel).is_file() or repo.read_at(rev, rel) is not None:
                return True
        except BadInputError:
            return False
    return False


def _workspace(request: ReviewRequest) -> tuple[WorkspaceSource | None, str]:
    if request.skip_plan:
        return None, request.skip_plan
    if request.open_source is None:
        return None, ("no Databricks credentials (set DATABRICKS_HOST and DATABRICKS_TOKEN, "
                      "or another databricks-sdk auth method)")
    try:
        return request.open_source(), ""
    except WorkspaceError as exc:
        return None, f"could not connect to the workspace: {exc}"


def _review_bundle(request: ReviewRequest, fork_point: str, root: str,
                   source: WorkspaceSource | None, skip: str) -> BundleReview:
    path = request.repo.path / root
    review_config = request.config.review
    intended = removal_intended(request.config, root)
    options = LintOptions(request.today, review_config.target, intended)
    base = base_bundle(request.repo, fork_point, root)
    if not any((path / name).is_file() for name in ROOT_FILE_NAMES):
        return _removed_bundle(request, root, base, options, source, skip)
    checks = check_bundle(path, base.resources, options, review_config.ignore, request.run_cli)
    if source is None:
        plan = DeployPlan(review_config.target, skipped=skip)
    else:
        plan = deploy_plan(checks.loaded, root, review_config.target, checks.resources,
                           checks.removed, source)
    report = checks.report
    return BundleReview(root, tuple(f.located(root) for f in checks.findings), plan,
                        report.validators_run, dict(report.validators_skipped))


def _removed_bundle(request: ReviewRequest, root: str, base: BaseBundle,
                    options: LintOptions, source: WorkspaceSource | None,
                    skip: str) -> BundleReview:
    """The change deletes the whole bundle: every job it deployed goes with it."""
    gone = tuple(base.resources.values())
    findings = removal_findings(tuple(RemovedJob(r.key, r.file, r.job_id, r.name)
                                      for r in gone), options, request.config.review.ignore)
    plan = (removal_plan(root, options.prod_target, gone, source, base.config)
            if source is not None
            else DeployPlan(options.prod_target, skipped=skip))
    return BundleReview(root, tuple(f.located(root) for f in findings), plan, removed=True)


def _added_lines(repo: GitRepo, fork_point: str, head: str | None,
                 changes: Iterable[ChangedFile], roots: list[str]) -> dict[str, Ranges]:
    inside = [c for c in changes if c.status != "deleted" and c.path.endswith(REVIEWED_SUFFIXES)
              and any(r == "." or c.path.startswith(r + "/") for r in roots)]
    return {c.path: repo.changed_lines(fork_point, head, c.path, c.old_path) for c in inside}
