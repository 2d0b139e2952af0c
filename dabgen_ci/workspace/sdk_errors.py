"""What went wrong in a databricks-sdk call, classified once for every workspace adapter.

The spine's source and the MCP server's operations word their messages differently (one
names the object it read, the other the action it took), but they must agree on what an
SDK failure *is*: rate limit, auth, permission, not found… and on never showing a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import requests

from dabgen_ci.workspace.sdk import (
    STATUS_CODE_MAPPING,
    BadRequest,
    DatabricksError,
    NotFound,
    PermissionDenied,
    ResourceConflict,
    TemporarilyUnavailable,
    TooManyRequests,
    Unauthenticated,
)

# Everything ``api_client.do`` raises for a failed call (the SDK wraps retry exhaustion in
# TimeoutError and reports missing credentials as ValueError).
SDK_FAILURES = (DatabricksError, TimeoutError, requests.RequestException, ValueError)

Kind = Literal["rate_limited", "unavailable", "not_json", "unreachable", "auth", "permission",
               "not_found", "rejected", "failed"]


@dataclass(frozen=True)
class SdkFailure:
    kind: Kind
    message: str  # the API's own words, one line, credentials masked
    status: str  # ``HTTP 500`` or the API's error code


def classify(err: BaseException, token: str | None) -> SdkFailure:
    cause = (err.__cause__ if isinstance(err, TimeoutError) else None) or err
    message = scrub(str(cause), token)
    return SdkFailure(_kind(cause, message), message, _status(cause))


def _kind(cause: BaseException, message: str) -> Kind:
    checks: tuple[tuple[type | tuple[type, ...], Kind], ...] = (
        (TooManyRequests, "rate_limited"),
        (TemporarilyUnavailable, "unavailable"),
        (requests.JSONDecodeError, "not_json"),
        (requests.RequestException, "unreachable"),
        (Unauthenticated, "auth"),
    )
    for cls, kind in checks:
        if isinstance(cause, cls):
            return kind
    if "Invalid access token" in message:
        return "auth"
    if isinstance(cause, PermissionDenied):
        return "permission"
    if isinstance(cause, NotFound) or "does not exist" in message:
        return "not_found"
    if isinstance(cause, BadRequest | ResourceConflict):
        return "rejected"
    return "auth" if isinstance(cause, ValueError) else "failed"


def _status(err: BaseException) -> str:
    """``HTTP 500`` for an SDK error class, else its error code: the API's own words."""
    for status, cls in STATUS_CODE_MAPPING.items():
        if isinstance(err, cls):
            return f"HTTP {status}"
    return str(getattr(err, "error_code", None) or type(err).__name__)


def scrub(text: str, secret: str | None) -> str:
    """One line, with the credential (if any) masked."""
    text = " ".join(text.split())
    return text.replace(secret, "***") if secret else text
