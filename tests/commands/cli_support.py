"""Helpers for driving the real ``dabgen`` CLI, in-process (CliRunner) or as a subprocess.

Command tests run in-process (``run_cli``): the same click group, top-level error handler
and exit codes as the console script, at a fraction of a new interpreter's cost. A child
process (``run_subprocess``) is for what only a process shows: the binary's exit status,
what reaches its stdout/stderr file descriptors, its working directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from dabgen_ci.cli import cli
from tests.servers.workspace_server import WorkspaceServer

ROOT = Path(__file__).resolve().parents[2]


def live_env(server: WorkspaceServer, **extra: str) -> dict[str, str]:
    """Environment that points databricks-sdk unified auth at the test server."""
    return {"DATABRICKS_HOST": server.url, "DATABRICKS_TOKEN": server.token,
            "DATABRICKS_CONFIG_FILE": os.devnull, "DABGEN_RETRY_TIMEOUT_SECONDS": "3", **extra}


def run(args: list[str], env: Mapping[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, args, env=dict(env or {}), catch_exceptions=False)


def run_json(args: list[str], env: Mapping[str, str] | None = None) -> tuple[int, dict]:
    result = run([*args, "--json"], env)
    return result.exit_code, json.loads(result.stdout)


@dataclass(frozen=True)
class Done:
    """What a CLI run left, with the field names of ``subprocess.CompletedProcess``."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(args: list[str], env: Mapping[str, str] | None = None,
            cwd: Path | None = None) -> Done:
    """``dabgen ARGS`` in this process, as ``main`` runs it (``DABGEN_DEBUG`` unset, so an
    internal error is exit 4 and one line, not a traceback). Exceptions that escape the
    top-level handler propagate: they are bugs the test should show."""
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args, env={"DABGEN_DEBUG": None, **(env or {})},
                                    prog_name="dabgen", catch_exceptions=False)
    finally:
        os.chdir(previous)
    return Done(result.exit_code, result.stdout, result.stderr)


def run_subprocess(args: list[str], env: Mapping[str, str] | None = None,
                   cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The console entry point in a child process: exit codes and stderr exactly as users see."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("DABGEN_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", "from dabgen_ci.cli import main; main()", *args],
        capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120,
    )
