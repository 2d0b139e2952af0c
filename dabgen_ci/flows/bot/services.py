"""The outside world of the bot's flows, built by the entry point (or a test)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from dabgen_ci.core.redact import Redactor
from dabgen_ci.flows.bot.refining import Refiner
from dabgen_ci.flows.review.flow import RiskSummarizer
from dabgen_ci.git import GitRepo
from dabgen_ci.github.client import GitHubApi
from dabgen_ci.workspace.base import WorkspaceSource


def _stdout(line: str) -> None:
    print(line, file=sys.stdout, flush=True)


@dataclass(frozen=True)
class BotServices:
    api: GitHubApi
    repo: GitRepo
    open_source: Callable[[], WorkspaceSource]
    redactor: Redactor
    log: Callable[[str], None]  # progress and errors (stderr)
    refiner: Refiner | None = None
    summarizer: RiskSummarizer | None = None  # the model's risk summary of a review
    has_workspace: bool = True  # Databricks credentials are configured
    out: Callable[[str], None] = _stdout  # workflow commands (`::error …::`) for the runner
