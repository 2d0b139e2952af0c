"""The one rule for "this path stays inside the directory the user named".

Every file dabgen reads or writes for someone (a bundle on disk, a git work tree, an MCP
client's root, the agent's bundle, a snapshot) goes through this module, so the rule is
written once:

* **lexical** (pure, :func:`lexical_problem` / :func:`relative`): a relative POSIX path with
  no ``..``, no absolute or drive prefix, no NUL or control character, no backslash, no
  empty or ``.`` segment, no ``.git`` segment (any case), no component over 255 bytes or
  path over 4096 bytes; paths that become local files also refuse the names Windows
  reserves for devices (``con``, ``aux``, ``nul``, ``com1``… with any extension), which no
  checkout on Windows could create;
* **file system** (:func:`confine`): the root and the path are resolved (symlinks
  followed, a dangling link to its target) and the result must still be the root or below
  it — a link that stays inside is fine, one that leaves is refused;
* **writing** (:func:`write_file`): files are opened with ``O_NOFOLLOW`` so a symlink
  planted at the final name is never written through.

This is the one module of ``core`` that touches the file system: confinement is a
question about where links point, which only the file system can answer. It reads link
metadata and opens files; it does no network and keeps no state.
"""

from __future__ import annotations

import errno
import os
import re
import unicodedata
from collections.abc import Collection
from pathlib import Path, PurePosixPath

from dabgen_ci.errors import BadInputError

NAME_MAX_BYTES = 255  # one path component (ext4, APFS, XFS)
PATH_MAX_BYTES = 4096  # a whole path (Linux PATH_MAX)
GIT_DIR = ".git"
WINDOWS_DEVICE_NAMES = frozenset({
    "con", "prn", "aux", "nul",
    *(f"com{n}" for n in "123456789"), *(f"lpt{n}" for n in "123456789"),
})
_DRIVE = re.compile(r"^[A-Za-z]:")
# The paths a bundle is made of, accepted by one match instead of the checks per segment
# (most of a bundle's path checking): ASCII letters, digits and ``_ .-`` only, so a byte is
# a character; every segment starts with a letter, digit or ``_``, so none is empty, ``.``,
# ``..`` or hidden (every reserved name dabgen uses starts with a dot); none is a Windows
# device name (``con``, ``com1.txt``, ``nul ``). ``tests/core/test_paths_plain.py`` checks
# it accepts only what the full rule accepts.
_PLAIN_SEGMENT = (r"(?!(?:con|prn|aux|nul|com[1-9]|lpt[1-9]) *(?:[./]|\Z))"
                  r"[a-z0-9_][a-z0-9_ .\-]{0,254}")
_PLAIN_PATH = re.compile(rf"{_PLAIN_SEGMENT}(?:/{_PLAIN_SEGMENT})*", re.IGNORECASE | re.ASCII)
# The two lexical problems that mean "leaves the directory" (the others: "is unusable").
GOES_UP = "goes up with `..`"
ABSOLUTE = "is absolute; give a path relative to the directory"


class PathRefused(BadInputError):
    """A path that would leave the directory it must stay in, or that no file system
    dabgen writes for could hold. The message names the path and the reason."""


def lexical_problem(
    path: str,
    *,
    reserved: Collection[str] = (GIT_DIR,),
    device_names: bool = True,
    allow_self: bool = False,
) -> str | None:
    """Why ``path`` is not a canonical relative path below its directory; None when it is.

    ``reserved``: segment names refused anywhere in the path, case-insensitively (``.git``
    unless the path is not a local one, e.g. a workspace path). ``device_names``: the path
    names a file dabgen creates, so Windows device names are refused. ``allow_self``:
    ``"."`` (the directory itself) is accepted.
    """
    if (len(path) <= PATH_MAX_BYTES and _PLAIN_PATH.fullmatch(path)
            and all(name.startswith(".") for name in reserved)):
        return None
    return _full_problem(path, reserved=reserved, device_names=device_names,
                         allow_self=allow_self)


