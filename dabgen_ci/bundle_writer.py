"""Flush a rendered bundle (or a snapshot) to disk in one step: the output is complete or
untouched.

Files are first written to a staging directory inside ``out``; then what dabgen owns
(``databricks.yml``, ``resources/``, ``src/``; ``jobs/`` and ``workspace/`` of a snapshot)
is moved aside, the staged entries are moved
in with renames, and only then is the old copy deleted. Any failure or interruption before
that point (a full disk, a name the file system refuses, Ctrl-C) moves the old entries back,
so the directory is the old tree or the new one, never a mixture. ``out`` itself is never
replaced (it may be the root an MCP client named, or hold a ``.git``).

Without ``force`` a non-empty target is refused. With ``force`` only the owned entries are
replaced; a symlink among them is refused before anything is touched, because replacing
it would decide for the user what happens to the tree it points at.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from dabgen_ci.core.paths import PathRefused, check_relative, write_file
from dabgen_ci.errors import BadInputError

OWNED = ("databricks.yml", "resources", "src")
_STAGE_PREFIX = ".dabgen-new-"
_OLD_PREFIX = ".dabgen-old-"


@dataclass(frozen=True)
class Layout:
    """What dabgen owns in an output folder (and replaces with ``force``), and its name."""

    owned: tuple[str, ...]
    described: str  # the owned entries, as the refusal to overwrite names them
    noun: str  # what the folder holds, for messages


BUNDLE = Layout(OWNED, "databricks.yml, resources/ and src/", "bundle")
SNAPSHOT = Layout(("jobs", "workspace"), "jobs/ and workspace/", "snapshot")


class OutputError(BadInputError):
    """The output could not be written where the user asked (disk full, file size limit,
    a name too long, ``--out`` below a file); nothing was left half-written."""


def output_error(what: str, exc: OSError) -> OutputError:
    """One line for a failed local write: which path, and what the system said."""
    where = f" ({exc.filename})" if exc.filename else ""
    return OutputError(f"cannot write {what}{where}: {exc.strerror or exc}")


def check_target(out: Path, *, force: bool, layout: Layout = BUNDLE) -> None:
    """Refuse early (before any API call) when writing would overwrite without ``force``,
    could not happen at all, or would replace a symlink."""
    try:
        _check_target(out, force=force, layout=layout)
    except OSError as exc:
        raise output_error(f"--out {out}", exc) from None


def _check_target(out: Path, *, force: bool, layout: Layout) -> None:
    if not out.exists():
        _check_creatable(out)
        return
    if not out.is_dir():
        raise BadInputError(f"--out {out} exists and is not a directory")
    if any(out.iterdir()) and not force:
        raise BadInputError(
            f"--out {out} is not empty; choose an empty directory or pass --force to replace "
            f"{layout.described} there"
        )
    for name in layout.owned:
        if (out / name).is_symlink():
            raise PathRefused(
                f"--out {out}: {name} is a symbolic link; dabgen replaces only real files and "
                "folders. Remove the link or choose another --out"
            )


def _check_creatable(out: Path) -> None:
    """The nearest existing ancestor of a new ``out`` must be a directory."""
    for ancestor in out.absolute().parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise BadInputError(f"--out {out} is below {ancestor}, which is a file")
            return


def write_bundle(
    out: Path,
    files: Mapping[str, bytes],
    *,
    force: bool,
    write: Callable[[Path, bytes], None] | None = None,
    layout: Layout = BUNDLE,
) -> list[str]:
    """Write ``files`` (POSIX relative path → bytes) under ``out``; returns the paths written.

    ``write`` writes one staged file (default: :func:`~dabgen_ci.core.paths.write_file`);
    it is a parameter so a test can make the disk fail at the one place that writes.
    """
    with StagedBundle(out, force=force, write=write, layout=layout) as staged:
        return staged.commit(files)


class StagedBundle:
    """A bundle written file by file into a staging folder inside ``out`` — as soon as each
    file is known, by background threads — then moved in at once by :meth:`commit`.

    Creating thousands of small files is mostly file-system work that does not hold the
    interpreter, so it overlaps the exports still in flight and the rendering of the rest.
    Leaving the ``with`` block without a commit (an error, Ctrl-C) removes the staging
    folder and any directory created for ``out``: the output stays untouched.
    """

    def __init__(self, out: Path, *, force: bool, write: Callable[[Path, bytes], None] | None
                 = None, threads: int = 2, layout: Layout = BUNDLE) -> None:
        self._out, self._force, self._write = out, force, write or _write_new
        self._layout = layout
        # (checked relative path, content or None to remove, whether it was written before)
        self._queue: queue.Queue[tuple[str, bytes | None, bool] | None] = queue.Queue()
        self._workers = [threading.Thread(target=self._work, name=f"dabgen-write-{n}")
                         for n in range(threads)]
        self._staged: dict[str, bytes] = {}  # path (checked by the lexical rule) → content
        self._errors: list[BaseException] = []
        self._dirs: set[str] = set()
        self._lock = threading.Lock()
        # After commit: whether ``out`` holds exactly the files committed (everything there
        # before was replaced), so a caller may take its file list from them, not a walk.
        self.only_written = False

    def __enter__(self) -> StagedBundle:
        check_target(self._out, force=self._force, layout=self._layout)
        self._created = _make_dirs(self._out)
        try:
            self._before = frozenset(os.listdir(self._out))
            self._staging = Path(tempfile.mkdtemp(prefix=_STAGE_PREFIX, dir=self._out))
        except OSError as exc:
            _remove_created(self._created)
            raise output_error(self._what, exc) from None
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if exc is not None:
            self._errors.append(exc)  # workers skip the rest
        for _ in self._workers:
            self._queue.put(None)
        for worker in self._workers:
            worker.join()
        shutil.rmtree(self._staging, ignore_errors=True)
        if exc is not None:
            _remove_created(self._created)

    @property
    def _what(self) -> str:
        return f"the {self._layout.noun} in {self._out}"

    def put(self, rel: str, content: bytes) -> None:
        """Write ``content`` at ``rel`` in the background (again only if it changed)."""
        previous = self._staged.get(rel)
        if previous is not None:
            if previous is content or previous == content:
                return
            self._drain()  # the earlier write of this file is done before it is replaced
        else:  # refused here, before anything is written
            check_relative(rel, what=f"{self._layout.noun} file")
        self._staged[rel] = content
        self._queue.put((rel, content, previous is not None))

    def commit(self, files: Mapping[str, bytes]) -> list[str]:
        """Write whatever of ``files`` is not staged yet, drop staged files not in it, wait
        for every write and move the bundle in."""
        for rel in files:
            if rel not in self._staged:
                check_relative(rel, what=f"{self._layout.noun} file")
        _check_clashes(files, self._layout.noun)
        for rel, content in files.items():
            self.put(rel, content)
        for rel in [rel for rel in self._staged if rel not in files]:
            del self._staged[rel]
            self._queue.put((rel, None, True))  # staged early, left out
        self._drain()
        replaced = {*self._layout.owned, *(rel.partition("/")[0] for rel in files)}
        try:
            _swap(self._out, self._staging, sorted(replaced))
        except OSError as exc:
            raise output_error(self._what, exc) from None
        self.only_written = self._before <= replaced
        return sorted(files)

    def _drain(self) -> None:
        """Wait for every queued write; the first that failed is raised here."""
        self._queue.join()
        if self._errors:
            exc = self._errors[0]
            if isinstance(exc, OSError):
                raise output_error(self._what, exc) from None
            raise exc

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                if not self._errors:
                    self._write_one(*item)
            except BaseException as exc:  # handed to the thread that commits
                self._errors.append(exc)
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _write_one(self, rel: str, content: bytes | None, again: bool) -> None:
        dest = self._staging / rel  # ``rel`` passed the lexical rule: plain segments only
        folder = rel.rpartition("/")[0]
        if folder not in self._dirs:
            with self._lock:
                dest.parent.mkdir(parents=True, exist_ok=True)
                self._dirs.add(folder)
        if again:
            dest.unlink()
        if content is not None:
            self._write(dest, content)


def _write_new(path: Path, content: bytes) -> None:
    write_file(path, content, overwrite=False)


def _check_clashes(paths: Iterable[str], noun: str) -> None:
    """No path may be a folder of another (``a`` and ``a/b``); the paths passed the lexical
    rule, so their folders are exactly the prefixes that end before a ``/``."""
    wanted = set(paths)
    folders: set[str] = set()
    for rel in wanted:
        n = rel.find("/")
        while n != -1:
            folders.add(rel[:n])
            n = rel.find("/", n + 1)
    clashes = wanted & folders
    if clashes:
        raise BadInputError(f"{noun} file {min(clashes)} cannot be both a file and a folder")


def _make_dirs(out: Path) -> list[Path]:
    """Create ``out`` and its missing parents; return what was created, deepest first."""
    missing = [p for p in (out, *out.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(f"--out {out}", exc) from None
    return missing


def _remove_created(created: list[Path]) -> None:
    for directory in created:
        with contextlib.suppress(OSError):
            directory.rmdir()


def _swap(out: Path, staging: Path, names: list[str]) -> None:
    """Move the owned ``names`` aside, the staged entries in; put everything back if any
    step fails or is interrupted, so ``out`` holds the old tree or the new one."""
    old = Path(tempfile.mkdtemp(prefix=_OLD_PREFIX, dir=out))
    staged = sorted(entry.name for entry in staging.iterdir())
    try:
        for name in names:
            if os.path.lexists(out / name):
                os.rename(out / name, old / name)
        for name in staged:
            os.rename(staging / name, out / name)
    except BaseException:
        # Undo from what the file system says, not from bookkeeping: an interruption can
        # land between a rename and the line after it.
        for name in staged:
            if not os.path.lexists(staging / name) and os.path.lexists(out / name):
                _remove(out / name)
        for name in names:
            if os.path.lexists(old / name):
                os.rename(old / name, out / name)
        shutil.rmtree(old, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def check_zip_target(path: Path) -> None:
    """Refuse early when the zip could not be written: no such folder, or a folder there."""
    parent = path.absolute().parent
    if not parent.is_dir():
        raise OutputError(f"--zip {path}: folder {parent} does not exist")
    if path.is_dir():
        raise OutputError(f"--zip {path} is a directory")


def write_zip(path: Path, files: Mapping[str, bytes]) -> None:
    """Write the zip next to ``path`` under a temporary name, then rename it into place:
    a full disk leaves the old zip (or none), never a truncated one."""
    check_zip_target(path)
    parent = path.absolute().parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".dabgen-tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(zip_bytes(files))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise output_error(f"--zip {path}", exc) from None
        raise


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A deterministic zip of the bundle (fixed timestamps, sorted entries)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in sorted(files):
            info = zipfile.ZipInfo(rel, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[rel])
    return buffer.getvalue()
