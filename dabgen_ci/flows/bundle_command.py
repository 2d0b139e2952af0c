"""Run ``databricks bundle validate|deploy|run|destroy`` in a bundle directory.

An argument list (never a shell), a timeout, the caller's environment, and output that is
redacted (known credentials and token shapes) and bounded to its tail, where the CLI puts
the outcome. The argument list is built by a pure function so it can be tested alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dabgen_ci.core.redact import Redactor
from dabgen_ci.errors import BadInputError

Command = Literal["validate", "deploy", "run", "destroy"]
COMMANDS: tuple[Command, ...] = ("validate", "deploy", "run", "destroy")
READ_COMMANDS = frozenset({"validate"})
DEFAULT_TIMEOUT = 600.0
MAX_OUTPUT_CHARS = 64 * 1024


@dataclass(frozen=True)
class BundleCommandResult:
    argv: tuple[str, ...]  # as run, the executable shown as ``databricks``
    exit_code: int | None  # None when it timed out
    stdout: str
    stderr: str
    timed_out: bool
    truncated: bool

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def bundle_argv(
    command: str, *, target: str | None = None, resource: str | None = None,
    profile: str | None = None, auto_approve: bool = False, no_wait: bool = True,
) -> list[str]:
    """The CLI arguments after ``databricks`` (pure); refuses what the CLI would reject."""
    if command not in COMMANDS:
        raise BadInputError(f"unknown bundle command {command!r}; use one of "
                            f"{', '.join(COMMANDS)}")
    argv = ["bundle", command]
    if command == "run":
        if not resource:
            raise BadInputError("bundle run needs the key of the job to run (resource)")
        argv.append(resource)
        if no_wait:
            argv.append("--no-wait")
    elif resource:
        raise BadInputError(f"bundle {command} takes no resource; only run does")
    if auto_approve and command in ("deploy", "destroy"):
        argv.append("--auto-approve")
    if target:
        argv += ["--target", target]
    if profile:
        argv += ["--profile", profile]
    return argv


def run_bundle_command(
    root: Path, args: list[str], *, env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT, max_chars: int = MAX_OUTPUT_CHARS,
) -> BundleCommandResult:
    """Run ``databricks <args>`` in ``root``; a missing CLI is a :class:`BadInputError`."""
    run_env = dict(os.environ if env is None else env)
    run_env.setdefault("NO_COLOR", "1")
    executable = shutil.which("databricks", path=run_env.get("PATH", ""))
    if executable is None:
        raise BadInputError(
            "the databricks CLI is not on PATH; install it "
            "(https://docs.databricks.com/dev-tools/cli/install.html) and restart dabgen-mcp"
        )
    if not (Path(root) / "databricks.yml").is_file():
        raise BadInputError(f"no databricks.yml in {root}; point at a bundle directory")
    redact = Redactor.from_env(run_env)
    shown = ("databricks", *args)
    try:
        proc = subprocess.run([executable, *args], cwd=root, env=run_env, capture_output=True,
                              timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        out, cut_out = _tail(redact(_text(exc.stdout)), max_chars)
        err, cut_err = _tail(redact(_text(exc.stderr)), max_chars)
        note = f"\n[dabgen: stopped after {timeout:g} s]"
        return BundleCommandResult(shown, None, out, err + note, True, cut_out or cut_err)
    except OSError as exc:
        raise BadInputError(f"cannot run the databricks CLI: {exc.strerror or exc}") from None
    out, cut_out = _tail(redact(_text(proc.stdout)), max_chars)
    err, cut_err = _tail(redact(_text(proc.stderr)), max_chars)
    return BundleCommandResult(shown, proc.returncode, out, err, False, cut_out or cut_err)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


def _tail(text: str, max_chars: int) -> tuple[str, bool]:
    if len(text) <= max_chars:
        return text, False
    return "[dabgen: earlier output cut]\n" + text[-max_chars:], True
