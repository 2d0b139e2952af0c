"""The lexical rule's shortcut for plain paths accepts only what the full rule accepts.

``lexical_problem`` answers most paths (ASCII names of a few safe characters) with one
pattern instead of its per-segment checks. These compare the two on every path of up to
four characters over an alphabet of the pattern's characters and their neighbours, on every
join of up to three tricky segments (device names, dot segments, the length limits), and on
random paths.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from dabgen_ci.core.paths import _PLAIN_PATH, GIT_DIR, _full_problem, lexical_problem

ALPHABET = "aZ0_ .-/\\:é\x00\tſK"  # the safe set, separators, non-ASCII, controls, Kelvin
SEGMENTS = [
    "a", "con", "CON", "con.txt", "con .x", "con  ", "conx", "con x", "com1", "COM9.py",
    "com0", "lpt1", "lpt10", "aux", "nul.", "prn-a", ".git", ".GIT", ".gitignore", ".", "..",
    "", "x" * 255, "x" * 256, "_", "-a", "a b", "a..b", "a.", "c:", "ſx",
]
KWARGS: list[dict[str, Any]] = [
    {}, {"device_names": False}, {"reserved": ()}, {"reserved": frozenset({".claude"})},
    {"allow_self": True}, {"reserved": (), "device_names": False, "allow_self": True}]


def check(path: str) -> None:
    for kwargs in KWARGS:
        assert lexical_problem(path, **kwargs) == _full_problem(path, **kwargs), (path, kwargs)


def test_every_short_path() -> None:
    for size in range(5):
        for chars in itertools.product(ALPHABET, repeat=size):
            check("".join(chars))


def test_every_join_of_tricky_segments() -> None:
    for count in (1, 2, 3):
        for parts in itertools.product(SEGMENTS, repeat=count):
            check("/".join(parts))


def test_length_limits() -> None:
    # (ſ and the Kelvin sign match [a-z] case-insensitively, unless the pattern is ASCII)
    for path in ("/".join(["x" * 200] * 20), "/".join(["x" * 200] * 21), "a/" * 2048 + "b",
                 "ſ" * 128, "a/" + "\u212a" * 100, "/".join(["ſ" * 100] * 21)):
        check(path)


def test_random_paths() -> None:
    rng = random.Random(11)
    pieces = [*SEGMENTS, "src", "resources", "job_1.yml", "My Notebook.py"]
    for _ in range(20_000):
        check("/".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))))


@pytest.mark.parametrize("path", ["resources/job_1.job.yml", "src/Shared/etl/My Notebook.py",
                                  "src/a-b/c_d.sql", "databricks.yml"])
def test_common_paths_take_the_shortcut(path: str) -> None:
    """The shortcut is taken for the paths a bundle is made of (else it buys nothing)."""
    assert _PLAIN_PATH.fullmatch(path)
    assert lexical_problem(path) is None


def test_git_is_the_default_reserved_name() -> None:
    assert GIT_DIR.startswith(".")  # the shortcut's segments never start with a dot
