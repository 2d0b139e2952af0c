"""Flush a rendered bundle to disk in one step: the output is complete or untouched.

Files are first written to a staging directory inside ``out``; then what dabgen owns
(``databricks.yml``, ``resources/``, ``src/``) is moved aside, the staged entries are moved
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
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

from dabgen_ci.core.paths import PathRefused, relative, write_file
from dabgen_ci.errors import BadInputError

OWNED = ("databricks.yml", "resources", "src")
_STAGE_PREFIX = ".dabgen-new-"
_OLD_PREFIX = ".dabgen-old-"


class OutputError(BadInputError):
    """The output could not be written where the user asked (disk full, file size limit,
    a name too long, ``--out`` below a file); nothing was left half-written."""


def output_error(what: str, exc: OSError) -> OutputError:
    """One line for a failed local write: which path, and what the system said."""
    where = f" ({exc.filename})" if exc.filename else ""
    return OutputError(f"cannot write {what}{where}: {exc.strerror or exc}")


def check_target(out: Path, *, force: bool) -> None:
    """Refuse early (before any API call) when writing would overwrite without ``force``,
    could not happen at all, or would replace a symlink."""
    try:
        _check_target(out, force=force)
    except OSError as exc:
        raise output_error(f"--out {out}", exc) from None


def _check_target(out: Path, *, force: bool) -> None:
    if not out.exists():
        _check_creatable(out)
        return
    if not out.is_dir():
        raise BadInputError(f"--out {out} exists and is not a directory")
    if any(out.iterdir()) and not force:
        raise BadInputError(
            f"--out {out} is not empty; choose an empty directory or pass --force to replace "
            "databricks.yml, resources/ and src/ there"
        )
    for name in OWNED:
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
) -> list[str]:
    """Write ``files`` (POSIX relative path → bytes) under ``out``; returns the paths written.

    ``write`` writes one staged file (default: :func:`~dabgen_ci.core.paths.write_file`);
    it is a parameter so a test can make the disk fail at the one place that writes.
    """
    check_target(out, force=force)
    plan = _plan(files)
    created = _make_dirs(out)
    try:
        staging = Path(tempfile.mkdtemp(prefix=_STAGE_PREFIX, dir=out))
        try:
            for rel, content in plan.items():
                dest = staging.joinpath(*rel.parts)
                dest.parent.mkdir(parents=True, exist_ok=True)
                (write or _write_new)(dest, content)
            _swap(out, staging, sorted({*OWNED, *(rel.parts[0] for rel in plan)}))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException as exc:
        _remove_created(created)
        if isinstance(exc, OSError):
            raise output_error(f"the bundle in {out}", exc) from None
        raise
    return sorted(files)


def _write_new(path: Path, content: bytes) -> None:
    write_file(path, content, overwrite=False)


def _plan(files: Mapping[str, bytes]) -> dict[PurePosixPath, bytes]:
    plan = {relative(rel, what="bundle file"): data for rel, data in files.items()}
    for rel in plan:
        clash = next((p for p in rel.parents if p in plan), None)
        if clash is not None:
            raise BadInputError(f"bundle file {clash} cannot be both a file and a folder")
    return plan


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
