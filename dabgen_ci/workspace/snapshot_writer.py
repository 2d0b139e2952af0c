"""Write jobs and exported objects as a snapshot directory (see :mod:`.snapshot`).

Pure of network: callers fetch, this writes. Plan first (every target path checked, no
collisions, nothing outside ``out_dir``), then write the way a bundle is written
(:mod:`dabgen_ci.bundle_writer`): staged, then ``jobs/`` and ``workspace/`` swapped in whole.
A failure or Ctrl-C leaves the old snapshot, and ``--force`` leaves no job of an earlier
snapshot behind for ``generate --all`` to pick up.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from dabgen_ci.bundle_writer import SNAPSHOT, write_bundle
from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.core.paths import lexical_problem
from dabgen_ci.core.workspace_objects import DESIGNER_SUFFIX
from dabgen_ci.errors import BadInputError
from dabgen_ci.workspace.base import ExportedObject
from dabgen_ci.workspace.snapshot import SOURCE_LANGUAGES, has_notebook_header, header_for


def _relative(path: str) -> PurePosixPath:
    """An absolute workspace path as a relative path, by the one path rule."""
    below = path[1:] if path.startswith("/") else None
    problem = "is not absolute" if below is None else lexical_problem(below, device_names=False)
    if problem or below is None:
        raise BadInputError(f"refusing to write workspace path {path!r} outside the snapshot: "
                            f"it {problem}")
    return PurePosixPath(below)


def _job_file(job: JsonObject) -> tuple[PurePosixPath, bytes]:
    job_id = job.get("job_id")
    if not isinstance(job_id, int) or isinstance(job_id, bool) or job_id <= 0:
        raise BadInputError(f"cannot write a job without a positive integer job_id: {job_id!r}")
    text = json.dumps(job, indent=2, ensure_ascii=False) + "\n"
    return PurePosixPath("jobs", f"{job_id}.json"), text.encode("utf-8")


def _object_file(obj: ExportedObject) -> tuple[PurePosixPath, bytes]:
    rel = PurePosixPath("workspace") / _relative(obj.path)
    if not obj.is_notebook:
        if rel.suffix.lower() == ".ipynb" or (
            rel.suffix.lower()[1:] in SOURCE_LANGUAGES and has_notebook_header(obj.content)
        ):
            raise BadInputError(
                f"cannot snapshot workspace file {obj.path}: it would read back as a notebook"
            )
        return rel, obj.content
    if obj.file_type == "ipynb":
        if rel.name.lower().endswith(DESIGNER_SUFFIX):  # the path already names its format
            return rel, obj.content
        return rel.with_name(f"{rel.name}.ipynb"), obj.content
    if obj.file_type not in SOURCE_LANGUAGES:
        raise BadInputError(
            f"cannot snapshot notebook {obj.path} exported as {obj.file_type!r}: "
            "expected py, sql, scala, r or ipynb"
        )
    content = obj.content
    if not has_notebook_header(content):
        content = f"{header_for(obj.file_type)}\n".encode() + content
    return rel.with_name(f"{rel.name}.{obj.file_type}"), content


def write_snapshot(
    out_dir: Path, jobs: Iterable[JsonObject], objects: Iterable[ExportedObject], *,
    force: bool = False,
) -> list[Path]:
    """Write ``jobs`` and ``objects`` under ``out_dir``; return the files written, in order."""
    plan: dict[PurePosixPath, bytes] = {}
    for rel, data in [*map(_job_file, jobs), *map(_object_file, objects)]:
        if rel in plan:
            raise BadInputError(f"two snapshot entries would both be written to {rel}")
        plan[rel] = data
    write_bundle(Path(out_dir), {rel.as_posix(): data for rel, data in plan.items()},
                 force=force, layout=SNAPSHOT)
    return [Path(out_dir).joinpath(*rel.parts) for rel in plan]
