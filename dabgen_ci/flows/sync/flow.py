"""The scheduled-sync use case: keep a checkout's bundles in step with the workspace.

Read top to bottom: configuration → each bundle's repository side (which jobs it holds,
the base record) → the workspace (one list pass, one export per source) → per bundle:
triage (pure) → read what the triage asked for → three-way merge and edits (pure) → write
the working tree (unless ``check``) → validate → report. ``dabgen sync``, the action on
``schedule``/``workflow_dispatch`` and the ``/dabgen sync`` comment all run this; the bot
then commits what it wrote (:mod:`dabgen_ci.flows.bot.sync`).

Shards split the workspace side only: each shard fetches its slice of the jobs
(:func:`fetch_shard`), and :func:`sync_from_state` runs the rest once on the combined
state, so sharded and unsharded runs write the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from dabgen_ci.config import Config
from dabgen_ci.config.bundles import BundleConfig
from dabgen_ci.config.files import read_config
from dabgen_ci.core.diagnostics import has_errors, of_severity
from dabgen_ci.core.sync.locate import locate_jobs
from dabgen_ci.core.sync.plan import BundleSpec, BundleSync, RepoBundle, plan_sync, triage
from dabgen_ci.core.sync.report import BundleReport, SyncReport
from dabgen_ci.core.sync.select import Selector
from dabgen_ci.core.sync.state import WorkspaceState
from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.export import DEFAULT_PARALLELISM
from dabgen_ci.flows.sync.fetch import fetch_workspace
from dabgen_ci.progress import NullProgress, Progress, timed
from dabgen_ci.sync_store.repo import BundleFolder, apply_changes, read_bundle, read_ours
from dabgen_ci.validate import validate_bundle
from dabgen_ci.workspace.base import WorkspaceSource


@dataclass(frozen=True)
class SyncOptions:
    root: Path  # the checkout
    config_path: str = ".dabgen.yml"
    check: bool = False  # decide and report, write nothing
    only: tuple[str, ...] = ()  # bundle names to sync (default: all)
    parallelism: int = DEFAULT_PARALLELISM
    validate: bool = True
    run_cli: bool | None = False


@dataclass(frozen=True)
class BundleOutcome:
    bundle: BundleConfig
    sync: BundleSync
    written: bool


@dataclass
class SyncResult:
    report: SyncReport
    outcomes: list[BundleOutcome] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return self.report.drifted

    @property
    def valid(self) -> bool:
        return not any(has_errors(b.diagnostics) for b in self.report.bundles)


def load_config(options: SyncOptions) -> Config:
    path = options.root / options.config_path
    if not path.exists():  # the one message that says what the file is for
        raise BadInputError(f"no {options.config_path} in {options.root}: `dabgen init` writes "
                            "one; it says which jobs this repository manages")
    return read_config(path, options.config_path)


def run_sync(source: WorkspaceSource, options: SyncOptions,
             progress: Progress | None = None, config: Config | None = None) -> SyncResult:
    """Fetch the workspace and sync every configured bundle of the checkout."""
    progress = progress or NullProgress()
    timings: dict[str, float] = {}
    config = config or load_config(options)
    bundles = _chosen(config, options)
    repos = read_repos(options.root, bundles)
    with timed(timings, "fetch"):
        state = fetch_workspace(source, selectors(bundles, repos), progress=progress,
                                parallelism=options.parallelism)
    result = sync_from_state(state, options, progress, config=config, repos=repos,
                             timings=timings)
    result.report = replace(result.report, api_calls=dict(sorted(source.calls.items())))
    return result


def fetch_shard(source: WorkspaceSource, options: SyncOptions, shard: tuple[int, int],
                progress: Progress | None = None) -> WorkspaceState:
    """The workspace side for one shard of the managed jobs (no repository change)."""
    config = load_config(options)
    bundles = _chosen(config, options)
    repos = read_repos(options.root, bundles)
    return fetch_workspace(source, selectors(bundles, repos), progress=progress or NullProgress(),
                           shard=shard, parallelism=options.parallelism)


def sync_from_state(state: WorkspaceState, options: SyncOptions, progress: Progress,
                    *, config: Config | None = None,
                    repos: Mapping[str, RepoBundle] | None = None,
                    timings: dict[str, float] | None = None) -> SyncResult:
    """Everything after the workspace is known: merge, write, validate, report."""
    timings = {} if timings is None else timings
    config = config or load_config(options)
    bundles = _chosen(config, options)
    outcomes = []
    for bundle in bundles:
        folder = BundleFolder(options.root, bundle.dir)
        repo = (repos or {}).get(bundle.name) or read_bundle(folder)
        with timed(timings, "merge"):
            progress.start("merge")
            planned = _plan(bundle, folder, repo, state)
            progress.finish("merge", f"{len(planned.report.jobs)} job(s) drifted")
        written = not options.check and planned.report.drifted
        if written:
            with timed(timings, "write"):
                apply_changes(folder, planned.writes, planned.deletes)
            if options.validate:
                with timed(timings, "validate"):
                    planned = _validated(planned, folder, options, progress)
        outcomes.append(BundleOutcome(bundle, planned, written))
    report = SyncReport(tuple(o.sync.report for o in outcomes), timings=timings)
    return SyncResult(report, outcomes)


def read_repos(root: Path, bundles: Sequence[BundleConfig]) -> dict[str, RepoBundle]:
    return {b.name: read_bundle(BundleFolder(root, b.dir)) for b in bundles}


def selectors(bundles: Sequence[BundleConfig], repos: Mapping[str, RepoBundle]
              ) -> list[Selector]:
    """Each bundle's claim: its selectors plus the jobs its repository already holds."""
    out = []
    for bundle in bundles:
        repo = repos[bundle.name]
        known = {*locate_jobs(repo.texts, repo.base), *repo.base.jobs}
        out.append(Selector(bundle.name, bundle.job_ids, bundle.job_names, bundle.job_tags,
                            bundle.paths, frozenset(known)))
    return out


def _plan(bundle: BundleConfig, folder: BundleFolder, repo: RepoBundle,
          state: WorkspaceState) -> BundleSync:
    spec = BundleSpec(bundle.name, bundle.dir, bundle.sync.target, bundle.sync.remove_deleted,
                      bundle.sync.exclude)
    theirs = state.theirs(bundle.name)
    found = triage(spec, repo, theirs)
    ours, target = read_ours(folder, repo, found.located, found.needs_ours, spec.target,
                             found.needs_files)
    return plan_sync(replace(spec, target=target), repo, theirs, found, ours)


def _validated(planned: BundleSync, folder: BundleFolder, options: SyncOptions,
               progress: Progress) -> BundleSync:
    progress.start("validate")
    report = validate_bundle(folder.path, run_cli=options.run_cli)
    errors = of_severity(report.diagnostics)
    progress.finish("validate", f"{len(errors)} error(s)", ok=not errors)
    merged: BundleReport = replace(planned.report,
                                   diagnostics=(*planned.report.diagnostics, *errors))
    return replace(planned, report=merged)


def _chosen(config: Config, options: SyncOptions) -> list[BundleConfig]:
    bundles = list(config.managed_bundles())
    if options.only:
        unknown = sorted(set(options.only) - {b.name for b in bundles})
        if unknown:
            raise BadInputError(f"no bundle named {', '.join(unknown)} in {options.config_path}")
        bundles = [b for b in bundles if b.name in options.only]
    return bundles

