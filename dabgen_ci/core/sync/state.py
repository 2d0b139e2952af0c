"""The workspace as one sync saw it: managed jobs, their settings, their sources (a record)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dabgen_ci.core.json_types import JsonMapping
from dabgen_ci.core.sync.model import Theirs
from dabgen_ci.core.workspace_objects import ExportedObject


@dataclass(frozen=True)
class WorkspaceState:
    """What the workspace holds for the managed jobs (all of them, or one shard's)."""

    owner: Mapping[int, str]  # every managed job id → its bundle
    jobs: Mapping[int, JsonMapping]  # job id → jobs/get body, for the fetched jobs
    exported: Mapping[str, ExportedObject] = field(default_factory=dict)
    missing: Mapping[str, str] = field(default_factory=dict)
    shard: tuple[int, int] | None = None

    def theirs(self, bundle: str) -> Theirs:
        """One bundle's side of the merge; only a whole workspace has one."""
        if self.shard is not None:
            raise ValueError("a shard's state holds part of the workspace; merge the shards")
        jobs = {i: body for i, body in self.jobs.items() if self.owner.get(i) == bundle}
        return Theirs(jobs, self.exported, self.missing)
