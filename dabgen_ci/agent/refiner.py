"""The refiner the PR bot calls: a free-form ``/dabgen ...`` comment → a refined bundle.

A thin object so the bot holds configuration once and passes only what varies per comment.
Comment text arrives as ``request`` (the triggering comment, an instruction) and
``context`` (earlier exchanges, quoted to the agent as untrusted data).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dabgen_ci.agent.settings import AgentSettings
from dabgen_ci.config import AgentConfig
from dabgen_ci.flows.refine import RefineResult, refine_bundle


@dataclass(frozen=True)
class AgentRefiner:
    config: AgentConfig = field(default_factory=AgentConfig)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    settings: AgentSettings | None = None

    def refine(self, bundle_dir: Path, request: str, context: Sequence[str] = ()) -> RefineResult:
        return refine_bundle(bundle_dir, request, context_comments=context, config=self.config,
                             env=self.env, settings=self.settings)
