"""What an agent run cost, as a record: tokens by kind and dollars.

Kept apart from ``runner.py`` (which imports the SDK) so the refine result and everything
that reports it (``dabgen refine``, ``generate --ask``, the bot's reply) read typed fields
without loading claude-agent-sdk.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_read_input_tokens",
                "cache_creation_input_tokens")


@dataclass(frozen=True)
class AgentUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cost_usd: float = 0.0

    def to_dict(self) -> dict[str, int | float]:
        return {**asdict(self), "cost_usd": round(self.cost_usd, 6)}
