"""The bundles a repository manages, from ``.dabgen.yml`` (typed records and their rules).

Two forms, one meaning. The single-bundle form (``bundle_dir``, ``bundle_name``, ``jobs``,
``paths``, ``sync`` at the top) is one bundle; ``bundles:`` lists several, each with
``dir``, ``name``, selectors and ``sync`` options. Selectors: ``ids`` are always managed;
a job also matches when its name matches one of ``names`` (case-insensitive globs), it
carries every tag in ``tags`` (values may be globs) and, with ``paths``, one of its
workspace sources lies below one of those folders. The rules that need more than the JSON
schema (one form at a time, unique names and folders, a job id in one bundle only) are
checked here and reported with the YAML path they concern.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_BUNDLE_DIR = "bundle"
SINGLE_FORM_KEYS = ("bundle_dir", "bundle_name", "jobs", "paths", "sync")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class SyncSettings:
    """``sync:`` options of a bundle."""

    remove_deleted: bool = False
    exclude: tuple[str, ...] = ()  # bundle-relative file globs sync never writes or deletes
    target: str | None = None  # whose values parameterised fields compare by (default target)


@dataclass(frozen=True)
class BundleConfig:
    dir: str
    name: str
    job_ids: tuple[int, ...] = ()
    job_names: tuple[str, ...] = ()
    job_tags: tuple[tuple[str, str], ...] = ()
    paths: tuple[str, ...] = ()
    sync: SyncSettings = SyncSettings()

    @property
    def has_selectors(self) -> bool:
        return bool(self.job_ids or self.job_names or self.job_tags or self.paths)


@dataclass(frozen=True)
class Problem:
    """A configuration problem at a YAML path (``()`` is the whole file)."""

    path: tuple[str | int, ...]
    message: str


def bundles_from(data: Mapping[str, Any]) -> tuple[BundleConfig, ...]:
    """The managed bundles of an already schema-checked configuration."""
    if "bundles" in data:
        return tuple(_bundle(item, item["dir"], item["name"]) for item in data["bundles"])
    directory = str(data.get("bundle_dir", DEFAULT_BUNDLE_DIR)).strip("/") or "."
    name = data.get("bundle_name") or default_name(directory)
    return (_bundle(data, directory, name),)


def default_name(directory: str) -> str:
    """A bundle name from its folder: ``bundles/sales`` → ``sales``."""
    base = posixpath.basename(directory.rstrip("/")) or "bundle"
    return _NOT_NAME.sub("_", base).strip("_") or "bundle"


def bundle_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Rules across fields (shapes the schema refuses are skipped: it reports them)."""
    if "bundles" not in data:
        return []
    problems = [Problem((key,), f"`{key}` belongs to the single-bundle form; with `bundles:` "
                        "set it on each bundle") for key in SINGLE_FORM_KEYS if key in data]
    raw = data["bundles"] if isinstance(data["bundles"], list) else []
    items = [item if _well_formed(item) else {"dir": f"#{n}", "name": f"#{n}"}
             for n, item in enumerate(raw)]
    problems += _duplicates(items, "name", "bundle name")
    problems += _duplicates(items, "dir", "bundle folder")
    problems += _nested(items)
    owner: dict[int, int] = {}
    for n, item in enumerate(items):
        for m, job_id in enumerate(_ids(item)):
            if job_id in owner and owner[job_id] != n:
                first = items[owner[job_id]]["name"]
                problems.append(Problem(("bundles", n, *_ids_path(item), m),
                                        f"job {job_id} is already managed by bundle "
                                        f"`{first}`; a job belongs to one bundle"))
            owner.setdefault(job_id, n)
    return problems


def _well_formed(item: object) -> bool:
    return (isinstance(item, dict) and isinstance(item.get("dir"), str)
            and isinstance(item.get("name"), str))


def _bundle(data: Mapping[str, Any], directory: str, name: str) -> BundleConfig:
    jobs = data.get("jobs") or {}
    sync = data.get("sync") or {}
    tags = {**(jobs.get("tags") or {}), **(data.get("tags") or {})}
    return BundleConfig(
        dir=str(directory).strip("/") or ".",
        name=str(name),
        job_ids=tuple(dict.fromkeys([*(jobs.get("ids") or ()), *(data.get("ids") or ())])),
        job_names=tuple([*(jobs.get("names") or ()), *(data.get("names") or ())]),
        job_tags=tuple(sorted(tags.items())),
        paths=tuple(data.get("paths") or ()),
        sync=SyncSettings(
            remove_deleted=bool(sync.get("remove_deleted", False)),
            exclude=tuple(sync.get("exclude") or ()),
            target=sync.get("target"),
        ),
    )


def _ids(item: Mapping[str, Any]) -> list[int]:
    jobs = _jobs_section(item)
    found = jobs.get("ids") or item.get("ids") or []
    return [i for i in found if isinstance(i, int)] if isinstance(found, list) else []


def _ids_path(item: Mapping[str, Any]) -> tuple[str, ...]:
    return ("jobs", "ids") if _jobs_section(item).get("ids") else ("ids",)


def _jobs_section(item: Mapping[str, Any]) -> Mapping[str, Any]:
    jobs = item.get("jobs")
    return jobs if isinstance(jobs, dict) else {}


def _duplicates(items: list[Mapping[str, Any]], key: str, what: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for n, item in enumerate(items):
        value = str(item[key]).strip("/")
        if value in seen:
            problems.append(Problem(("bundles", n, key), f"{what} `{value}` is used by bundles "
                                    f"{seen[value]} and {n}; each bundle needs its own"))
        seen.setdefault(value, n)
    return problems


def _nested(items: list[Mapping[str, Any]]) -> list[Problem]:
    dirs = [str(item["dir"]).strip("/") for item in items]
    problems = []
    for n, inner in enumerate(dirs):
        for m, outer in enumerate(dirs):
            if n != m and inner != outer and (outer == "." or inner.startswith(outer + "/")):
                problems.append(Problem(("bundles", n, "dir"), f"bundle folder `{inner}` is "
                                        f"inside bundle folder `{outer}` of bundle {m}"))
    return problems
