"""One conversation with the claude CLI: ask, collect the reply, keep count of tokens and cost.

Every round of a refinement is another message in the same session (``ClaudeSDKClient``), so
the agent sees the validator's findings next to the edits that caused them. The CLI reports
``total_cost_usd`` cumulatively per session and ``usage`` per message, and this module keeps
that distinction out of callers' way.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import anyio
from claude_agent_sdk import (
    AssistantMessage,
    ClaudeAgentOptions,
    ClaudeSDKClient,
    ClaudeSDKError,
    ResultMessage,
    SystemMessage,
    TextBlock,
)

from dabgen_ci.agent.auth import AgentUnavailable
from dabgen_ci.agent.usage import TOKEN_FIELDS, AgentUsage
from dabgen_ci.errors import DabgenError

_CUMULATIVE = {"input_tokens": "inputTokens", "output_tokens": "outputTokens",
               "cache_read_input_tokens": "cacheReadInputTokens",
               "cache_creation_input_tokens": "cacheCreationInputTokens"}


def _tokens(value: object) -> int:
    """A token count as the CLI reports it: a number, or nothing."""
    return int(value) if isinstance(value, int | float | str) and value else 0


class AgentError(DabgenError):
    """The claude CLI could not be started or failed mid-conversation."""


@dataclass
class Usage:
    """Tokens and cost of the whole session so far.

    The CLI's ``model_usage`` and ``total_cost_usd`` are cumulative per session and survive
    error results (a budget stop reports zero ``usage``), so they are the source; per-round
    ``usage`` is summed only when a CLI reports no ``model_usage``.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cost_usd: float = 0.0

    def update(self, result: ResultMessage) -> None:
        if result.model_usage:
            for name, camel in _CUMULATIVE.items():
                total = sum(_tokens(m.get(camel)) for m in result.model_usage.values())
                setattr(self, name, max(getattr(self, name), total))
        else:
            usage = result.usage or {}
            for name in TOKEN_FIELDS:
                setattr(self, name, getattr(self, name) + int(usage.get(name) or 0))
        self.cost_usd = max(self.cost_usd, float(result.total_cost_usd or 0.0))

    def record(self) -> AgentUsage:
        """The totals so far, frozen for the refine result."""
        return AgentUsage(self.input_tokens, self.output_tokens, self.cache_read_input_tokens,
                          self.cache_creation_input_tokens, self.cost_usd)


@dataclass(frozen=True)
class AgentReply:
    """How one round ended: ``subtype`` is the CLI's (``success``, ``error_max_turns``...)."""

    text: str
    subtype: str
    is_error: bool
    num_turns: int
    errors: tuple[str, ...] = ()

    @property
    def budget_exhausted(self) -> bool:
        return self.subtype == "error_max_budget_usd"


@dataclass
class AgentSession:
    """``async with AgentSession(options) as s: reply = await s.ask(prompt)``."""

    options: ClaudeAgentOptions
    timeout_seconds: float = 1800.0
    usage: Usage = field(default_factory=Usage)
    _client: ClaudeSDKClient | None = field(default=None, init=False, repr=False)

    async def __aenter__(self) -> AgentSession:
        self._client = ClaudeSDKClient(self.options)
        try:
            with anyio.fail_after(self.timeout_seconds):
                await self._client.connect()
        except (ClaudeSDKError, OSError, TimeoutError) as exc:
            raise AgentError(f"could not start the Claude agent: {_one_line(exc)}") from None
        return self

    async def __aexit__(self, exc_type: object, *exc: object) -> None:
        if self._client is None:
            return
        if exc_type is not None:  # stop a turn in flight, or the CLI lingers before exiting
            with anyio.move_on_after(2), contextlib.suppress(ClaudeSDKError, OSError):
                await self._client.interrupt()
        await self._client.disconnect()
        self._client = None

    async def ask(self, prompt: str) -> AgentReply:
        assert self._client is not None, "use AgentSession as an async context manager"
        texts: list[str] = []
        try:
            with anyio.fail_after(self.timeout_seconds):
                await self._client.query(prompt)
                async for message in self._client.receive_response():
                    if isinstance(message, SystemMessage):
                        _fail_fast_on_auth(message)
                    elif isinstance(message, AssistantMessage):
                        texts += [b.text for b in message.content if isinstance(b, TextBlock)]
                    elif isinstance(message, ResultMessage):
                        self.usage.update(message)
                        return _reply(message, texts)
        except TimeoutError:
            raise AgentError(f"the Claude agent did not finish within "
                             f"{self.timeout_seconds:.0f} s") from None
        except ClaudeSDKError as exc:
            raise AgentError(f"the Claude agent failed: {_one_line(exc)}") from None
        raise AgentError("the Claude agent ended without a result")


def _fail_fast_on_auth(message: SystemMessage) -> None:
    """The CLI retries a rejected key for minutes; a bot should answer at once instead."""
    status = message.data.get("error_status") if message.subtype == "api_retry" else None
    if status in (401, 403):
        raise AgentUnavailable(
            f"the model API rejected the credentials (HTTP {status}): check ANTHROPIC_API_KEY "
            "(or the configured provider credentials)")


def _reply(result: ResultMessage, texts: list[str]) -> AgentReply:
    text = (result.result or "").strip() or (texts[-1].strip() if texts else "")
    return AgentReply(text=text, subtype=result.subtype, is_error=result.is_error,
                      num_turns=result.num_turns, errors=tuple(result.errors or ()))


def _one_line(exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]
