"""Remove secrets from text before it reaches a log, an exception or a GitHub comment.

Two nets, because neither alone is enough: the exact values the process was given
(from the environment, in every encoding a tool might echo them in), and the shapes of
well-known tokens (which catches credentials we were never told about, e.g. one pasted
into a notebook or printed by a subprocess). Pure: `from_env` takes the mapping.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

from dabgen_ci.core.secrets import MASK, mask_tokens

MIN_SECRET_LENGTH = 8

SECRET_ENV_VARS = (
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "DATABRICKS_TOKEN",
    "DATABRICKS_CLIENT_SECRET",
    "DATABRICKS_PASSWORD",
    "ANTHROPIC_API_KEY",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
)
_SECRET_INPUT = re.compile(r"INPUT_.*(TOKEN|SECRET|KEY|PASSWORD)", re.IGNORECASE)

# Credentials that only context reveals (a header, a URL's password). Each pattern's group 1
# is kept: it is the label, not the secret. Token shapes come from core.secrets, shared
# with the secret rule, so what the validator refuses is also what the redactor masks.
_CONTEXT_PATTERNS = (
    re.compile(r"(?i)(\bauthorization\s*[:=]\s*(?:(?:basic|bearer|token)\s+)?)[^\s'\",;]+"),
    re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/-]{16,}=*"),
    re.compile(r"(?i)(\bhttps?://[^/\s:@]+:)[^/\s@]+(?=@)"),
)


class Redactor:
    """Replaces known secret values and token-shaped strings with `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = {s.strip() for s in secrets if len(s.strip()) >= MIN_SECRET_LENGTH}
        forms = {form for secret in values for form in _encodings(secret)}
        alternatives = sorted(forms, key=lambda f: (-len(f), f))
        self._secrets = frozenset(values)
        self._known = (
            re.compile("|".join(re.escape(f) for f in alternatives)) if alternatives else None
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Redactor:
        """A redactor for the credentials this process was given.

        The named variables plus every action input whose name says it is a credential
        (`INPUT_GITHUB-TOKEN`, `INPUT_DATABRICKS-CLIENT-SECRET`, ...; GitHub keeps the
        input's hyphens in the variable name).
        """
        values = [
            value
            for name, value in environ.items()
            if name.upper() in SECRET_ENV_VARS or _SECRET_INPUT.fullmatch(name)
        ]
        return cls(values)

    def with_secrets(self, secrets: Iterable[str]) -> Redactor:
        """A redactor that also knows `secrets` (e.g. a token found in a remote URL)."""
        return Redactor([*self._secrets, *secrets])

    def redact(self, text: str) -> str:
        """`text` with every known secret and token-shaped string masked."""
        if self._known is not None:
            text = self._known.sub(MASK, text)
        text = mask_tokens(text)
        for pattern in _CONTEXT_PATTERNS:
            text = pattern.sub(_mask_keeping_label, text)
        return text

    __call__ = redact


def _mask_keeping_label(match: re.Match[str]) -> str:
    return match.group(1) + MASK


def _encodings(secret: str) -> set[str]:
    """The forms in which a tool may echo a secret: raw, URL-encoded, base64.

    `x-access-token:<token>` in base64 is what actions/checkout puts in git's
    `http.extraheader` (HTTP basic auth), so it is covered too.
    """
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    for raw in (secret, f"x-access-token:{secret}"):
        data = raw.encode("utf-8")
        for encoded in (base64.b64encode(data), base64.urlsafe_b64encode(data)):
            text = encoded.decode("ascii")
            forms.update({text, text.rstrip("=")})
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}
