"""A workspace read from a snapshot directory (the format users write by hand).

Layout::

    SNAP/jobs/<job_id>.json   the body of a jobs/get (2.2) response, all tasks in one list
    SNAP/workspace/<path>     workspace objects under their absolute path minus the leading slash

A file whose first line is a notebook header, or any ``.ipynb``, is a NOTEBOOK at its path
without the extension; a ``*.designer.ipynb`` file is a Lakeflow Designer notebook
(``DESIGNER_FILE``) at its own path, suffix included, as the workspace stores it; anything
else is a FILE at its own path. This module is the single definition of that format: the
test server serves it over HTTP through this class.

The source answers like the 2.2 API would, including paging (``jobs/list`` items hold at most
100 elements per array and say ``has_more``), so flows behave the same offline and live.

Nothing outside the snapshot directory is read: a symbolic link in it that leads out (to
``/etc/hostname``, to a file holding a token) is refused as bad input, naming the link,
never its target (:func:`dabgen_ci.core.paths.is_inside`).
"""

from __future__ import annotations

import copy
import json
import math
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.core.limits import json_depth_problem
from dabgen_ci.core.paths import is_inside, lexical_problem, tidy
from dabgen_ci.core.workspace_objects import DESIGNER_FILE, DESIGNER_SUFFIX, NOTEBOOK_TYPES
from dabgen_ci.errors import BadInputError, NotFoundError
from dabgen_ci.workspace.base import ExportedObject, ObjectInfo

NOTEBOOK_HEADERS = (
    "# Databricks notebook source",
    "-- Databricks notebook source",
    "// Databricks notebook source",
)
#: Export ``file_type`` of a source notebook → its language.
SOURCE_LANGUAGES = {"py": "PYTHON", "sql": "SQL", "scala": "SCALA", "r": "R"}
#: Array properties the 2.2 Jobs API pages at :data:`PAGE_SIZE` elements.
PAGED_ARRAYS = ("tasks", "job_clusters", "environments", "parameters")
PAGE_SIZE = 100
_DATABRICKS_IPYNB_META = "application/vnd.databricks.v1+notebook"


def has_notebook_header(content: bytes) -> bool:
    """Whether ``content`` starts with a Databricks source-notebook header line."""
    first = content[:200].split(b"\n", 1)[0].decode("utf-8", "replace")
    return first.lstrip("\ufeff").rstrip() in NOTEBOOK_HEADERS


def header_for(file_type: str) -> str:
    """The header line a source notebook of ``file_type`` starts with."""
    return {"sql": NOTEBOOK_HEADERS[1], "scala": NOTEBOOK_HEADERS[2]}.get(
        file_type, NOTEBOOK_HEADERS[0]
    )


def ipynb_language(content: bytes) -> str:
    """A Jupyter notebook's language: PYTHON unless its metadata names another we know."""
    try:
        meta = json.loads(content).get("metadata", {})
        candidates = [
            meta.get(_DATABRICKS_IPYNB_META, {}).get("language"),
            meta.get("language_info", {}).get("name"),
            meta.get("kernelspec", {}).get("language"),
        ]
    except (ValueError, AttributeError, RecursionError):
        return "PYTHON"
    names = {"python": "PYTHON", "sql": "SQL", "scala": "SCALA", "r": "R"}
    for name in candidates:
        if isinstance(name, str) and name.lower() in names:
            return names[name.lower()]
    return "PYTHON"


def job_pages(job: JsonObject) -> int:
    """How many ``jobs/get`` pages the 2.2 API needs for ``job`` (at least one)."""
    settings = job.get("settings") or {}
    longest = max((len(settings.get(k) or []) for k in PAGED_ARRAYS), default=0)
    return max(1, math.ceil(longest / PAGE_SIZE))


def jobs_get_page(job: JsonObject, page: int) -> tuple[JsonObject, bool]:
    """Page ``page`` (0-based) of a ``jobs/get`` response and whether another follows.

    Every page repeats the job's other properties; each paged array holds its slice, and an
    array with nothing left is left out of later pages (the API returns it empty).
    """
    body = copy.deepcopy(job)
    settings = body.get("settings") or {}
    start, end = page * PAGE_SIZE, (page + 1) * PAGE_SIZE
    for key in PAGED_ARRAYS:
        values = settings.get(key)
        if not isinstance(values, list) or (page == 0 and not values):
            continue
        if values[start:end]:
            settings[key] = values[start:end]
        else:
            del settings[key]
    return body, page + 1 < job_pages(job)


