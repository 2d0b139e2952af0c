"""One table of token shapes: what the secret rule refuses is what the redactor masks."""

from __future__ import annotations

import pytest

from dabgen_ci.core.redact import Redactor
from dabgen_ci.core.secrets import (
    TOKEN_SHAPES,
    SecretAllowlist,
    find_tokens,
    fingerprint,
    mask_tokens,
)
from dabgen_ci.validate.rules_secrets import check_secrets, check_source

# One credential per shape, assembled so no scanner of this repository mistakes them.
SAMPLES = {
    "a Databricks personal access token": "dapi" + "a1b2c3d4e5f60718" * 2,
    "a Databricks OAuth secret": "dose" + "0123456789abcdef" * 2,
    "a GitHub token": "ghp_" + "A1b2C3d4E5" * 4,
    "an AWS access key id": "AKIA" + "ZQ3R7T2W9Y4U6I8O",
    "an Anthropic API key": "sk-ant-" + "api03-Xy7_Zq9-Lm",
    "a Google API key": "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
    "a Slack token": "xoxb-" + "1234567890-abcdefghij",
    "a private key": "-----BEGIN " + "OPENSSH PRIVATE KEY-----",
}


def test_every_shape_has_a_sample() -> None:
    assert {shape.what for shape in TOKEN_SHAPES} == set(SAMPLES)


@pytest.mark.parametrize("what", sorted(SAMPLES))
def test_the_rule_and_the_redactor_agree_on_every_shape(what: str) -> None:
    secret = SAMPLES[what]
    text = f"before {secret} after"
    assert [m.shape.what for m in find_tokens(text)] == [what]
    assert Redactor().redact(text) == "before *** after" == mask_tokens(text)
    [as_value] = check_secrets({"tags": {"k": text}}, None)
    [as_key] = check_secrets({"tags": {secret: "v"}}, None)
    [in_source] = check_source("src/a.py", f"x = 1\ny = '{secret}'\n")
    assert what in as_value.summary and what in as_key.summary and what in in_source.summary
    assert in_source.line == 2
    for diag in (as_value, as_key, in_source):
        assert secret not in diag.render() + diag.detail
        assert f"[fingerprint {fingerprint(secret)}]" in diag.summary


def test_fingerprints_are_short_stable_and_distinct() -> None:
    prints = {fingerprint(s) for s in SAMPLES.values()}
    assert len(prints) == len(SAMPLES)
    assert all(len(p) == 16 and int(p, 16) >= 0 for p in prints)
    assert fingerprint("x") == fingerprint("x")


def test_allowlist_by_fingerprint_glob_and_marked_line() -> None:
    allow = SecretAllowlist(fingerprints=frozenset({"a" * 16}), paths=("src/fixtures/*",),
                            marked=frozenset({("src/a.py", 3)}))
    assert allow.allows("resources/x.yml", 9, "a" * 16)
    assert allow.allows("src/fixtures/keys.txt", 1, "b" * 16)
    assert allow.allows("src/a.py", 3, "b" * 16)
    assert not allow.allows("src/a.py", 4, "b" * 16)
    assert not allow.allows(None, None, "b" * 16)


def test_each_finding_names_the_path_of_its_value_at_any_depth() -> None:
    """The scan builds a value's path only when it holds a token: the paths it does build
    are those of the values, in lists and maps, at the top and deep down."""
    token = SAMPLES["a GitHub token"]
    config = {"top": token, "resources": {"jobs": {"a": {"tasks": [
        {"task_key": "x"}, {"task_key": "y", "params": ["ok", f"x {token}"]}]}}},
        "tags": {token: "v"}}
    found = check_secrets(config, None)
    assert sorted(d.path or "" for d in found) == [
        "resources.jobs.a.tasks[1].params[1]", "tags.***", "top"]
