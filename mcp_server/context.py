"""What a tool is given: the one typed record every tool function takes first.

Tools are module-level functions, ``tool(ctx, **arguments)``, so each can be called and
tested alone. ``ctx`` holds exactly what they depend on — the workspace (opened by the first
tool that needs it), the local root every file tool is confined to, whether writes are
allowed, the environment the ``databricks`` CLI runs with, and the size caps — and no
factories or caches beyond the one workspace connection. Two servers with different roots,
policies or CLI environments can live in one process, because nothing is read from the
process environment here.

databricks-sdk is imported only inside the opener of :func:`workspace_for`, so building the
server (``initialize``, ``tools/list``) never loads it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from dabgen_ci.core.redact import Redactor
from dabgen_ci.workspace.base import WorkspaceSource
from mcp_server import bounds, safety

if TYPE_CHECKING:
    from dabgen_ci.workspace.ops import WorkspaceOps

Mode = Literal["live", "snapshot"]
WorkspacePair = tuple[WorkspaceSource, "WorkspaceOps"]
Opener = Callable[[], WorkspacePair]


@dataclass(frozen=True)
class Caps:
    """How much a tool reads or returns. A model's context is the scarce resource; the
    defaults are the server's, and a test may shrink one to reach its edge cheaply."""

    result_bytes: int = bounds.MAX_RESULT_BYTES  # every result, cut by the server
    job_bytes: int = 256 * 1024  # get_job: above this a job keeps only its first tasks
    kept_tasks: int = 50  # ... this many of them
    sql_bytes: int = 1024 * 1024  # execute_dbsql: JSON of the rows returned
    notebook_bytes: int = 5 * 1024 * 1024  # analyze_notebook: a local file
    upload_files: int = 1000  # upload_bundle: files per call
    sync_objects: int = 1000  # sync_workspace_to_local: notebooks and files per call


class LazyWorkspace:
    """The workspace connection, opened once by the first tool that needs it (thread-safe:
    MCP runs tools on worker threads). Local tools, and ``health`` explaining why a
    connection fails, work without it."""

    def __init__(self, opener: Opener, *, mode: Mode, label: str) -> None:
        self.mode = mode
        self.label = label  # what to name when opening fails: a directory or a profile
        self._opener = opener
        self._pair: WorkspacePair | None = None
        self._lock = threading.Lock()

    def _open(self) -> WorkspacePair:
        with self._lock:
            if self._pair is None:
                self._pair = self._opener()
            return self._pair

    def source(self) -> WorkspaceSource:
        return self._open()[0]

    def ops(self) -> WorkspaceOps:
        return self._open()[1]


def workspace_for(snapshot: Path | None, profile: str | None) -> LazyWorkspace:
    """dabgen's workspace adapters for a snapshot directory or databricks-sdk unified auth
    (``--profile``, else ``DATABRICKS_HOST``/``DATABRICKS_TOKEN``…), opened on first use."""

    def open_pair() -> WorkspacePair:
        from dabgen_ci.workspace.ops import open_workspace  # imports databricks-sdk

        return open_workspace(snapshot=snapshot, profile=profile)

    mode: Mode = "snapshot" if snapshot is not None else "live"
    return LazyWorkspace(open_pair, mode=mode, label=str(snapshot or profile or "the workspace"))


@dataclass(frozen=True)
class ToolContext:
    """Everything a tool depends on, passed explicitly."""

    root: Path  # resolved on construction; the file tools are confined to it
    workspace: LazyWorkspace
    env: Mapping[str, str]  # for the databricks CLI and for redacting its output and errors
    allow_writes: bool = False
    profile: str | None = None  # passed on to the databricks CLI
    caps: Caps = field(default_factory=Caps)

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root).resolve())

    def source(self) -> WorkspaceSource:
        return self.workspace.source()

    def ops(self) -> WorkspaceOps:
        return self.workspace.ops()

    def local(self, user_path: str, what: str = "path") -> Path:
        """``user_path`` confined to the root by the one path rule (or refused)."""
        return safety.confine(self.root, user_path, what=what)

    def shown(self, path: Path) -> str:
        return safety.relative_to_root(self.root, path)

    def require_writes(self, action: str) -> None:
        safety.require_writes(self.allow_writes, action)

    def redact(self, text: str) -> str:
        """``text`` without the credentials of :attr:`env` or anything token-shaped."""
        return Redactor.from_env(self.env).redact(text)
