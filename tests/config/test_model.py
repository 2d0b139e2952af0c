from __future__ import annotations

import pytest

from dabgen_ci.config import Config, parse_config
from dabgen_ci.errors import BadInputError


def test_defaults_when_missing() -> None:
    assert parse_config(None) == Config()
    assert parse_config("") == Config()


def test_full_config() -> None:
    config = parse_config(
        """
version: 1
bundle_dir: bundles/sales
jobs: {ids: [1, 2], names: ["Nightly*"], tags: {team: sales}}
paths: [/Workspace/Shared/proj]
permissions: {generate: maintain, validate: read}
validation: {cli: never}
agent: {max_rounds: 2, model: claude-sonnet-4-5}
"""
    )
    assert config.bundle_dir == "bundles/sales"
    assert config.job_ids == (1, 2)
    assert config.job_tags == (("team", "sales"),)
    assert config.validation_cli == "never"
    assert config.agent.max_rounds == 2
    assert config.allows("generate", "admin")
    assert not config.allows("generate", "write")
    assert config.allows("validate", "read")
    assert not config.allows("refine", "read")
    assert not config.allows("refine", "bogus")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jobs: {ids: [abc]}", r"\.dabgen\.yml:1: jobs\.ids\[0\]"),
        ("bundle_dir: ../outside", "bundle_dir"),
        ("permissions: {generate: god}", "permissions.generate"),
        ("surprise: 1", "surprise"),
        ("[1, 2]", "mapping"),
        ("a: [", "not valid YAML"),
    ],
)
def test_bad_fields_name_their_path(text: str, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse_config(text)


def test_review_section() -> None:
    config = parse_config("review: {ignore: [dab003, DAB001], fail_on: warning, target: live,"
                          " agent: true}")
    assert config.review.ignore == ("DAB003", "DAB001")
    assert (config.review.fail_on, config.review.target, config.review.agent) == (
        "warning", "live", True)
    assert parse_config("version: 1").review == Config().review
    assert Config().review.fail_on == "error" and Config().review.target == "prod"


@pytest.mark.parametrize(("text", "message"), [
    ("review: {ignore: [E501]}", "review.ignore.0"),
    ("review: {fail_on: sometimes}", "review.fail_on"),
    ("review: {agent: maybe}", "review.agent"),
])
def test_bad_review_fields_name_their_path(text: str, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse_config(text)
