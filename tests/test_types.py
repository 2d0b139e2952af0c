"""The tree type-checks: CI runs only pytest, so mypy is part of the suite (as ruff is).

``pyproject.toml`` says what is checked and how: ``mypy --strict`` for ``dabgen_ci/`` and
``mcp_server/``, every test body checked (relaxed: no annotations required). The cache lives
in the system's temp directory, one per checkout, so a second run only re-checks what
changed and nothing is written into the repository.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cache_dir() -> Path:
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    version = f"py{sys.version_info.major}{sys.version_info.minor}"
    return Path(tempfile.gettempdir()) / f"dabgen-mypy-{checkout}-{version}"


def test_mypy_clean() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(_cache_dir()), "--no-error-summary", "--hide-error-context"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert "No module named mypy" not in done.stderr, (
        "mypy is a test dependency: pip install -e '.[test]'")
    assert done.returncode == 0, done.stdout + done.stderr
