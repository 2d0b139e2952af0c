"""The base of the three-way merge: the workspace as dabgen last saw it (pure).

It lives in the repository next to the bundle, so it travels with the branch and is
reviewed like everything else:

```
<bundle>/.dabgen/sync.json          {"format": 1, "src_prefix": "/Users/me/project",
                                     "sources": {"/Users/me/project/etl.py":
                                                 {"local": "src/etl.py", "sha256": "…"}}}
<bundle>/.dabgen/jobs/<job_id>.json {"job_id": 1001, "key": "nightly_etl",
                                     "settings": {…the job's settings, server fields dropped…}}
```

One file per job keeps a diff local to the job that changed; sources are hashed, not
copied (the content is in ``src/`` already). JSON with sorted keys and two-space indent,
so the same state gives the same bytes. ``deleted: true`` marks a job that is gone from
the workspace while its resource stays (``remove_deleted: false``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dabgen_ci.core.bundle.convert import READ_ONLY_SETTINGS
from dabgen_ci.core.bundle.pause import omit_default_pause_status
from dabgen_ci.core.limits import json_depth_problem
from dabgen_ci.errors import BadInputError

BASE_DIR = ".dabgen"
STATE_FILE = f"{BASE_DIR}/sync.json"
JOBS_DIR = f"{BASE_DIR}/jobs"
FORMAT = 1


@dataclass(frozen=True)
class SourceRecord:
    """Where a workspace source lives in the bundle and the hash of its last-seen content."""

    local: str
    sha256: str


@dataclass(frozen=True)
class JobRecord:
    job_id: int
    key: str
    settings: Mapping[str, Any]
    deleted: bool = False


@dataclass(frozen=True)
class BaseRecord:
    """Everything the last sync saw; empty for a bundle that was never synced."""

    src_prefix: str | None = None
    sources: Mapping[str, SourceRecord] = field(default_factory=dict)
    jobs: Mapping[int, JobRecord] = field(default_factory=dict)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def normalise_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Job settings as the base records them and triage compares them: fields the server
    owns dropped, and ``pause_status: UNPAUSED`` left out as the bundle leaves it out
    (:mod:`dabgen_ci.core.bundle.pause`), so a record written before that rule and one
    written after say the same thing."""
    return omit_default_pause_status(
        {k: v for k, v in settings.items() if k not in READ_ONLY_SETTINGS})


def job_file(job_id: int) -> str:
    return f"{JOBS_DIR}/{job_id}.json"


def job_record_bytes(record: JobRecord) -> bytes:
    body: dict[str, Any] = {"job_id": record.job_id, "key": record.key,
                            "settings": normalise_settings(record.settings)}
    if record.deleted:
        body["deleted"] = True
    return _json_bytes(body)


def state_bytes(src_prefix: str | None, sources: Mapping[str, SourceRecord]) -> bytes:
    body = {
        "format": FORMAT,
        "src_prefix": src_prefix,
        "sources": {path: {"local": rec.local, "sha256": rec.sha256}
                    for path, rec in sorted(sources.items())},
    }
    return _json_bytes(body)


def parse_state(text: str, origin: str) -> tuple[str | None, dict[str, SourceRecord]]:
    data = _load(text, origin)
    if data.get("format") != FORMAT:
        raise BadInputError(f"{origin}: unknown base record format {data.get('format')!r}; "
                            "update dabgen")
    prefix = data.get("src_prefix")
    raw = data.get("sources") or {}
    if (prefix is not None and not isinstance(prefix, str)) or not isinstance(raw, dict):
        raise BadInputError(f"{origin}: malformed base record; delete it to re-record")
    sources = {}
    for path, rec in raw.items():
        if not (isinstance(rec, dict) and isinstance(rec.get("local"), str)
                and isinstance(rec.get("sha256"), str)):
            raise BadInputError(f"{origin}: malformed source entry for {path!r}")
        sources[str(path)] = SourceRecord(rec["local"], rec["sha256"])
    return prefix, sources


def parse_job_record(text: str, origin: str) -> JobRecord:
    data = _load(text, origin)
    job_id, key, settings = data.get("job_id"), data.get("key"), data.get("settings")
    if not (isinstance(job_id, int) and not isinstance(job_id, bool)
            and isinstance(key, str) and isinstance(settings, dict)):
        raise BadInputError(f"{origin}: malformed base record (job_id, key and settings "
                            "are required); delete it to re-record")
    return JobRecord(job_id, key, settings, bool(data.get("deleted")))


def _load(text: str, origin: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BadInputError(f"{origin}: not valid JSON ({exc}); delete it to re-record") from None
    if not isinstance(data, dict):
        raise BadInputError(f"{origin}: expected a JSON object")
    problem = json_depth_problem(data)
    if problem:
        raise BadInputError(f"{origin}: refusing to read it: {problem}; delete it to re-record")
    return data


def _json_bytes(data: object) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
