"""The tracking comment rendering (pure), its size cap, and the hidden markers."""

from __future__ import annotations

import pytest

from dabgen_ci.core.bot.grammar import JobCommand, PathCommand
from dabgen_ci.core.bot.markers import (
    PrOrigin,
    origin_from_branch,
    origin_of,
    parse_pr_marker,
    pr_marker,
)
from dabgen_ci.core.bot.tracking_text import (
    DEFAULT_LIMIT,
    GENERATE_STEPS,
    GITHUB_BODY_LIMIT,
    TRUNCATED,
    Outcome,
    Section,
    TrackingState,
    cap,
    code_span,
    fenced,
    render,
    reply_marker,
    tracking_marker,
)

RUN = "https://github.com/acme/jobs/actions/runs/7"


def start() -> TrackingState:
    return TrackingState.start(tracking_marker(42), "/dabgen job 1001", "alice", RUN,
                               GENERATE_STEPS)


def test_a_new_tracking_comment() -> None:
    body = render(start())
    lines = body.splitlines()
    assert lines[0] == "<!-- dabgen:tracking trigger=42 -->"
    assert lines[1] == "### ⏳ dabgen is working on `/dabgen job 1001`"
    assert f"Requested by @alice · [workflow run]({RUN})" in body
    assert [ln for ln in lines if ln.startswith("- [")] == [
        "- [ ] Fetch job", "- [ ] Export notebooks", "- [ ] Convert", "- [ ] Validate",
        "- [ ] Round-trip", "- [ ] Commit", "- [ ] Open PR"]


def test_steps_change_as_they_run() -> None:
    state = (start().with_step("fetch job", "done", "1 job(s)")
             .with_step("export notebooks", "running", "0/4"))
    body = render(state)
    assert "- [x] Fetch job — 1 job(s)" in body
    assert "- [ ] ⏳ Export notebooks… — 0/4" in body
    extra = state.with_step("list notebooks", "done")
    assert extra.steps[-1].name == "list notebooks"  # unknown steps are appended


def test_finishing_a_failure_closes_every_step() -> None:
    state = start().with_step("fetch job", "done").with_step("export notebooks", "running")
    final = state.finished("failure", error="boom\nsecond line", hint="Try again.")
    body = render(final)
    assert "### ❌ dabgen could not finish `/dabgen job 1001`" in body
    assert "- [ ] ❌ Export notebooks" in body
    assert "- [ ] ~~Open PR~~ (skipped)" in body
    assert "**Error:** boom second line" in body and "**What to do:** Try again." in body


@pytest.mark.parametrize(
    ("outcome", "heading"),
    [("success", "✅ dabgen finished"), ("up_to_date", "✅ Already up to date"),
     ("refused", "⚠️ dabgen did not change anything")],
)
def test_final_headings(outcome: Outcome, heading: str) -> None:
    state = start().finished(outcome, summary="Opened #2.")
    body = render(state)
    assert heading in body and body.rstrip().endswith("Opened #2.")
    assert "~~Fetch job~~ (skipped)" in body  # pending steps are not left open


def test_long_output_goes_in_details_and_the_comment_stays_under_the_limit() -> None:
    noisy = "\n".join(f"error: resources/x.yml:{i}: something is wrong" for i in range(20_000))
    state = start().finished("failure", error="x", sections=(
        Section("Validation diagnostics (20000)", noisy, code=True),
        Section("Round-trip differences (3)", "a\nb\nc", code=True),
        Section("Also long", "y" * 500_000),
    ))
    body = render(state)
    assert len(body) <= DEFAULT_LIMIT < GITHUB_BODY_LIMIT
    assert body.count("<details><summary>") == 3 and body.count("</details>") == 3
    assert TRUNCATED in body
    assert "```text\na\nb\nc\n```" in body  # a short section keeps all of its content
    assert "error: resources/x.yml:0: something is wrong" in body


def test_even_a_huge_summary_is_capped() -> None:
    body = render(start().finished("success", summary="z" * 200_000), limit=10_000)
    assert len(body) <= 10_000 and body.startswith("<!-- dabgen:tracking")
    assert cap("short", 10) == "short"
    assert len(cap("x" * 100, 80)) <= 80


def test_markdown_helpers_survive_backticks() -> None:
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x`") == "`` `x` ``"
    assert code_span("two\nlines") == "`two lines`"
    block = fenced("before\n```\ninside\n```")
    assert block.startswith("````text\n") and block.endswith("\n````")


def test_markers() -> None:
    assert tracking_marker(5) != reply_marker(5)
    assert reply_marker(5).startswith("<!-- dabgen:") and reply_marker(5).endswith("-->")


@pytest.mark.parametrize(
    "origin",
    [PrOrigin(job_ids=(3, 1), issue=12), PrOrigin(job_ids=(7,)),
     PrOrigin(path="/Workspace/Users/me@x.com/My Project", issue=4)],
)
def test_pr_marker_round_trip(origin: PrOrigin) -> None:
    marker = pr_marker(origin)
    assert marker.startswith("<!-- dabgen:pr ") and marker.endswith(" -->")
    assert "\n" not in marker and "My Project" not in marker  # values carry no spaces
    assert parse_pr_marker(f"text\n{marker}\nmore") == origin


@pytest.mark.parametrize(
    "body",
    ["no marker", "<!-- dabgen:pr job=1,x -->", "<!-- dabgen:pr job= -->",
     "<!-- dabgen:pr path=/etc/../passwd -->", "<!-- dabgen:pr path=relative -->",
     "<!-- dabgen:pr job=0 -->"],
)
def test_invalid_pr_markers_are_rejected(body: str) -> None:
    assert parse_pr_marker(body) is None


def test_origins() -> None:
    assert origin_from_branch("dabgen/job-1-22") == PrOrigin(job_ids=(1, 22))
    assert origin_from_branch("dabgen/jobs-abcdef012345") is None
    assert origin_from_branch("feature/job-1") is None
    assert origin_of(JobCommand((2,)), 9).command() == JobCommand((2,))
    assert origin_of(PathCommand("/Shared/a"), None).command() == PathCommand("/Shared/a")
