"""Real jobs through the bot: an enum mismatch does not stop delivery; a job another bundle
deploys is delivered with its sources laid out as in that bundle and a PR that says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.e2e.conftest import World

CASES = Path(__file__).parents[1] / "fixtures" / "real_jobs"


def add_case(world: World, case: str) -> None:
    for job in (CASES / case / "jobs").glob("*.json"):
        world.add_job(json.loads(job.read_text()))
    if (CASES / case / "workspace").is_dir():
        shutil.copytree(CASES / case / "workspace", world.snapshot / "workspace",
                        dirs_exist_ok=True)


def test_git_provider_in_lower_case_is_delivered_with_a_warning(world: World) -> None:
    add_case(world, "cli_git_job")
    run = world.run(world.comment("/dabgen job 11223344"))
    assert run.code == 0, run.stderr
    [pull] = world.github.pulls()
    assert pull.body is not None
    assert pull.head == "dabgen/job-11223344"
    assert "✅ passed" in pull.body
    assert "warning: resources/gitjob.job.yml:" in pull.body
    assert "invalid value 'github'" in pull.body
    assert "git_provider: github" in world.show(pull.head, "bundle/resources/gitjob.job.yml")


def test_a_job_deployed_by_a_bundle_is_delivered_in_that_bundles_layout(world: World) -> None:
    add_case(world, "cli_bundle_deployed_nested")
    run = world.run(world.comment("/dabgen job 1235"))
    assert run.code == 0, run.stderr
    [pull] = world.github.pulls()
    assert pull.body is not None
    files = world.files(pull.head)
    assert "bundle/src/etl/ingest.py" in files
    assert not [f for f in files if f.startswith("bundle/src/files/")]
    assert "## Already managed by a bundle" in pull.body
    assert "deployed by bundle `sales` (target `prod`)" in pull.body
