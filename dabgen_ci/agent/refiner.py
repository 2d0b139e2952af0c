"""The refiners the PR bot and other callers use: a free-form request → a refined bundle.

:class:`AgentRefiner` holds configuration once and passes only what varies per request.
Comment text arrives as ``request`` (the triggering comment, an instruction) and
``context`` (earlier exchanges, quoted to the agent as untrusted data).
:class:`BotRefiner` adapts it to the bot's ``Refiner`` protocol: a change that still fails
validation after the allowed rounds is an error (the bot pushes nothing and says why).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dabgen_ci.agent.settings import AgentSettings
from dabgen_ci.config import AgentConfig
from dabgen_ci.errors import DabgenError
from dabgen_ci.flows.refine import RefineResult, refine_bundle

if TYPE_CHECKING:
    from dabgen_ci.flows.bot.pr import RefineRequest


class RefinementRejected(DabgenError):
    """The agent's change did not validate within its rounds and was reverted."""


@dataclass(frozen=True)
class AgentRefiner:
    config: AgentConfig = field(default_factory=AgentConfig)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    settings: AgentSettings | None = None

    def refine(self, bundle_dir: Path, request: str, context: Sequence[str] = ()) -> RefineResult:
        return refine_bundle(bundle_dir, request, context_comments=context, config=self.config,
                             env=self.env, settings=self.settings)


@dataclass(frozen=True)
class BotRefiner:
    """The bot's ``Refiner``: the triggering comment (first line and the lines after it) is
    the request; the PR's earlier dabgen exchanges are context; ``.dabgen.yml`` sets the
    limits (``request.agent``)."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    settings: AgentSettings | None = None

    def refine(self, request: RefineRequest) -> str:
        text = "\n".join([request.text, *request.context_lines]).strip()
        agent = AgentRefiner(request.agent, self.env, self.settings)
        result = agent.refine(request.bundle_dir, text, request.history)
        if result.status == "restored":
            errors = [d.render() for d in result.diagnostics if d.severity == "error"][:5]
            raise RefinementRejected(
                f"{result.message}; nothing was pushed" + (": " + "; ".join(errors) if errors
                                                          else "")
            )
        usage = result.usage
        cost = f"${usage.get('cost_usd', 0):.2f}" if usage.get("cost_usd") else "n/a"
        return (f"{result.summary or result.message}\n\n_Agent: {result.rounds} round(s), "
                f"{usage.get('input_tokens', 0)} input / {usage.get('output_tokens', 0)} "
                f"output tokens, cost {cost}._")
