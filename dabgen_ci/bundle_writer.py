"""Flush a rendered bundle to disk in one step, never leaving a half-written directory.

Files are first written to a staging directory beside the target, then moved in. Without
``force`` a non-empty target is refused; with ``force`` only what dabgen owns
(``databricks.yml``, ``resources/``, ``src/``) is replaced, so a ``.git`` or a README
beside the bundle survives.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from dabgen_ci.errors import BadInputError

OWNED = ("databricks.yml", "resources", "src")


def check_target(out: Path, *, force: bool) -> None:
    """Refuse early (before any API call) when writing would overwrite without ``force``."""
    if out.exists() and not out.is_dir():
        raise BadInputError(f"--out {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise BadInputError(
            f"--out {out} is not empty; choose an empty directory or pass --force to replace "
            "databricks.yml, resources/ and src/ there"
        )


def write_bundle(out: Path, files: Mapping[str, bytes], *, force: bool) -> list[str]:
    """Write ``files`` (POSIX relative path → bytes) under ``out``; returns the paths written."""
    check_target(out, force=force)
    for rel in files:
        _check_relative(rel)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.dabgen-", dir=out.parent))
    try:
        for rel, content in files.items():
            dest = staging.joinpath(*PurePosixPath(rel).parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(content)
        _move_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(files)


def _move_in(staging: Path, out: Path) -> None:
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
        staging.mkdir()  # so the caller's cleanup has something to remove
        return
    for name in OWNED:
        old = out / name
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    for entry in staging.iterdir():
        os.replace(entry, out / entry.name)


def _check_relative(rel: str) -> None:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BadInputError(f"refusing to write {rel!r}: outside the bundle directory")


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A deterministic zip of the bundle (fixed timestamps, sorted entries)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in sorted(files):
            info = zipfile.ZipInfo(rel, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[rel])
    return buffer.getvalue()
