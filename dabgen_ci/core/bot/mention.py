"""Addressing dabgen by name: a comment that starts with ``@dabgen`` reads as ``/dabgen``.

Reviewers talk to people with @-mentions, so a line comment "@dabgen use a smaller cluster
here" must reach dabgen like "/dabgen use a smaller cluster here". Only a mention that opens
the comment counts (like the command itself, which must be the first line): a mention in
the middle of a discussion is talk about dabgen, not a request to it. Pure.
"""

from __future__ import annotations

import re

BOT_NAME = "dabgen"
_OPENING_MENTION = re.compile(rf"^(\s*)@{BOT_NAME}(?:\[bot\])?(?=[\s,:]|$)[,:]?", re.IGNORECASE)


def as_command(body: str) -> str:
    """``body`` with an opening ``@dabgen`` (``@dabgen,`` / ``@dabgen:``) made ``/dabgen``."""
    return _OPENING_MENTION.sub(r"\1/dabgen", body, count=1)
