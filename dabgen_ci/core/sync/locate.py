"""Which resource file and key hold each job of a bundle (pure).

A job is identified by its id, never by its name: dabgen writes ``# dabgen: job <id>`` at
the top of every resource file it generates, so a job renamed in the UI keeps its key and
file (and ``bundle deployment bind`` stays valid). The key comes from the base record when
the file still defines it, else from parsing the file (only for files never synced).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ruamel.yaml.error import YAMLError

from dabgen_ci.core.bundle import rtyaml
from dabgen_ci.core.bundle.layout import job_ids_in
from dabgen_ci.core.sync.base import BaseRecord
from dabgen_ci.errors import BadInputError


@dataclass(frozen=True)
class JobLocation:
    file: str
    key: str


def locate_jobs(texts: Mapping[str, str], base: BaseRecord) -> dict[int, JobLocation]:
    """Job id → where its resource is, for every file carrying a dabgen header."""
    found: dict[int, JobLocation] = {}
    for file, text in sorted(texts.items()):
        ids = job_ids_in(text)
        if not ids:
            continue
        parsed: list[str] | None = None
        for n, job_id in enumerate(ids):
            record = base.jobs.get(job_id)
            if record is not None and _defines(text, record.key):
                key = record.key
            else:
                parsed = _job_keys(text, file) if parsed is None else parsed
                if len(parsed) != len(ids):
                    raise BadInputError(
                        f"{file} names {len(ids)} job(s) in `# dabgen: job` headers but "
                        f"defines {len(parsed)}; keep one header per job resource")
                key = parsed[n]
            if job_id in found:
                raise BadInputError(f"job {job_id} is defined twice: in {found[job_id].file} "
                                    f"and {file}; keep one resource per job")
            found[job_id] = JobLocation(file, key)
    return found


def _defines(text: str, key: str) -> bool:
    """A cheap check that ``key:`` is written as an indented mapping key on its own line
    (no regular expression: this runs once per resource file)."""
    needle = key + ":"
    start = text.find(needle)
    while start != -1:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        rest = text[start + len(needle):line_end if line_end != -1 else len(text)].strip()
        indent = text[line_start:start]
        if indent and not indent.strip() and (not rest or rest.startswith("#")):
            return True
        start = text.find(needle, start + 1)
    return False


def _job_keys(text: str, file: str) -> list[str]:
    try:
        doc = rtyaml.load(text)
    except YAMLError as exc:
        raise BadInputError(f"{file} is not valid YAML: {str(exc).splitlines()[0]}") from None
    jobs = (doc or {}).get("resources", {}).get("jobs") if isinstance(doc, dict) else None
    return [str(k) for k in jobs] if isinstance(jobs, dict) else []
