"""Fault injection and request records for the fake GitHub.

Failures are what a bot's retry settings are for: a 502 from GitHub's gateway, or a
403 secondary rate limit with (or without) `Retry-After`. The shapes and messages are
GitHub's, because PyGithub's GithubRetry decides by the message text and that header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID "
    "0000:0000:0000000:0000000:00000000."
)
_RATE_DOC = ("https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
             "#about-secondary-rate-limits")
_STATUS_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                504: "Gateway Timeout"}


class RecordedRequest(NamedTuple):
    """One request as received: path includes the query; body is parsed JSON or text."""

    method: str
    path: str
    body: Any


class Response(NamedTuple):
    status: int
    data: Any
    headers: dict[str, str]


@dataclass
class Fault:
    """A pending injected failure; `remaining` counts down as requests match it."""

    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    secondary_rate_limit: bool
    retry_after: int | None
    after_processing: bool


def take_fault(faults: list[Fault], method: str, path: str) -> Fault | None:
    """The first pending fault matching this request, consumed once."""
    for fault in faults:
        if fault.remaining > 0 and fault.method in ("*", method) and fault.pattern.search(path):
            fault.remaining -= 1
            return fault
    return None


def fault_response(fault: Fault) -> Response:
    if fault.secondary_rate_limit:
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        return Response(403, {"message": SECONDARY_RATE_LIMIT, "documentation_url": _RATE_DOC},
                        headers)
    message = _STATUS_TEXT.get(fault.status, "Injected failure")
    return Response(fault.status, {"message": message}, {})
