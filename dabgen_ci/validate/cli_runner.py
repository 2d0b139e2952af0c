"""Run ``databricks bundle validate -o json`` and turn its findings into Diagnostics.

How the CLI reports (databricks/cli ``cmd/bundle/validate.go``, ``libs/logdiag``,
``libs/cmdio/render.go``): with ``-o json`` stdout carries only the resolved configuration
as JSON; every diagnostic is rendered as text on **stderr**::

    Error: job_cluster_key x is not defined
      at resources.jobs.etl.tasks[0].job_cluster_key
      in resources/etl.job.yml:12:28

    <optional detail lines>

(``Warning:``/``Recommendation:`` likewise; further paths/locations are indented under the
first), file names relative to the bundle root. Exit code 1 when there is an error.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dabgen_ci.core.diagnostics import Diagnostic, Severity, has_errors

SOURCE = "databricks-cli"
DEFAULT_TIMEOUT = 120.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_HEADER = re.compile(r"^(Error|Warning|Recommendation): (.*)$")
_AT = re.compile(r"^  (?:at |   )(\S.*)$")
_IN = re.compile(r"^  (?:in |   )(.+):(\d+):(\d+)$")
_SEVERITY: dict[str, Severity] = {"Error": "error", "Warning": "warning",
                                  "Recommendation": "info"}


@dataclass(frozen=True)
class CliAvailability:
    """Whether the CLI can run, and if not, why (for ``validators_skipped``)."""

    executable: str | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.executable is not None and self.reason is None


def detect(env: Mapping[str, str]) -> CliAvailability:
    """A ``databricks`` on ``env["PATH"]`` and some form of credentials in ``env``."""
    exe = shutil.which("databricks", path=env.get("PATH", ""))
    if exe is None:
        return CliAvailability(None, "databricks CLI not on PATH")
    if not has_credentials(env):
        return CliAvailability(exe, "no Databricks credentials (DATABRICKS_HOST with a token "
                                    "or client id/secret, a profile, or ~/.databrickscfg)")
    return CliAvailability(exe, None)


def has_credentials(env: Mapping[str, str]) -> bool:
    host = env.get("DATABRICKS_HOST")
    if host and (env.get("DATABRICKS_TOKEN") or env.get("DATABRICKS_AUTH_TYPE")
                 or (env.get("DATABRICKS_CLIENT_ID") and env.get("DATABRICKS_CLIENT_SECRET"))):
        return True
    if env.get("DATABRICKS_CONFIG_PROFILE"):
        return True
    config = env.get("DATABRICKS_CONFIG_FILE")
    if config:
        return Path(config).expanduser().is_file()
    home = env.get("HOME") or env.get("USERPROFILE")
    if not home:
        return False
    return (Path(home) / ".databrickscfg").is_file()


def run_cli_validate(root: Path, executable: str, *, target: str | None = None,
                     env: Mapping[str, str] | None = None,
                     timeout: float = DEFAULT_TIMEOUT) -> list[Diagnostic]:
    """Run the CLI in ``root`` and return its diagnostics (a failure is one diagnostic)."""
    argv = [executable, "bundle", "validate", "-o", "json"]
    if target:
        argv += ["--target", target]
    run_env = dict(os.environ if env is None else env)
    run_env.setdefault("NO_COLOR", "1")
    try:
        proc = subprocess.run(argv, cwd=root, env=run_env, capture_output=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return [_failure(f"databricks bundle validate timed out after {timeout:g}s")]
    except OSError as exc:
        return [_failure(f"cannot run databricks bundle validate: {exc.strerror or exc}")]
    stderr = proc.stderr.decode("utf-8", "replace")
    diags = parse_diagnostics(stderr)
    if proc.returncode != 0 and not has_errors(diags):
        first = next((ln for ln in _ANSI.sub("", stderr).splitlines() if ln.strip()), "")
        diags.append(_failure(f"databricks bundle validate failed (exit {proc.returncode})"
                              + (f": {first.strip()}" if first else "")))
    return diags


def parse_diagnostics(stderr: str) -> list[Diagnostic]:
    """Parse the CLI's rendered diagnostics; text outside them is ignored."""
    out: list[Diagnostic] = []
    block: list[str] = []
    for line in _ANSI.sub("", stderr).splitlines():
        if _HEADER.match(line) and block:
            out.append(_parse_block(block))
            block = []
        if block or _HEADER.match(line):
            block.append(line)
    if block:
        out.append(_parse_block(block))
    return out


def _parse_block(lines: list[str]) -> Diagnostic:
    header = _HEADER.match(lines[0])
    assert header is not None  # guaranteed by parse_diagnostics
    severity = _SEVERITY[header.group(1)]
    paths: list[str] = []
    locations: list[tuple[str, int]] = []
    rest = lines[1:]
    while rest:
        at, loc = _AT.match(rest[0]), _IN.match(rest[0])
        if loc:  # check "in" first: a location line also matches the continuation pattern
            locations.append((loc.group(1), int(loc.group(2))))
        elif at and not locations:
            paths.append(at.group(1))
        else:
            break
        rest = rest[1:]
    detail = "\n".join(rest).strip()
    file, line = locations[0] if locations else (None, None)
    return Diagnostic(severity, header.group(2).strip(), detail=detail, file=file, line=line,
                      path=paths[0] if paths else None, source=SOURCE)


def _failure(summary: str) -> Diagnostic:
    return Diagnostic("error", summary, source=SOURCE)