def jobs_list_item(job: JsonObject, *, expand_tasks: bool) -> JsonObject:
    """A ``jobs/list`` (2.2) item: no tasks/clusters unless expanded, then the first page."""
    item, more = jobs_get_page(job, 0)
    if not expand_tasks:
        item.pop("has_more", None)
        settings = item.get("settings") or {}
        settings.pop("tasks", None)
        settings.pop("job_clusters", None)
    elif more:
        item["has_more"] = True
    return item


def _parse_job(file: Path) -> JsonObject:
    try:
        job = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise BadInputError(
            f"{file}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}"
        ) from e
    except RecursionError:
        raise BadInputError(f"{file}: refusing to read it: it is nested too deeply") from None
    except (OSError, UnicodeDecodeError) as e:
        raise BadInputError(f"{file}: cannot read job file: {e}") from e
    if not isinstance(job, dict) or not isinstance(job.get("settings"), dict):
        raise BadInputError(f"{file}: expected a jobs/get body with a 'settings' object")
    too_deep = json_depth_problem(job)
    if too_deep:
        raise BadInputError(f"{file}: refusing to read it: {too_deep}")
    job.setdefault("job_id", int(file.stem))
    if job["job_id"] != int(file.stem):
        raise BadInputError(f"{file}: job_id {job['job_id']} does not match the file name")
    return job


