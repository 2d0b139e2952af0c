"""Reading a .dabgen.yml from disk: every way it cannot be read is one line of bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dabgen_ci.config.files import read_config, read_config_text
from dabgen_ci.errors import BadInputError


def test_a_readable_file_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / ".dabgen.yml"
    path.write_text("review:\n  fail_on: warning\n", encoding="utf-8")
    assert read_config(path).review.fail_on == "warning"


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: None, "does not exist; `dabgen init` writes a starter"),
    (lambda p: p.mkdir(), "cannot read {shown}: Is a directory"),
    (lambda p: p.write_bytes(b"review: \xff\n"), "cannot read {shown}: 'utf-8' codec"),
])
def test_what_cannot_be_read_is_named_once(tmp_path: Path, make: Callable[[Path], object],
                                           message: str) -> None:
    path = tmp_path / ".dabgen.yml"
    make(path)
    with pytest.raises(BadInputError) as refused:
        read_config_text(path, ".dabgen.yml")
    assert message.format(shown=".dabgen.yml") in str(refused.value)
    assert str(tmp_path) not in str(refused.value)  # named as the caller shows it


def test_a_bad_field_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "custom.yml"
    path.write_text("review:\n  fail_on: sometimes\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"custom\.yml"):
        read_config(path)
