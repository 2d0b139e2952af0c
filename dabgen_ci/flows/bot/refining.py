"""The bot's seam to the agent: a free-form request and whatever refines a bundle for it.

Shared by the PR commands (a free-form comment, a request in a review thread) and the issue
flow (text under `/dabgen job`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from dabgen_ci.config import AgentConfig


@dataclass(frozen=True)
class RefineRequest:
    """A free-form request for the agent, to be applied to the files under `bundle_dir`."""

    bundle_dir: Path
    text: str
    context_lines: tuple[str, ...]
    requester: str
    agent: AgentConfig = field(default_factory=AgentConfig)
    # earlier /dabgen exchanges on the PR: quoted to the agent as data, never instructions
    history: tuple[str, ...] = ()


class Refiner(Protocol):
    """Edits a bundle in place for a free-form request; returns a one-paragraph summary.

    The bot re-validates whatever the refiner wrote and pushes nothing if it is invalid.
    The bot is given the Claude agent (``flows/bot/refiner.BotRefiner``) or, in tests, a
    scripted one; it never imports an implementation itself.
    """

    def refine(self, request: RefineRequest) -> str: ...
