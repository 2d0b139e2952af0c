"""The records one bundle's sync passes between its steps (plain data)."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from dabgen_ci.core.json_types import JsonMapping
from dabgen_ci.core.sync.base import BaseRecord
from dabgen_ci.core.sync.locate import JobLocation
from dabgen_ci.core.sync.report import BundleReport
from dabgen_ci.core.sync.sources import SourceLayout
from dabgen_ci.core.workspace_objects import ExportedObject

JobStatus = Literal["new", "deleted", "unchanged", "drifted", "bootstrap", "dropped", "gone",
                    "deleted_known"]


@dataclass(frozen=True)
class BundleSpec:
    """A configured bundle, as the sync needs it."""

    name: str
    dir: str
    target: str | None = None
    remove_deleted: bool = False
    exclude: tuple[str, ...] = ()

    def excluded(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, glob) for glob in self.exclude)


@dataclass(frozen=True)
class RepoBundle:
    """What the repository holds for a bundle (read by the flow)."""

    texts: Mapping[str, str]  # YAML files outside src/ and .dabgen/, bundle-relative
    root_file: str | None
    base: BaseRecord
    files: frozenset[str]  # every file of the bundle directory
    records: Mapping[str, bytes] = field(default_factory=dict)  # .dabgen/ files as they are


@dataclass(frozen=True)
class Theirs:
    """The workspace now, for one bundle's jobs."""

    jobs: Mapping[int, JsonMapping]  # job id → jobs/get body
    exported: Mapping[str, ExportedObject]
    missing: Mapping[str, str]


@dataclass(frozen=True)
class Triage:
    located: Mapping[int, JobLocation]
    status: Mapping[int, JobStatus]
    layout: SourceLayout
    needs_ours: tuple[int, ...]
    needs_files: tuple[str, ...]
    users: Mapping[str, list[int]] = field(default_factory=dict)  # source → jobs using it


@dataclass(frozen=True)
class Ours:
    """The repository side, read for what the triage asked."""

    resources: Mapping[int, JsonMapping]  # job id → its resource resolved for the target
    variables: Mapping[str, object]  # declared variables' values for the target
    files: Mapping[str, bytes | None]


@dataclass(frozen=True)
class BundleSync:
    writes: dict[str, bytes]
    deletes: tuple[str, ...]
    report: BundleReport
