"""scripts/refresh_bundle_schema.py, from a file and from a (fake) ``databricks`` executable."""

from __future__ import annotations

import importlib.util
import stat
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDORED = ROOT / "dabgen_ci/data/bundle_schema/jsonschema.json"


def _script():
    spec = importlib.util.spec_from_file_location(
        "refresh_bundle_schema", ROOT / "scripts/refresh_bundle_schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_refresh_from_file_writes_and_is_idempotent(tmp_path: Path, capsys) -> None:
    out = tmp_path / "jsonschema.json"
    assert _script().main(["--from", str(VENDORED), "--output", str(out)]) == 0
    assert out.read_bytes() == VENDORED.read_bytes()
    assert "sha256" in capsys.readouterr().out

    assert _script().main(["--from", str(VENDORED), "--output", str(out)]) == 0
    assert capsys.readouterr().out.startswith("unchanged")


def test_refresh_from_cli_output(tmp_path: Path) -> None:
    cli = tmp_path / "databricks"
    cli.write_text(f"#!{sys.executable}\nimport sys\n"
                   f"assert sys.argv[1:] == ['bundle', 'schema']\n"
                   f"sys.stdout.buffer.write(open({str(VENDORED)!r}, 'rb').read())\n")
    cli.chmod(cli.stat().st_mode | stat.S_IEXEC)
    out = tmp_path / "jsonschema.json"

    assert _script().main(["--cli", str(cli), "--output", str(out)]) == 0
    assert out.read_bytes() == VENDORED.read_bytes()


def test_refresh_rejects_a_document_that_is_not_the_schema(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "object"}')
    out = tmp_path / "jsonschema.json"
    with pytest.raises(SystemExit, match="no \\$defs"):
        _script().main(["--from", str(bad), "--output", str(out)])
    assert not out.exists()
