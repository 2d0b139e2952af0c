"""The one confinement rule, as a table: lexical cases, then the file system (symlinks that
stay or leave, dangling links, the root itself), then writing without following links."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dabgen_ci.core.paths import (
    PathRefused,
    confine,
    is_inside,
    lexical_problem,
    relative,
    tidy,
    write_file,
    write_target,
)
from dabgen_ci.errors import BadInputError

LEXICAL = [
    # (path, keyword arguments, fragment of the problem, or None when accepted)
    ("src/a.py", {}, None),
    ("src/ü n/nb.py", {}, None),
    ("resources/job.job.yml", {}, None),
    ("a/.gitignore", {}, None),
    ("a/.github/x", {}, None),
    (".claude/settings.json", {}, None),
    ("", {}, "empty"),
    (".", {}, "empty or `.`"),
    (".", {"allow_self": True}, None),
    ("..", {}, "`..`"),
    ("../x", {}, "`..`"),
    ("a/../b", {}, "`..`"),
    ("a/..", {}, "`..`"),
    ("/etc/passwd", {}, "absolute"),
    ("C:/Windows", {}, "absolute"),
    ("c:x", {}, "absolute"),
    ("a\\..\\b", {}, "backslash"),
    ("a\x00b", {}, "NUL"),
    ("a\nb", {}, "control"),
    ("a\x1bb", {}, "control"),
    ("a//b", {}, "empty"),
    ("./a", {}, "empty"),
    ("a/", {}, "empty"),
    (".git", {}, ".git"),
    ("a/.GIT/hooks/pre-commit", {}, ".GIT"),
    (".git", {"reserved": ()}, None),
    (".claude/x", {"reserved": (".git", ".claude")}, ".claude"),
    ("src/con.py", {}, "Windows"),
    ("src/AUX", {}, "Windows"),
    ("src/lpt9.txt.bak", {}, "Windows"),
    ("src/nul .py", {}, "Windows"),
    ("src/con.py", {"device_names": False}, None),
    ("src/console.py", {}, None),
    ("src/com10.py", {}, None),
    ("x" * 255, {}, None),
    ("x" * 256, {}, "255 bytes"),
    ("é" * 128, {}, "255 bytes"),
    ("/".join(["abcdefgh"] * 455), {}, None),
    ("/".join(["abcdefgh"] * 455) + "/xy", {}, "4096 bytes"),
]


@pytest.mark.parametrize(("path", "kwargs", "expected"), LEXICAL)
def test_lexical_rule(path: str, kwargs: dict, expected: str | None) -> None:
    problem = lexical_problem(path, **kwargs)
    if expected is None:
        assert problem is None, problem
        assert relative(path, **kwargs).as_posix() == path
    else:
        assert problem is not None and expected in problem, problem
        with pytest.raises(PathRefused, match="bundle file"):
            relative(path, what="bundle file", **kwargs)


def test_refusal_is_bad_input_exit_2() -> None:
    assert issubclass(PathRefused, BadInputError) and PathRefused.exit_code == 2


@pytest.mark.parametrize(("typed", "tidied"), [
    ("./a//b/", "a/b"), (".", "."), ("", "."), ("a/../b", "a/../b"), ("/x/./y", "/x/y"),
    ("/", "/"),
])
def test_tidy_drops_only_harmless_noise(typed: str, tidied: str) -> None:
    assert tidy(typed) == tidied


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/ with a real folder, links that stay and links that leave, and outside/."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "a").mkdir(parents=True)
    (root / ".git").mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("outside")
    (root / "a" / "f.txt").write_text("inside")
    (root / "inner").symlink_to(root / "a", target_is_directory=True)
    (root / "leave").symlink_to(outside, target_is_directory=True)
    (root / "a" / "up").symlink_to("../../outside/secret.txt")
    (root / "dangling").symlink_to(outside / "not-yet.txt")
    (root / "to-git").symlink_to(root / ".git", target_is_directory=True)
    (root / "loop").symlink_to(root / "loop")
    return root


FS = [
    # (path, keyword arguments, expected path below the root, or a fragment of the refusal)
    ("a/f.txt", {}, "a/f.txt"),
    ("a/new/deeper.txt", {}, "a/new/deeper.txt"),
    ("./a//f.txt", {}, "a/f.txt"),
    ("inner/f.txt", {}, "a/f.txt"),
    (".", {"allow_self": True}, "."),
    (".", {}, "itself"),
    ("", {}, "itself"),
    ("inner/..", {}, "outside"),
    ("../outside/secret.txt", {}, "outside"),
    ("leave", {}, "outside"),
    ("leave/secret.txt", {}, "outside"),
    ("leave/new.txt", {}, "outside"),
    ("a/up", {}, "outside"),
    ("dangling", {}, "outside"),
    (".git/config", {}, ".git"),
    ("to-git/config", {}, ".git"),
    (".claude/x", {"reserved": (".claude",)}, ".claude"),
    ("a\x00b", {}, "NUL"),
    ("/etc/passwd", {}, "absolute"),
    ("/etc/passwd", {"allow_absolute": True}, "outside"),
    ("~/x", {"allow_absolute": True}, "outside"),
]


@pytest.mark.parametrize(("path", "kwargs", "expected"), FS)
def test_confine(tree: Path, path: str, kwargs: dict, expected: str) -> None:
    real_root = Path(os.path.realpath(tree))
    if "/" in expected or expected.endswith(".txt") or expected == ".":
        assert confine(tree, path, **kwargs) == (real_root / expected).resolve()
    else:
        with pytest.raises(PathRefused, match=expected):
            confine(tree, path, what="bundle_dir", **kwargs)


def test_confine_absolute_inside_and_names_the_root(tree: Path) -> None:
    assert confine(tree, str(tree / "a" / "f.txt"), allow_absolute=True) == \
        Path(os.path.realpath(tree / "a" / "f.txt"))
    assert confine(tree, str(tree), allow_absolute=True, allow_self=True) == \
        Path(os.path.realpath(tree))
    with pytest.raises(PathRefused, match="the server root"):
        confine(tree, "leave/x", what="out", where="the server root")
    with pytest.raises(PathRefused):  # a symlink loop never resolves inside
        confine(tree, "loop/x")


def test_is_inside(tree: Path) -> None:
    assert is_inside(tree, tree / "inner" / "f.txt")
    assert is_inside(tree, tree)
    assert not is_inside(tree, tree / "leave" / "secret.txt")
    assert not is_inside(tree / "a", tree / "a-sibling")


def test_write_file_never_follows_a_final_link(tree: Path) -> None:
    outside = tree.parent / "outside"
    with pytest.raises(PathRefused, match="symbolic link"):
        write_file(tree / "dangling", b"x")
    assert not (outside / "not-yet.txt").exists()
    with pytest.raises(PathRefused, match="symbolic link"):
        write_file(tree / "a" / "up", b"replaced")
    assert (outside / "secret.txt").read_text() == "outside"
    write_file(tree / "a" / "new.txt", b"one")
    with pytest.raises(FileExistsError):
        write_file(tree / "a" / "new.txt", b"two", overwrite=False)
    write_file(tree / "a" / "new.txt", b"three")
    assert (tree / "a" / "new.txt").read_bytes() == b"three"


def test_write_target_keeps_the_final_name_for_o_nofollow(tree: Path) -> None:
    real = Path(os.path.realpath(tree))
    assert write_target(tree, "inner/new.txt") == real / "a" / "new.txt"
    (tree / "a" / "link-in").symlink_to(tree / "a" / "f.txt")
    target = write_target(tree, "a/link-in")
    assert target == real / "a" / "link-in"  # not f.txt: the link itself, refused below
    with pytest.raises(PathRefused, match="symbolic link"):
        write_file(target, b"x")
    assert (tree / "a" / "f.txt").read_text() == "inside"
    for leaving in ("dangling", "leave/new.txt", "a/up"):
        with pytest.raises(PathRefused, match="outside"):
            write_target(tree, leaving)
