"""The file reading behind the secret rule: the bundle's sources and the allow markers.

:mod:`rules_secrets` is pure; this module gives it text. Sources are the files under the
bundle's ``src/`` (where dabgen puts every exported notebook and file, and where a bundle's
code lives by convention). A file that leaves the bundle through a symlink is not read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.paths import is_inside
from dabgen_ci.core.secrets import ALLOW_MARKER, SecretAllowlist
from dabgen_ci.validate.rules_secrets import SOURCE, check_source, marked_lines

SRC_DIR = "src"
MAX_SCANNED_BYTES = 32 * 1024 * 1024  # a source larger than this is reported, not read


def with_markers(root: Path, config_files: Iterable[str], allow: SecretAllowlist,
                 contents: Mapping[str, bytes] | None = None) -> SecretAllowlist:
    """``allow`` plus the lines of the configuration files that carry the marker
    (``contents``: bytes in hand — files the caller has just written or already read —
    which are not read again)."""
    marked: set[tuple[str, int]] = set()
    for rel in config_files:
        text = _read(root, rel, contents)
        if text is not None and ALLOW_MARKER in text:
            marked |= marked_lines(rel, text)
    return allow.with_marked(frozenset(marked))


def scan_sources(root: Path, files: Iterable[str], allow: SecretAllowlist,
                 contents: Mapping[str, bytes] | None = None, *,
                 confined: bool = False) -> list[Diagnostic]:
    """Secret findings in every file under ``src/`` (``contents``: as in
    :func:`with_markers`; ``confined``: every file is known to lie inside the bundle, as
    :func:`~dabgen_ci.validate.files.scan_files` lists them)."""
    out: list[Diagnostic] = []
    for rel in sorted(f for f in files if f.startswith(SRC_DIR + "/")):
        if _size(root, rel, contents) > MAX_SCANNED_BYTES:
            out.append(Diagnostic("warning", f"not scanned for secrets: larger than "
                                  f"{MAX_SCANNED_BYTES // (1024 * 1024)} MB", file=rel,
                                  source=SOURCE))
            continue
        text = _read(root, rel, contents, check_inside=not confined)
        if text is not None:
            out.extend(check_source(rel, text, allow))
    return out


def _size(root: Path, rel: str, contents: Mapping[str, bytes] | None) -> int:
    written = contents.get(rel) if contents else None
    if written is not None:
        return len(written)
    path = root / rel
    return path.stat().st_size if path.is_file() else 0


def _read(root: Path, rel: str, contents: Mapping[str, bytes] | None = None, *,
          check_inside: bool = True) -> str | None:
    """The file's text (undecodable bytes replaced: token shapes are ASCII), or None when it
    cannot be read or lies outside the bundle."""
    written = contents.get(rel) if contents else None
    if written is not None:
        return written.decode("utf-8", "replace")
    path = root / rel
    try:
        if check_inside and not is_inside(root, path):
            return None
        return path.read_bytes().decode("utf-8", "replace")
    except (OSError, RuntimeError):
        return None
