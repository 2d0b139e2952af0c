"""A ``.dabgen.yml`` read from disk: one rule for every command that takes one.

`validate --config`, `generate --config`, `config check` and `sync` all read the file the
user named; a missing file, a folder, a file that is not UTF-8 are the user's input, so each
is one line with exit 2 — never an internal error — and the same line whichever command met it.
"""

from __future__ import annotations

from pathlib import Path

from dabgen_ci.config import Config, parse_config
from dabgen_ci.errors import BadInputError


def read_config_text(path: Path, shown: str | None = None) -> str:
    """The file's text; ``shown`` is how the path is named in a message (default: as given)."""
    name = shown or str(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(f"{name} does not exist; `dabgen init` writes a starter") from None
    except OSError as exc:
        raise BadInputError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:  # not an OSError: it has no strerror
        raise BadInputError(f"cannot read {name}: {exc}") from None


def read_config(path: Path, shown: str | None = None) -> Config:
    """The parsed configuration (BadInputError names the line of a bad field)."""
    return parse_config(read_config_text(path, shown), origin=shown or str(path))
