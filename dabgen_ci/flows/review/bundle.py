"""One bundle of a change: its checks, its lint findings, and the jobs the change removes.

Validation (schema, dabgen's rules with the secret scan, `databricks bundle validate` when
it can run) and lint both look at the bundle as the change leaves it. A lint finding at the
same place as a validator's (the same YAML path, or the Databricks CLI's file and line) is
not repeated: the validator's is the record. Which jobs the change removes is read from the
base revision through git, never from the work tree.
"""

from __future__ import annotations

import posixpath
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dabgen_ci.core.bundle.layout import job_ids_in
from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.paths import write_file, write_target
from dabgen_ci.core.review.facts import RemovedJob
from dabgen_ci.core.review.findings import Finding, from_diagnostic
from dabgen_ci.core.review.lint import lint
from dabgen_ci.core.review.rules import LintOptions
from dabgen_ci.errors import BadInputError
from dabgen_ci.git import GitRepo
from dabgen_ci.validate import ValidationReport, validate_bundle
from dabgen_ci.validate.facts import bundle_facts
from dabgen_ci.validate.loader import LoadedBundle, load_bundle

CONFIG_SUFFIXES = (".yml", ".yaml")
SECRET_REMEDY = "{{secrets/<scope>/<key>}}"


@dataclass(frozen=True)
class JobResource:
    """A job resource as written: its key, the file holding it, the job id its header names."""

    key: str
    file: str  # relative to the bundle root
    job_id: int | None
    name: str


@dataclass(frozen=True)
class BundleChecks:
    findings: tuple[Finding, ...]  # relative to the bundle root
    report: ValidationReport
    loaded: LoadedBundle
    resources: Mapping[str, JobResource]
    removed: tuple[JobResource, ...]


def check_bundle(root: Path, base: Mapping[str, JobResource], options: LintOptions,
                 ignore: Iterable[str], run_cli: bool | None) -> BundleChecks:
    """Validate and lint the bundle at ``root``; ``base`` is what the base revision had."""
    report = validate_bundle(root, run_cli=run_cli)
    loaded = load_bundle(root)
    resources = job_resources(loaded, lambda rel: _read(root / rel))
    removed = tuple(r for key, r in base.items() if key not in resources)
    facts = bundle_facts(loaded, tuple(RemovedJob(r.key, r.file, r.job_id, r.name)
                                       for r in removed))
    checked = [from_diagnostic(d, secret=is_secret(d)) for d in report.diagnostics]
    linted = not_repeated(lint(facts, options, ignore), checked)
    return BundleChecks(tuple(checked + linted), report, loaded, resources, removed)


def is_secret(diagnostic: Diagnostic) -> bool:
    return diagnostic.source == "secrets" or SECRET_REMEDY in diagnostic.summary


def not_repeated(linted: list[Finding], checked: list[Finding]) -> list[Finding]:
    """Lint findings the validators did not already report at the same place."""
    paths = {f.path for f in checked if f.path}
    cli_lines = {(f.file, f.line) for f in checked if f.rule == "databricks-cli" and f.line}
    return [f for f in linted if f.path not in paths and (f.file, f.line) not in cli_lines]


def job_resources(loaded: LoadedBundle, read: Any) -> dict[str, JobResource]:
    """Every job resource with the job id its file's header names (one job per file)."""
    jobs = (loaded.config.get("resources") or {}).get("jobs") or {}
    if not isinstance(jobs, dict):
        return {}
    files: dict[str, str] = {}
    for key in jobs:
        loc = loaded.locate(("resources", "jobs", key))
        files[key] = loc.file if loc else ""
    out = {}
    for key, job in jobs.items():
        file = files[key]
        alone = list(files.values()).count(file) == 1
        ids = job_ids_in(read(file) or "") if file else []
        name = job.get("name") if isinstance(job, dict) else None
        out[key] = JobResource(key, file, ids[0] if alone and len(ids) == 1 else None,
                               name if isinstance(name, str) else "")
    return out


@dataclass(frozen=True)
class BaseBundle:
    """The bundle at ``root`` as the base revision has it (empty when it had none)."""

    resources: Mapping[str, JobResource]
    config: Mapping[str, Any] | None  # its configuration, includes merged


def base_bundle(repo: GitRepo, rev: str, root: str) -> BaseBundle:
    """The job resources and configuration of the bundle at ``root`` in revision ``rev``."""
    names = [n for n in repo.list_at(rev, root) if n.endswith(CONFIG_SUFFIXES)
             and not n.startswith("src/")]
    with tempfile.TemporaryDirectory(prefix="dabgen-base-") as tmp:
        texts = {}
        for name in names:
            text = repo.read_at(rev, posixpath.normpath(posixpath.join(root, name)))
            if text is None:
                continue
            target = write_target(Path(tmp), name, what="bundle file")  # the one path rule
            texts[name] = text
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, text.encode("utf-8"))
        try:
            loaded = load_bundle(Path(tmp))
        except BadInputError:  # no bundle there in the base revision
            return BaseBundle({}, None)
        return BaseBundle(job_resources(loaded, texts.get), loaded.config)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
