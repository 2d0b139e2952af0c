"""A ``.dabgen.yml`` that is not UTF-8 is bad input (exit 2, one line), not a bug (exit 4).

Found by mypy --strict: ``commands/validate.py`` read ``exc.strerror`` of a
``UnicodeDecodeError``, which has none, so ``dabgen validate --config`` crashed inside its own
error message; ``dabgen sync`` let the decode error reach the top-level handler.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from dabgen_ci.cli import INTERNAL_ERROR
from dabgen_ci.errors import BadInputError
from tests.commands.cli_support import run_cli

NOT_UTF8 = b"bundle_dir: \xff\xfe\n"
DEMO_SNAPSHOT = Path(__file__).resolve().parents[2] / "dabgen_ci/data/demo_workspace"


def _bundle(root: Path) -> Path:
    bundle = root / "bundle"
    bundle.mkdir()
    (bundle / "databricks.yml").write_text("bundle:\n  name: b\n", encoding="utf-8")
    return bundle


def test_validate_refuses_a_config_that_is_not_utf8(tmp_path: Path) -> None:
    config = tmp_path / ".dabgen.yml"
    config.write_bytes(NOT_UTF8)
    done = run_cli(["validate", str(_bundle(tmp_path)), "--config", str(config), "--no-cli"])
    assert done.returncode == BadInputError.exit_code != INTERNAL_ERROR
    assert f"error: cannot read {config}: 'utf-8' codec can't decode byte 0xff" in done.stderr
    assert "internal error" not in done.stderr


def test_sync_refuses_a_config_that_is_not_utf8(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".dabgen.yml").write_bytes(NOT_UTF8)
    done = run_cli(["sync", "--check", "--workspace-snapshot", str(DEMO_SNAPSHOT)],
                   cwd=tmp_path)
    assert done.returncode == BadInputError.exit_code
    assert "error: cannot read .dabgen.yml: 'utf-8' codec can't decode byte 0xff" in done.stderr
    assert "internal error" not in done.stderr
