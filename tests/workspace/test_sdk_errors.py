from __future__ import annotations

import pytest
import requests
from databricks.sdk.errors import (
    BadRequest,
    InternalError,
    NotFound,
    PermissionDenied,
    TemporarilyUnavailable,
    TooManyRequests,
    Unauthenticated,
)

from dabgen_ci.workspace.sdk_errors import classify, scrub

TOKEN = "dapi0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("err", "kind"),
    [
        (TooManyRequests("slow down"), "rate_limited"),
        (TemporarilyUnavailable("later"), "unavailable"),
        (requests.ConnectionError("refused"), "unreachable"),
        (Unauthenticated("who are you"), "auth"),
        (PermissionDenied("Invalid access token."), "auth"),
        (PermissionDenied("no CAN VIEW"), "permission"),
        (NotFound("gone"), "not_found"),
        (BadRequest("Job 7 does not exist."), "not_found"),
        (BadRequest("bad field"), "rejected"),
        (ValueError("default auth: cannot configure default credentials"), "auth"),
        (InternalError("boom"), "failed"),
    ],
)
def test_classify(err: BaseException, kind: str) -> None:
    assert classify(err, None).kind == kind


def test_retry_exhaustion_is_classified_by_its_cause() -> None:
    try:
        try:
            raise TooManyRequests("limit")
        except TooManyRequests as inner:
            raise TimeoutError("timed out after 300s") from inner
    except TimeoutError as outer:
        failure = classify(outer, None)
    assert failure.kind == "rate_limited" and failure.status == "HTTP 429"


def test_tokens_never_survive() -> None:
    failure = classify(InternalError(f"header Authorization: Bearer {TOKEN}\nline two"), TOKEN)
    assert TOKEN not in failure.message and "***" in failure.message
    assert "\n" not in failure.message
    assert scrub("a  b\n c", None) == "a b c"
