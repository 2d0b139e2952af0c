"""The action's outputs (`$GITHUB_OUTPUT`) and job summary (`$GITHUB_STEP_SUMMARY`).

Both are files the runner reads after the step. Outputs use GitHub's heredoc form with a
random delimiter, so no value can inject another output. Everything written is redacted.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from dabgen_ci.core.bot.tracking_text import cap
from dabgen_ci.core.redact import Redactor
from dabgen_ci.github.context import ActionContext

SUMMARY_LIMIT = 100_000


def write_outputs(ctx: ActionContext, values: Mapping[str, str]) -> None:
    if ctx.output_file is None:
        return
    lines = []
    for name, value in values.items():
        delimiter = f"dabgen_{secrets.token_hex(8)}"
        lines += [f"{name}<<{delimiter}", value, delimiter]
    _append(ctx.output_file, "\n".join(lines) + "\n")


def write_summary(ctx: ActionContext, markdown: str, redactor: Redactor,
                  limit: int = SUMMARY_LIMIT) -> None:
    if ctx.summary_file is None:
        return
    _append(ctx.summary_file, cap(redactor(markdown), limit).rstrip() + "\n")


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
