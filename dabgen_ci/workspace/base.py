"""The one protocol every workspace source implements (live databricks-sdk or snapshot dir).

Flows depend on this protocol only, so the same flow runs against a real workspace, a
snapshot directory on disk, or the test server. Sources return *raw* API JSON (dicts), never
SDK dataclasses: the typed SDK models drop fields they do not know, and dabgen's promise is
that nothing a user wrote in a job is lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.core.workspace_objects import ExportedObject, ObjectInfo

__all__ = ["ExportedObject", "ObjectInfo", "WorkspaceSource"]


@runtime_checkable
class WorkspaceSource(Protocol):
    """Read access to a Databricks workspace.

    ``calls`` counts API calls by endpoint (``"jobs/get"``, ``"jobs/list"``,
    ``"workspace/export"``...) so the CLI can report them and benchmarks can check budgets.
    Implementations must be safe to call from several threads at once (exports run in a
    bounded pool). Errors are :mod:`dabgen_ci.errors` subclasses, never SDK exceptions.
    """

    calls: Counter[str]

    def describe(self) -> str:
        """A short human description: ``snapshot ./snap`` or ``https://adb-1.azuredatabricks.net``."""
        ...

    def get_job(self, job_id: int) -> JsonObject:
        """The ``jobs/get`` (2.2) body, all task/cluster/environment pages merged."""
        ...

    def list_jobs(self, *, name: str | None = None) -> Iterator[JsonObject]:
        """``jobs/list`` (2.2, ``expand_tasks=true``) items; an item with ``has_more`` true
        has more than 100 tasks and must be completed with :meth:`get_job`."""
        ...

    def get_status(self, path: str) -> ObjectInfo: ...

    def list_dir(self, path: str) -> list[ObjectInfo]: ...

    def export(self, path: str) -> ExportedObject: ...

    def current_user_name(self) -> str | None:
        """The ``userName`` of the identity the source reads as (``~`` in bundle paths), or
        ``None`` where there is none (a snapshot)."""
        ...
