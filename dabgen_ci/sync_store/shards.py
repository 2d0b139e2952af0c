"""Shard artifacts: one shard's slice of the workspace on disk, and all of them combined.

A GitHub Actions matrix runs ``dabgen sync --shard I/N`` on N runners; each writes its
slice to a directory that the workflow uploads as an artifact, and one last job runs
``dabgen sync --merge-shards DIR...`` on them. The format is plain files:

```
DIR/shard.json          {"format": 1, "shard": [I, N], "owner": {"<job id>": "<bundle>"},
                         "jobs": [<job id>, …], "missing": {"<path>": "<reason>"},
                         "sources": {"<path>": {"sha256": "…", "file_type": "py",
                                                "is_notebook": true}}}
DIR/jobs/<job id>.json  the jobs/get body
DIR/sources/<sha256>    exported content, stored once per distinct content
```

Combining refuses anything that would not give the same result as one unsharded run:
shards of different counts, a shard missing or given twice, shards that saw different
managed jobs (the workspace changed between them), content that does not match its hash.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dabgen_ci.core.limits import json_depth_problem
from dabgen_ci.core.paths import confine
from dabgen_ci.core.sync.base import sha256
from dabgen_ci.core.sync.state import WorkspaceState
from dabgen_ci.errors import BadInputError
from dabgen_ci.workspace.base import ExportedObject

FORMAT = 1
INDEX = "shard.json"


def default_shard_dir(shard: tuple[int, int]) -> Path:
    return Path(f"dabgen-shard-{shard[0]}-of-{shard[1]}")


def write_shard(state: WorkspaceState, out: Path) -> None:
    """Write one shard's state into ``out`` (which must be empty or absent)."""
    if state.shard is None:
        raise ValueError("only a shard's state is written as a shard")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BadInputError(f"{out} is not an empty directory; choose another --shard-out")
    (out / "jobs").mkdir(parents=True)
    (out / "sources").mkdir()
    for job_id, body in sorted(state.jobs.items()):
        (out / "jobs" / f"{job_id}.json").write_text(json.dumps(body, sort_keys=True))
    sources = {}
    for path, obj in sorted(state.exported.items()):
        digest = sha256(obj.content)
        blob = out / "sources" / digest
        if not blob.exists():
            blob.write_bytes(obj.content)
        sources[path] = {"sha256": digest, "file_type": obj.file_type,
                         "is_notebook": obj.is_notebook}
    index = {"format": FORMAT, "shard": list(state.shard),
             "owner": {str(k): v for k, v in sorted(state.owner.items())},
             "jobs": sorted(state.jobs), "missing": dict(sorted(state.missing.items())),
             "sources": sources}
    (out / INDEX).write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")


def shard_dirs(paths: Iterable[Path]) -> list[Path]:
    """The shard directories named, or found one level below a named directory (the
    layout ``actions/download-artifact`` leaves)."""
    found: list[Path] = []
    for path in paths:
        if (path / INDEX).is_file():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.iterdir() if (p / INDEX).is_file())
    if not found:
        raise BadInputError("no shard directories (with shard.json) among "
                            + ", ".join(str(p) for p in paths))
    return found


def read_shards(paths: Iterable[Path]) -> WorkspaceState:
    """All shards combined into the state of the whole workspace."""
    dirs = shard_dirs(paths)
    indexes = [(d, _index(d)) for d in dirs]
    counts = {tuple(ix["shard"])[1] for _, ix in indexes}
    if len(counts) != 1:
        raise BadInputError(f"shards of different counts: {sorted(counts)}; give the shards "
                            "of one run")
    count = counts.pop()
    seen = sorted(ix["shard"][0] for _, ix in indexes)
    if seen != list(range(1, count + 1)):
        raise BadInputError(f"expected shards 1..{count} once each, got {seen}")
    owners = {json.dumps(ix["owner"], sort_keys=True) for _, ix in indexes}
    if len(owners) != 1:
        raise BadInputError("the shards saw different managed jobs (the workspace changed "
                            "while they ran); run the sync again")
    owner = {int(k): v for k, v in indexes[0][1]["owner"].items()}
    jobs: dict[int, Any] = {}
    exported: dict[str, ExportedObject] = {}
    missing: dict[str, str] = {}
    for directory, index in indexes:
        for job_id in index["jobs"]:
            if job_id in jobs:
                raise BadInputError(f"job {job_id} is in two shards")
            jobs[job_id] = _job(directory, job_id)
        for path, meta in index["sources"].items():
            exported.setdefault(path, _source(directory, path, meta))
        missing.update(index["missing"])
    uncovered = sorted(set(owner) - set(jobs))
    if uncovered:
        raise BadInputError(f"no shard fetched job(s) {uncovered[:10]}; give every shard")
    return WorkspaceState(owner, dict(sorted(jobs.items())), exported,
                          {p: r for p, r in missing.items() if p not in exported})


def _load_json(directory: Path, rel: str) -> Any:
    """A shard's JSON file: inside the shard (no link out), of bounded depth."""
    try:
        value = json.loads(confine(directory, rel, where=f"shard {directory}").read_text())
    except (OSError, ValueError, RecursionError) as exc:
        raise BadInputError(f"{directory / rel}: cannot read it ({exc})") from None
    problem = json_depth_problem(value)
    if problem:
        raise BadInputError(f"{directory / rel}: refusing to read it: {problem}")
    return value


def _job(directory: Path, job_id: object) -> Any:
    if not isinstance(job_id, int) or isinstance(job_id, bool):
        raise BadInputError(f"{directory / INDEX}: job id {job_id!r} is not a number")
    return _load_json(directory, f"jobs/{job_id}.json")


def _index(directory: Path) -> dict[str, Any]:
    index = _load_json(directory, INDEX)
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise BadInputError(f"{directory / INDEX}: not a dabgen shard of format {FORMAT}")
    return index


def _source(directory: Path, path: str, meta: dict[str, Any]) -> ExportedObject:
    digest = str(meta.get("sha256", ""))
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise BadInputError(f"{directory / INDEX}: bad hash for {path}")
    content = confine(directory, f"sources/{digest}", where=f"shard {directory}").read_bytes()
    if sha256(content) != digest:
        raise BadInputError(f"{directory}/sources/{digest} does not match its hash")
    return ExportedObject(path, content, str(meta.get("file_type", "")),
                          bool(meta.get("is_notebook")))