def _full_problem(
    path: str,
    *,
    reserved: Collection[str] = (GIT_DIR,),
    device_names: bool = True,
    allow_self: bool = False,
) -> str | None:
    """:func:`lexical_problem` without the shortcut for plain paths."""
    if path == "." and allow_self:
        return None
    if not path:
        return "is empty"
    if "\x00" in path:
        return "contains a NUL character"
    # Every control character is unprintable: the per-character look-up runs only for the
    # rare path that holds an unprintable one (it was most of this check's time).
    if not path.isprintable() and any(unicodedata.category(ch) == "Cc" for ch in path):
        return "contains a control character"
    if "\\" in path:
        return "contains a backslash; use / between folders"
    if path.startswith("/") or _DRIVE.match(path):
        return ABSOLUTE
    if len(path.encode("utf-8")) > PATH_MAX_BYTES:
        return f"is longer than {PATH_MAX_BYTES} bytes"
    refused = {name.casefold() for name in reserved}
    for part in path.split("/"):
        problem = _segment_problem(part, refused, device_names=device_names)
        if problem:
            return problem
    return None


def _segment_problem(part: str, refused: set[str], *, device_names: bool) -> str | None:
    if part == "..":
        return GOES_UP
    if part in ("", "."):
        return "has an empty or `.` segment"
    if part.casefold() in refused:
        return f"is inside `{part}`, a protected directory dabgen never reads or writes"
    if len(part.encode("utf-8")) > NAME_MAX_BYTES:
        return f"has a name longer than {NAME_MAX_BYTES} bytes"
    if device_names and part.split(".")[0].rstrip(" ").casefold() in WINDOWS_DEVICE_NAMES:
        return f"uses {part!r}, a name Windows reserves for a device"
    return None


def relative(
    path: str,
    *,
    what: str = "path",
    reserved: Collection[str] = (GIT_DIR,),
    device_names: bool = True,
    allow_self: bool = False,
) -> PurePosixPath:
    """``path`` as a :class:`PurePosixPath` when the lexical rule accepts it, else
    :class:`PathRefused` naming ``what``."""
    check_relative(path, what=what, reserved=reserved, device_names=device_names,
                   allow_self=allow_self)
    return PurePosixPath(path)


def check_relative(
    path: str,
    *,
    what: str = "path",
    reserved: Collection[str] = (GIT_DIR,),
    device_names: bool = True,
    allow_self: bool = False,
) -> None:
    """:func:`relative` for a caller that needs no path object (building one cost the
    bundle writer more than the check)."""
    problem = lexical_problem(path, reserved=reserved, device_names=device_names,
                              allow_self=allow_self)
    if problem:
        raise PathRefused(f"{what} {path!r} {problem}")


