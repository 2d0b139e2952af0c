"""Before/after of a bundle directory: what the agent changed, and putting it back exactly.

A snapshot holds every regular file's bytes and mode (``.git`` excluded: it is not the
bundle; symbolic links are left alone: the agent cannot create them and may not write
through one that leaves the bundle). Restoring rewrites changed files, recreates deleted
ones and removes added files and the directories the agent created, so a rejected
refinement leaves no trace.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from dabgen_ci.core.paths import write_file

_SKIP_DIRS = frozenset({".git"})
MAX_DIFF_CHARS = 20_000


@dataclass(frozen=True)
class Snapshot:
    root: Path
    files: Mapping[str, tuple[bytes, int]]  # POSIX relative path → (content, mode)
    dirs: frozenset[str]


@dataclass(frozen=True)
class FileChange:
    path: str
    kind: str  # "added" | "modified" | "deleted"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "kind": self.kind}


def take_snapshot(root: Path) -> Snapshot:
    files: dict[str, tuple[bytes, int]] = {}
    dirs: set[str] = set()
    for rel, path in _walk(root, dirs):
        files[rel] = (path.read_bytes(), path.stat().st_mode & 0o7777)
    return Snapshot(root, files, frozenset(dirs))


def changes_since(snapshot: Snapshot) -> tuple[FileChange, ...]:
    now = _current(snapshot.root)
    out = [FileChange(p, "added") for p in now.keys() - snapshot.files.keys()]
    out += [FileChange(p, "deleted") for p in snapshot.files.keys() - now.keys()]
    out += [FileChange(p, "modified") for p in now.keys() & snapshot.files.keys()
            if now[p] != snapshot.files[p][0]]
    return tuple(sorted(out, key=lambda c: c.path))


def unified_diff(snapshot: Snapshot, changes: tuple[FileChange, ...]) -> str:
    """A reviewable diff of the text files that changed, bounded in size."""
    chunks: list[str] = []
    for change in changes:
        before = snapshot.files.get(change.path, (b"", 0))[0]
        path = snapshot.root / change.path
        after = path.read_bytes() if change.kind != "deleted" else b""
        try:
            old, new = before.decode().splitlines(True), after.decode().splitlines(True)
        except UnicodeDecodeError:
            chunks.append(f"Binary file {change.path} {change.kind}\n")
            continue
        chunks.append("".join(difflib.unified_diff(
            old, new, f"a/{change.path}" if change.kind != "added" else "/dev/null",
            f"b/{change.path}" if change.kind != "deleted" else "/dev/null")))
    text = "".join(chunk if chunk.endswith("\n") else chunk + "\n" for chunk in chunks if chunk)
    if len(text) > MAX_DIFF_CHARS:
        return text[:MAX_DIFF_CHARS] + "\n[... diff truncated by dabgen]\n"
    return text


def restore(snapshot: Snapshot) -> None:
    """Make the directory byte-for-byte what it was when ``snapshot`` was taken."""
    root = snapshot.root
    dirs_now: set[str] = set()
    for rel, path in list(_walk(root, dirs_now)):
        if rel not in snapshot.files:
            path.unlink()
    for rel, (content, mode) in snapshot.files.items():
        path = root / rel
        if path.is_symlink() or path.is_dir():
            _remove(path)
        if not path.is_file() or path.read_bytes() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_file(path, content)  # never through a link planted meanwhile
        if path.stat().st_mode & 0o7777 != mode:
            path.chmod(mode)
    for rel in sorted(dirs_now - snapshot.dirs, key=lambda d: -d.count("/")):
        _remove(root / rel)


def _current(root: Path) -> dict[str, bytes]:
    return {rel: path.read_bytes() for rel, path in _walk(root, set())}


def _walk(root: Path, dirs: set[str]) -> Iterator[tuple[str, Path]]:
    for current, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
        here = Path(current)
        for d in subdirs:
            dirs.add((here / d).relative_to(root).as_posix())
        for name in sorted(names):
            path = here / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        for child in path.iterdir():
            _remove(child)
        path.rmdir()
