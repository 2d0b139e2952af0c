"""Secrets never survive redaction, in any form a tool may print them."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from dabgen_ci.core.redact import Redactor
from dabgen_ci.core.secrets import MASK

SECRET = "s3cr3t/value+with=chars"


@pytest.mark.parametrize(
    "form",
    [
        SECRET,
        quote(SECRET, safe=""),
        base64.b64encode(SECRET.encode()).decode(),
        base64.urlsafe_b64encode(SECRET.encode()).decode().rstrip("="),
        base64.b64encode(f"x-access-token:{SECRET}".encode()).decode(),
    ],
)
def test_known_secret_in_every_encoding(form: str) -> None:
    text = f"before {form} after"
    out = Redactor([SECRET]).redact(text)
    assert out == f"before {MASK} after"


def test_short_values_are_not_secrets() -> None:
    redactor = Redactor(["main", "1234567", "  "])
    assert redactor.redact("branch main, id 1234567") == "branch main, id 1234567"


def test_longest_secret_wins_over_its_prefix() -> None:
    redactor = Redactor(["abcdefgh", "abcdefghijkl"])
    assert redactor.redact("x abcdefghijkl y") == f"x {MASK} y"


def test_secret_with_regex_characters() -> None:
    secret = "a.b*c+d?(e)[f]"
    assert Redactor([secret]).redact(f"<{secret}>") == f"<{MASK}>"
    assert Redactor([secret]).redact("aXb*c+d?(e)[f]") == "aXb*c+d?(e)[f]"


GH = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"token {GH} end", f"token {MASK} end"),
        ("gho_" + "x" * 36, MASK),
        ("ghs_" + "Z9" * 18, MASK),
        ("ghu_" + "a" * 36, MASK),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789", MASK),
        ("dapi" + "0123456789abcdef" * 2, MASK),
        ("key=dapi" + "0123456789abcdef" * 2 + "-2;", f"key={MASK};"),
        ("sk-ant-api03-abcDEF_123-xyz", MASK),
        ("AKIAIOSFODNN7EXAMPLE", MASK),
        ("Authorization: Bearer eyJhbGciOi.J9.abc", f"Authorization: Bearer {MASK}"),
        ("AUTHORIZATION: basic eC1hY2Nlc3M=", f"AUTHORIZATION: basic {MASK}"),
        ("header 'Authorization: token abc123def'", f"header 'Authorization: token {MASK}'"),
        ("curl -H bearer abcdefghijklmnopqrstuvwx", f"curl -H bearer {MASK}"),
        (
            "https://x-access-token:short@github.com/o/r.git",
            f"https://x-access-token:{MASK}@github.com/o/r.git",
        ),
        ("http://user:pa55@127.0.0.1:8080/x", f"http://user:{MASK}@127.0.0.1:8080/x"),
        (f"https://{GH}@github.com/o/r", f"https://{MASK}@github.com/o/r"),
    ],
)
def test_token_patterns(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a bearer of bad news",
        "the basic idea",
        "https://github.com/o/r/pull/1",
        "https://user@github.com/o/r",
        "dapi123 is too short",
        "job 123 ghp_short",
        "sk-ant is a prefix",
        "AKIA lowercase akiaiosfodnn7example",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert Redactor().redact(text) == text


def test_redaction_is_idempotent() -> None:
    redactor = Redactor([SECRET])
    text = f"Authorization: Bearer {GH} and {SECRET} at https://u:{SECRET}@h/x"
    once = redactor.redact(text)
    assert redactor.redact(once) == once
    assert SECRET not in once
    assert GH not in once


def test_from_env_collects_credentials_and_secret_inputs() -> None:
    env = {
        "GITHUB_TOKEN": "github-token-value",
        "DATABRICKS_TOKEN": "databricks-token-value",
        "DATABRICKS_CLIENT_SECRET": "client-secret-value",
        "ANTHROPIC_API_KEY": "anthropic-key-value",
        "INPUT_GITHUB-TOKEN": "input-github-token",
        "INPUT_DATABRICKS-CLIENT-SECRET": "input-client-secret",
        "INPUT_ANTHROPIC-API-KEY": "input-anthropic-key",
        "INPUT_CONFIG": ".dabgen.yml-not-secret",
        "DATABRICKS_HOST": "https://adb-123.azuredatabricks.net",
        "HOME": "/home/runner-not-secret",
    }
    redactor = Redactor.from_env(env)
    text = " | ".join(env.values())
    out = redactor.redact(text)
    for name in ("GITHUB_TOKEN", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_SECRET",
                 "ANTHROPIC_API_KEY", "INPUT_GITHUB-TOKEN", "INPUT_DATABRICKS-CLIENT-SECRET",
                 "INPUT_ANTHROPIC-API-KEY"):
        assert env[name] not in out, name
    for name in ("INPUT_CONFIG", "DATABRICKS_HOST", "HOME"):
        assert env[name] in out, name


def test_with_secrets_extends_without_forgetting() -> None:
    base = Redactor(["first-secret"])
    more = base.with_secrets(["second-secret"])
    assert more.redact("first-secret second-secret") == f"{MASK} {MASK}"
    assert base.redact("second-secret") == "second-secret"


def test_callable() -> None:
    assert Redactor(["abcdefgh12"])("x abcdefgh12") == f"x {MASK}"