def tidy(path: str) -> str:
    """What a person typed, without the harmless noise: ``./a//b/`` → ``a/b`` (``.`` for
    nothing). ``..`` is kept, so the lexical rule still sees it."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    prefix = "/" if path.startswith("/") else ""
    return prefix + "/".join(parts) if parts else (prefix or ".")


def confine(
    root: Path,
    path: str | os.PathLike[str],
    *,
    what: str = "path",
    where: str | None = None,
    allow_absolute: bool = False,
    allow_self: bool = False,
    reserved: Collection[str] = (),
) -> Path:
    """The real path of ``path`` (relative to ``root``; with ``allow_absolute`` also an
    absolute path below it), refused with :class:`PathRefused` unless it stays inside.

    The lexical rule applies to the part below the root; then symlinks are resolved and
    the result must be the root (only with ``allow_self``) or below it. ``.git`` and the
    ``reserved`` names are refused on both sides of the resolution. ``where`` names the
    root in messages (default: the root's path).
    """
    refused = (GIT_DIR, *reserved)
    real_root = Path(os.path.realpath(root))
    shown_root = where or str(real_root)
    text = tidy(os.fspath(path))
    if text.startswith("~") and allow_absolute:
        text = tidy(os.path.expanduser(text))
    if text.startswith("/") and allow_absolute:
        below = _below(text, (Path(os.path.abspath(root)), real_root))
        if below is None:
            raise PathRefused(f"{what} {os.fspath(path)!r} is outside {shown_root}")
        text = below
    problem = lexical_problem(text, reserved=refused, device_names=False, allow_self=True)
    if problem in (GOES_UP, ABSOLUTE):
        raise PathRefused(f"{what} {os.fspath(path)!r} is outside {shown_root}: it {problem}")
    if problem:
        raise PathRefused(f"{what} {os.fspath(path)!r} {problem}")
    resolved = _resolve(real_root / text)
    if resolved is None:
        raise PathRefused(f"{what} {os.fspath(path)!r} goes through a symbolic link loop")
    if resolved == real_root and not allow_self:
        raise PathRefused(f"{what} {os.fspath(path)!r} is {shown_root} itself; name a "
                          "folder or file inside it")
    if resolved != real_root and real_root not in resolved.parents:
        raise PathRefused(f"{what} {os.fspath(path)!r} is outside {shown_root}: a symbolic "
                          "link on the way leaves it")
    inside = resolved.relative_to(real_root).as_posix()
    problem = lexical_problem(inside, reserved=refused, device_names=False, allow_self=True)
    if problem:
        raise PathRefused(f"{what} {os.fspath(path)!r} resolves to {inside!r}, which "
                          f"{problem}")
    return resolved


def write_target(root: Path, path: str, *, what: str = "path", where: str | None = None,
                 reserved: Collection[str] = ()) -> Path:
    """Where to write ``path`` below ``root``: confined like :func:`confine` (so a link at
    the final name that leads out is refused), with its folder resolved but its final name
    kept as it is, for :func:`write_file` to open without following it."""
    confine(root, path, what=what, where=where, reserved=reserved)
    text = tidy(path)
    folder, _, name = text.rpartition("/")
    parent = confine(root, folder or ".", what=what, where=where, reserved=reserved,
                     allow_self=True)
    return parent / name


def _resolve(path: Path) -> Path | None:
    """``path`` with every symlink followed; a dangling link gives the path it would create;
    None for a symlink loop."""
    missing: list[str] = []
    current = path
    while True:
        try:
            base = os.path.realpath(current, strict=True)
            break
        except FileNotFoundError:
            if os.path.islink(current):
                base = os.path.realpath(current)
                break
            missing.append(current.name)
            current = current.parent
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return None
            base = os.path.realpath(current)  # a file on the way (ENOTDIR): no link to follow
            break
    return Path(base).joinpath(*reversed(missing))


def _below(absolute: str, bases: tuple[Path, ...]) -> str | None:
    """``absolute`` relative to the first of ``bases`` it is lexically below, or None."""
    parts = PurePosixPath(absolute).parts
    for base in bases:
        base_parts = base.parts
        if parts[: len(base_parts)] == base_parts:
            return "/".join(parts[len(base_parts):]) or "."
    return None


def is_inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (resolved, symlinks followed) is ``root`` or below it."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip("/") + "/")


def write_file(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` without following a symlink at ``path`` itself.

    ``overwrite=False`` refuses an existing file (``O_EXCL``). A link at the final name
    is refused rather than written through (``O_NOFOLLOW``), so a dangling link cannot
    create a file outside, and a link to an outside file cannot replace it.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
    flags |= os.O_TRUNC if overwrite else os.O_EXCL
    # The open alone decides (a bundle writes tens of thousands of files: no lstat before,
    # no buffered file object after): O_NOFOLLOW fails on a link with ELOOP, O_EXCL with
    # EEXIST, which is told apart from a plain existing file only then.
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno == errno.EEXIST and os.path.islink(path)):
            raise PathRefused(f"{path} is a symbolic link; dabgen does not write through "
                              "links") from None
        raise
    try:
        rest = memoryview(data)
        while rest:
            rest = rest[os.write(fd, rest):]
    finally:
        os.close(fd)
