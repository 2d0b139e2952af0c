"""Which workspace jobs each bundle manages, and which shard fetches them (pure).

A bundle manages the jobs its repository already holds (by id) and every listed job its
selectors match. A job claimed by two bundles is an error naming both: two PRs must never
fight over one job. Shards partition managed jobs by a hash of the job id, so the same job
always lands in the same shard whatever else the workspace holds.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from dabgen_ci.core.bundle.sources import canonical_path, workspace_refs
from dabgen_ci.core.json_types import JsonMapping
from dabgen_ci.errors import BadInputError


@dataclass(frozen=True)
class Selector:
    """One bundle's claim on workspace jobs."""

    bundle: str
    ids: tuple[int, ...] = ()
    names: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    paths: tuple[str, ...] = ()
    known: frozenset[int] = frozenset()  # ids the repository already holds for this bundle

    def matches(self, job_id: int, settings: JsonMapping) -> bool:
        if job_id in self.ids or job_id in self.known:
            return True
        if not (self.names or self.tags or self.paths):
            return False
        return _name_ok(self, settings) and _tags_ok(self, settings) and _paths_ok(self, settings)


def assign(listed: Iterable[tuple[int, JsonMapping]], selectors: Iterable[Selector]
           ) -> dict[int, str]:
    """Job id → bundle, over the listed jobs; a job claimed twice is a :class:`BadInputError`."""
    chosen = list(selectors)
    owner: dict[int, str] = {}
    for job_id, settings in listed:
        claims = [s.bundle for s in chosen if s.matches(job_id, settings)]
        if len(claims) > 1:
            name = settings.get("name")
            raise BadInputError(f"job {job_id} ({name!r}) is matched by bundles "
                                f"{' and '.join(f'`{c}`' for c in claims)}; a job belongs to one "
                                "bundle: narrow their selectors in .dabgen.yml")
        if claims:
            owner[job_id] = claims[0]
    return owner


def shard_of(job_id: int, count: int) -> int:
    """The shard (1..count) that fetches ``job_id``: stable, and even on any id pattern."""
    digest = hashlib.sha256(str(job_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` → (I, N), 1 ≤ I ≤ N."""
    index, sep, count = text.partition("/")
    if not sep or not index.isdigit() or not count.isdigit():
        raise BadInputError(f"--shard {text!r}: expected I/N, e.g. --shard 2/4")
    i, n = int(index), int(count)
    if not 1 <= i <= n:
        raise BadInputError(f"--shard {text!r}: I must be between 1 and N")
    return i, n


def _name_ok(selector: Selector, settings: JsonMapping) -> bool:
    if not selector.names:
        return True
    name = str(settings.get("name", "")).lower()
    return any(fnmatch.fnmatchcase(name, glob.lower()) for glob in selector.names)


def _tags_ok(selector: Selector, settings: JsonMapping) -> bool:
    tags = settings.get("tags") or {}
    return all(key in tags and fnmatch.fnmatchcase(str(tags[key]), value)
               for key, value in selector.tags)


def _paths_ok(selector: Selector, settings: JsonMapping) -> bool:
    if not selector.paths:
        return True
    folders = [canonical_path(p.rstrip("/")) + "/" for p in selector.paths]
    return any(canonical_path(ref.workspace_path).startswith(folder)
               for ref in workspace_refs(settings) for folder in folders)
