"""README shows a real review: this test produces it (the action on a pull request, against
the GitHub and workspace servers) and compares it with tests/golden/review/, which the
README quotes line by line. Regenerate with DABGEN_UPDATE_GOLDEN=1 after a deliberate change.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.e2e.conftest import BOT, ROOT, World
from tests.e2e.review_support import (
    pull_payload,
    push_change,
    run_in_process,
    seed_main_with_bundle,
)
from tests.review.repo import DASHBOARD, ETL, NEW_JOB

GOLDEN = ROOT / "tests" / "golden" / "review"
UPDATE = os.environ.get("DABGEN_UPDATE_GOLDEN") == "1"
NEW_FILE = "bundle/resources/adhoc_export.job.yml"


def normalised(text: str, world: World, head: str) -> str:
    """Stable text: the test server's address and the commit's sha as on github.com."""
    text = text.replace(world.github.url, "https://github.com")
    return text.replace(head, "5d2c9e07a41b3f86c0e2d7a9b4f1c3e8a6d0b2f4").replace(
        head[:10], "5d2c9e07a4")


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text)
    assert text == path.read_text(), f"{name} changed; DABGEN_UPDATE_GOLDEN=1 to accept"


def test_the_review_the_readme_shows(world: World, tmp_path: Path) -> None:
    seed_main_with_bundle(world, tmp_path)
    etl = world.show("main", ETL).replace("max_workers: 8", "max_workers: 16")
    head = push_change(world, "nightly-changes", write={NEW_FILE: NEW_JOB, ETL: etl},
                       delete=(DASHBOARD,))
    number = world.github.open_pull("nightly-changes", "Nightly job changes", "", "alice")

    run = run_in_process(world, "pull_request", pull_payload(world, number),
                         {"INPUT_COMMAND": "review"})

    assert run.code == 0, run.stderr
    [review] = [r for r in world.github.reviews(number) if r.user == BOT and r.body]
    comments = [c for c in world.github.review_comments(number) if c.user == BOT]
    check("review.md", normalised(review.body, world, head))
    check("inline_comment.md", normalised(comments[0].body, world, head))
    annotations = [ln for ln in run.stdout.splitlines() if ln.startswith("::")]
    check("annotations.txt", "\n".join(annotations) + "\n")


def test_the_readme_quotes_the_golden_review() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in ("review.md", "inline_comment.md"):
        quoted = "\n".join(f"> {ln}" if ln else ">" for ln in
                           (GOLDEN / name).read_text().rstrip("\n").splitlines())
        assert quoted in readme, f"README must quote tests/golden/review/{name} verbatim"
    shown = [line for line in readme.splitlines() if line.startswith("::")]
    produced = (GOLDEN / "annotations.txt").read_text().splitlines()
    assert len(shown) >= 2 and set(shown) <= set(produced)
