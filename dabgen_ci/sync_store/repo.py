"""The repository side of a sync: read a bundle directory, resolve it, write the result.

Reading is cheap on purpose: YAML files are read as text (headers name the jobs), source
files only when the merge asks for them, and only the resources of jobs the workspace
changed are parsed and resolved for the target — with the validator's loader, the way the
Databricks CLI reads them (YAML 1.2, target overrides merged, ``${var.*}`` substituted).

Nothing is read or written outside the bundle directory: paths are relative, without
``..`` or ``.git``, and a symbolic link is never followed out of it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dabgen_ci.core import paths
from dabgen_ci.core.sync import base as records
from dabgen_ci.core.sync.base import BaseRecord
from dabgen_ci.core.sync.locate import JobLocation
from dabgen_ci.core.sync.model import Ours, RepoBundle
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate.loader import ROOT_FILE_NAMES
from dabgen_ci.validate.located import merge
from dabgen_ci.validate.targets import resolve_target, select_target
from dabgen_ci.validate.yamlnodes import parse_yaml

YAML_SUFFIXES = (".yml", ".yaml")
_SKIPPED_DIRS = ("src", records.BASE_DIR)
_TOP_LEVEL = re.compile(r"^(targets|variables):", re.MULTILINE)


@dataclass(frozen=True)
class BundleFolder:
    """A bundle directory inside a checkout."""

    repo_root: Path
    dir: str

    @property
    def path(self) -> Path:
        return bundle_path(self.repo_root, self.dir)


def bundle_path(repo_root: Path, directory: str) -> Path:
    """``repo_root/directory``, refused when it leaves the checkout or enters ``.git``."""
    return paths.confine(repo_root, directory or ".", what="bundle folder", allow_self=True,
                         where="the repository")


def read_bundle(folder: BundleFolder) -> RepoBundle:
    """Texts of the bundle's YAML files, its base record and the names of all its files."""
    root = folder.path
    files = frozenset(_walk(root)) if root.is_dir() else frozenset()
    texts = {rel: _text(root, rel) for rel in sorted(files)
             if rel.endswith(YAML_SUFFIXES) and rel.split("/")[0] not in _SKIPPED_DIRS
             and not any(part.startswith(".") for part in rel.split("/"))}
    root_file = next((name for name in ROOT_FILE_NAMES if name in files), None)
    raw = {rel: paths.confine(root, rel, what="base record").read_bytes()
           for rel in sorted(files) if rel.startswith(records.BASE_DIR + "/")}
    return RepoBundle(texts, root_file, _base(raw), files, raw)


def read_ours(folder: BundleFolder, repo: RepoBundle, located: Mapping[int, JobLocation],
              job_ids: Iterable[int], target: str | None, wanted_files: Iterable[str]
              ) -> tuple[Ours, str | None]:
    """The repository side the triage asked for, and the target it was resolved for."""
    ids = list(job_ids)
    if repo.root_file is None:
        return Ours({}, {}, {}), target
    needed = {repo.root_file, *(located[i].file for i in ids)}
    needed |= {f for f, text in repo.texts.items() if _TOP_LEVEL.search(text)}
    config = _merged(repo, sorted(needed, key=lambda f: (f != repo.root_file, f)))
    chosen = select_target(config, target)
    resolved = resolve_target(config, chosen)
    jobs = (resolved.get("resources") or {}).get("jobs") or {}
    resources = {}
    for job_id in ids:
        where = located[job_id]
        if not isinstance(jobs.get(where.key), dict):
            raise BadInputError(f"{folder.dir}/{where.file}: job {job_id} has the header "
                                f"`# dabgen: job {job_id}` but no `resources.jobs.{where.key}`")
        resources[job_id] = jobs[where.key]
    variables = {name: spec["default"] for name, spec in (resolved.get("variables") or {}).items()
                 if isinstance(spec, dict) and "default" in spec}
    files = {rel: _read_optional(folder.path, rel) for rel in wanted_files}
    return Ours(resources, variables, files), chosen


def apply_changes(folder: BundleFolder, writes: Mapping[str, bytes], deletes: Iterable[str]
                  ) -> None:
    """Write and delete bundle files (never through a link); emptied folders are removed."""
    root = folder.path
    for rel in sorted(deletes):
        target = paths.write_target(root, rel, what="bundle file", where=folder.dir)
        if target.is_symlink() or target.is_file():
            target.unlink()
            _prune(target.parent, root)
    for rel, content in sorted(writes.items()):
        parent, _, _ = paths.relative(rel, what="bundle file").as_posix().rpartition("/")
        if parent:
            paths.confine(root, parent, what="bundle folder", where=folder.dir).mkdir(
                parents=True, exist_ok=True)
        target = paths.write_target(root, rel, what="bundle file", where=folder.dir)
        if target.is_dir():
            raise BadInputError(f"cannot write {folder.dir}/{rel}: a folder is there")
        paths.write_file(target, content)


# -- internals ------------------------------------------------------------------------------

def _merged(repo: RepoBundle, files: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for rel in files:
        value, _tree, problems = parse_yaml(repo.texts[rel], rel)
        if problems:
            raise BadInputError(f"{rel}: {problems[0].render()}")
        if isinstance(value, dict):
            try:
                config, _ = merge(config, value)
            except ValueError as exc:
                raise BadInputError(f"{rel} cannot be merged into the bundle: {exc}") from None
    return config


def _base(raw: Mapping[str, bytes]) -> BaseRecord:
    state = raw.get(records.STATE_FILE)
    prefix, sources = (records.parse_state(state.decode("utf-8"), records.STATE_FILE)
                       if state is not None else (None, {}))
    jobs = {}
    for rel, content in raw.items():
        if rel.startswith(records.JOBS_DIR + "/") and rel.endswith(".json"):
            record = records.parse_job_record(content.decode("utf-8"), rel)
            jobs[record.job_id] = record
    return BaseRecord(prefix, sources, jobs)


def _walk(root: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        for name in filenames:
            found.append(name if rel_dir == "." else f"{rel_dir}/{name}")
    return found


def _text(root: Path, rel: str) -> str:
    path = paths.confine(root, rel, what="bundle file")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise BadInputError(f"{rel} is not UTF-8 text") from None


def _read_optional(root: Path, rel: str) -> bytes | None:
    path = paths.confine(root, rel, what="bundle file")
    return path.read_bytes() if path.is_file() else None


def _prune(directory: Path, root: Path) -> None:
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
