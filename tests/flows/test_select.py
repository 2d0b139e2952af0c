from __future__ import annotations

import pytest

from dabgen_ci.errors import BadInputError
from dabgen_ci.flows.select import JobSelection, describe, matches, parse_tag


def test_parse_tag_forms() -> None:
    assert parse_tag("team=sales") == ("team", "sales")
    assert parse_tag("team") == ("team", "*")
    assert parse_tag("k=") == ("k", "")
    with pytest.raises(BadInputError):
        parse_tag("=x")


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (JobSelection(all=True), True),
        (JobSelection(name_globs=("nightly*",)), True),
        (JobSelection(name_globs=("weekly*",)), False),
        (JobSelection(tags=(("team", "sales"),)), True),
        (JobSelection(tags=(("team", "s*"),)), True),
        (JobSelection(tags=(("team", "ml"),)), False),
        (JobSelection(tags=(("owner", "*"),)), False),
        (JobSelection(name_globs=("Nightly*",), tags=(("team", "ml"),)), False),
        (JobSelection(all=True, tags=(("team", "ml"),)), False),
    ],
)
def test_matches(selection: JobSelection, expected: bool) -> None:
    settings = {"name": "Nightly Sales ETL", "tags": {"team": "sales"}}
    assert matches(settings, selection) is expected


def test_describe_lists_every_selector() -> None:
    text = describe(JobSelection(ids=(1, 2), all=True, name_globs=("a*",), tags=(("t", "v"),)))
    assert text == "job 1, job 2, --name 'a*', --tag t=v, --all"