class SnapshotSource:
    """:class:`~dabgen_ci.workspace.base.WorkspaceSource` over a snapshot directory."""

    def __init__(self, root: Path) -> None:
        root = Path(root)
        if not root.is_dir():
            raise BadInputError(f"snapshot directory {root} does not exist")
        self.root = root
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def describe(self) -> str:
        return f"snapshot {self.root}"

    def _count(self, endpoint: str, n: int = 1) -> None:
        with self._lock:
            self.calls[endpoint] += n

    # -- jobs -------------------------------------------------------------------------

    def _inside(self, path: Path) -> Path:
        """``path`` when it (through any link) stays inside the snapshot, else bad input."""
        if not is_inside(self.root, path):
            rel = path.relative_to(self.root).as_posix()
            raise BadInputError(f"snapshot {self.root}: {rel} is a symbolic link that leads "
                                "outside the snapshot; dabgen does not read it")
        return path

    def _job_files(self) -> list[tuple[int, Path]]:
        jobs_dir = self._inside(self.root / "jobs")
        found = []
        for file in jobs_dir.glob("*.json") if jobs_dir.is_dir() else []:
            self._inside(file)
            if not file.stem.isdigit():
                raise BadInputError(f"{file}: job files must be named <job_id>.json")
            found.append((int(file.stem), file))
        return sorted(found)

    def get_job(self, job_id: int) -> JsonObject:
        """The whole job; counts one ``jobs/get`` per page the API would need."""
        file = self._inside(self.root / "jobs" / f"{int(job_id)}.json")
        if not file.is_file():
            self._count("jobs/get")
            raise NotFoundError(
                f"job {job_id} not found in snapshot {self.root} (no jobs/{job_id}.json)"
            )
        job = _parse_job(file)
        self._count("jobs/get", job_pages(job))
        return job

    def list_jobs(self, *, name: str | None = None) -> Iterator[JsonObject]:
        """Items as ``jobs/list?expand_tasks=true`` pages them, sorted by job id."""
        wanted = name.casefold() if name is not None else None
        matched = 0
        for _, file in self._job_files():
            job = _parse_job(file)
            if wanted is not None and str(job["settings"].get("name", "")).casefold() != wanted:
                continue
            if matched % PAGE_SIZE == 0:
                self._count("jobs/list")
            matched += 1
            yield jobs_list_item(job, expand_tasks=True)
        if matched == 0:
            self._count("jobs/list")

    # -- workspace objects ------------------------------------------------------------

    def _entries(
        self, directory: Path, only: str | None = None
    ) -> dict[str, tuple[ObjectInfo, Path]]:
        """Workspace name → (info, disk path) for the children of ``directory``.

        With ``only``, just the children that could be that name are opened, so a lookup in
        a directory of a thousand notebooks reads one or two files, not all of them.
        """
        rel = directory.relative_to(self.root / "workspace").as_posix()
        base = "" if rel == "." else f"/{rel}"
        entries: dict[str, tuple[ObjectInfo, Path]] = {}
        for child in sorted(directory.iterdir()):
            if only is not None and only not in (child.name, child.stem):
                continue
            self._inside(child)
            name, kind, language = child.name, "FILE", None
            if child.is_dir():
                kind = "DIRECTORY"
            elif child.name.lower().endswith(DESIGNER_SUFFIX):
                kind, language = DESIGNER_FILE, ipynb_language(child.read_bytes())
            elif child.suffix.lower() == ".ipynb":
                name, kind, language = child.stem, "NOTEBOOK", ipynb_language(child.read_bytes())
            elif child.suffix.lower()[1:] in SOURCE_LANGUAGES and _file_has_header(child):
                name, kind = child.stem, "NOTEBOOK"
                language = SOURCE_LANGUAGES[child.suffix.lower()[1:]]
            if name in entries:
                raise BadInputError(
                    f"snapshot {self.root}: {entries[name][1].name} and {child.name} are both "
                    f"the workspace object {base}/{name}"
                )
            entries[name] = (ObjectInfo(f"{base}/{name}", kind, language), child)
        return entries

    def locate(self, path: str) -> tuple[ObjectInfo, Path]:
        """The object at workspace ``path`` and the snapshot file or directory holding it.

        ``/Workspace/...`` is accepted as an alias of ``/...``, as the API does.
        """
        parts = PurePosixPath(path).parts
        below = tidy(path).lstrip("/")
        if not path.startswith("/") or (below and lexical_problem(
                below, reserved=(), device_names=False)):
            raise BadInputError(f"invalid workspace path {path!r}: expected an absolute path "
                                "without `..` or control characters")
        found = self._lookup(parts[1:])
        if found is None and parts[1:2] == ("Workspace",):
            found = self._lookup(parts[2:])
        if found is None:
            raise NotFoundError(f"{path} not found in snapshot {self.root}")
        info, disk = found
        return info._replace(path=path.rstrip("/") or "/"), disk

    def _lookup(self, names: tuple[str, ...]) -> tuple[ObjectInfo, Path] | None:
        directory = self._inside(self.root / "workspace")
        if not names:
            return (ObjectInfo("/", "DIRECTORY"), directory) if directory.is_dir() else None
        parent = self._inside(directory.joinpath(*names[:-1]))
        if not parent.is_dir():
            return None
        return self._entries(parent, only=names[-1]).get(names[-1])

    def get_status(self, path: str) -> ObjectInfo:
        self._count("workspace/get-status")
        return self.locate(path)[0]

    def list_dir(self, path: str) -> list[ObjectInfo]:
        self._count("workspace/list")
        info, disk = self.locate(path)
        if info.object_type != "DIRECTORY":
            raise NotFoundError(f"{path} is not a directory in snapshot {self.root}")
        prefix = info.path.rstrip("/")
        children = [i._replace(path=f"{prefix}/{n}") for n, (i, _) in self._entries(disk).items()]
        return sorted(children, key=lambda i: i.path)

    def current_user_name(self) -> str | None:
        return None  # a snapshot holds jobs and files, not who exported them

    def export(self, path: str) -> ExportedObject:
        self._count("workspace/export")
        info, disk = self.locate(path)
        if info.object_type == "DIRECTORY":
            raise BadInputError(f"{path} is a directory; only notebooks and files can be exported")
        notebook = info.object_type in NOTEBOOK_TYPES
        file_type = disk.suffix.lower()[1:] if notebook else disk.suffix[1:]
        return ExportedObject(info.path, disk.read_bytes(), file_type, notebook)


def _file_has_header(file: Path) -> bool:
    with file.open("rb") as f:
        return has_notebook_header(f.read(200))
