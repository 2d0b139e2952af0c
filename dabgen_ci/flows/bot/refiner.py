"""The bot's :class:`~dabgen_ci.flows.bot.pr.Refiner`: the Claude agent behind the refine flow.

It lives with the flows, not in ``agent/``: it runs a use case (``flows/refine.py``) for
another (``flows/bot/pr.py``), and the agent package stays an adapter that knows nothing of
either. ``commands/action.py`` wires it in when model credentials are configured.

Comment text arrives as the request's ``text`` and ``context_lines`` (the triggering
comment, an instruction) and ``history`` (earlier exchanges, quoted to the agent as
untrusted data). A change that still fails validation after the allowed rounds is an
error: the bot pushes nothing and says why.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from dabgen_ci.agent.settings import AgentSettings
from dabgen_ci.core.diagnostics import of_severity
from dabgen_ci.errors import DabgenError
from dabgen_ci.flows.bot.refining import RefineRequest
from dabgen_ci.flows.refine import AgentRefiner, RefineResult

MAX_ERRORS_QUOTED = 5


class RefinementRejected(DabgenError):
    """The agent's change did not validate within its rounds and was reverted."""


@dataclass(frozen=True)
class BotRefiner:
    """The triggering comment (first line and the lines after it) is the request; the PR's
    earlier dabgen exchanges are context; ``.dabgen.yml`` sets the limits (``request.agent``)."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    settings: AgentSettings | None = None

    def refine(self, request: RefineRequest) -> str:
        text = "\n".join([request.text, *request.context_lines]).strip()
        agent = AgentRefiner(request.agent, self.env, self.settings)
        result = agent.refine(request.bundle_dir, text, request.history)
        if not result.ok:
            raise RefinementRejected(_rejection(result))
        return _summary(result)


def _rejection(result: RefineResult) -> str:
    errors = [d.render() for d in of_severity(result.diagnostics)][:MAX_ERRORS_QUOTED]
    return f"{result.message}; nothing was pushed" + (": " + "; ".join(errors) if errors else "")


def _summary(result: RefineResult) -> str:
    usage = result.usage
    cost = f"${usage.cost_usd:.2f}" if usage.cost_usd else "n/a"
    return (f"{result.summary or result.message}\n\n_Agent: {result.rounds} round(s), "
            f"{usage.input_tokens} input / {usage.output_tokens} output tokens, cost {cost}._")
