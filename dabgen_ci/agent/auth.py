"""Can the agent run at all? Checked before anything is started, so a missing key costs nothing.

Only free-form requests need a model; the deterministic commands never call this.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping

from dabgen_ci.errors import DabgenError

# Any one of these makes the claude CLI able to reach a model.
CREDENTIAL_VARS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN")
PROVIDER_FLAGS = ("CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_USE_FOUNDRY")
_FALSE = {"", "0", "false", "no", "off"}


class AgentUnavailable(DabgenError):
    """Free-form requests need model credentials (or the SDK) that are not configured."""

    exit_code = 2


def check_agent_available(env: Mapping[str, str]) -> None:
    """Raise :class:`AgentUnavailable` naming what to configure; never touches the network."""
    has_key = any((env.get(name) or "").strip() for name in CREDENTIAL_VARS)
    has_provider = any((env.get(name) or "").strip().lower() not in _FALSE
                       for name in PROVIDER_FLAGS)
    if not (has_key or has_provider):
        raise AgentUnavailable(
            "free-form requests need a Claude model: set ANTHROPIC_API_KEY (or "
            "ANTHROPIC_AUTH_TOKEN / CLAUDE_CODE_OAUTH_TOKEN, or CLAUDE_CODE_USE_BEDROCK=1 / "
            "CLAUDE_CODE_USE_VERTEX=1 with cloud credentials); structured /dabgen commands "
            "work without it")
    if importlib.util.find_spec("claude_agent_sdk") is None:
        raise AgentUnavailable(
            "free-form requests need the Claude Agent SDK: pip install 'dabgen[agent]'")
