"""A job's name reaches GitHub inert: PR title, PR body, commit message, tracking comment.

Job 1001 is renamed in the workspace to something that, pasted raw, would close issue #1 on
merge, notify a team, hide a fake dabgen marker and show a link. The bot runs for real
(in-process, real servers); every text it sent to GitHub and every commit is inspected.
"""

from __future__ import annotations

import re

import yaml

from dabgen_ci.core.bot.markdown import ZWSP
from tests.e2e.conftest import World

HOSTILE = ("Sales Closes #1 @data-team <!-- dabgen:pr job=9 --> "
           "[docs](https://evil.example) fixes acme/other#3")
_ACTS = {
    "mention": re.compile(r"(?<![\w`])@data-team"),
    "reference": re.compile(r"#[13]\b"),
    "keyword": re.compile(r"\b(?:Closes|fixes) "),
    "fake marker": re.compile(r"<!-- dabgen:pr job=9"),
    "link": re.compile(r"\]\(https://evil"),
}


def acted_on(text: str) -> list[str]:
    return [what for what, pattern in _ACTS.items() if pattern.search(text)]


def test_a_hostile_job_name_is_inert_everywhere_the_bot_writes_it(world: World) -> None:
    world.edit_job(1001, lambda job: job["settings"].update(name=HOSTILE))
    run = world.run(world.comment("/dabgen job 1001"))
    assert run.code == 0, run.stderr

    [pull] = world.github.pulls()
    assert pull.body is not None
    own = "\nCloses #1 (requested by @alice).\n"  # the bot's own link to the issue
    assert own in pull.body
    assert acted_on(pull.title) == [] and acted_on(pull.body.replace(own, "\n")) == []
    assert pull.title.replace(ZWSP, "") == f"dabgen: bundle for job 1001 ({HOSTILE})"
    shown = re.search(r"- job (`+)(.*?)\1 \(`1001`\)", pull.body)
    assert shown is not None and shown.group(2).replace(ZWSP, "") == HOSTILE
    assert pull.body.startswith("<!-- dabgen:pr job=1001 issue=1 -->")
    assert pull.body.count("<!-- dabgen:pr") == 1

    message = world.commit_info("dabgen/job-1001")["message"]
    assert "Requested by @alice in #1." in message  # the bot's own (non-closing) reference
    assert acted_on(message.replace("Requested by @alice in #1.", "")) == []
    assert HOSTILE in message.replace(ZWSP, "")
    [tracking] = world.bot_comments()
    for body in world.github.comment_history(tracking.id):
        assert acted_on(body) == []
    # the bundle itself keeps the name exactly as the workspace has it
    [resource] = [f for f in world.files("dabgen/job-1001") if f.endswith(".job.yml")]
    job = yaml.safe_load(world.show("dabgen/job-1001", resource))["resources"]["jobs"]
    assert [j["name"] for j in job.values()] == [HOSTILE]
