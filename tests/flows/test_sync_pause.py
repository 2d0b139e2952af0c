"""`dabgen sync` and `pause_status` (workspace server, real SDK, in-process CLI): a job that
is UNPAUSED in the workspace and has no `pause_status` in the bundle has not drifted;
pausing and unpausing it in the UI is drift, adopted as `pause_status: PAUSED` and as its
removal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.flows.sync_support import World, job_report

ETL = "resources/nightly_sales_etl.job.yml"
REVENUE = "resources/revenue_dashboard_refresh.job.yml"
# job → (its resource file, the pausable section the demo job has)
SECTIONS = {1001: (ETL, "schedule"), 1002: (REVENUE, "trigger")}


def set_pause(field: str, status: str) -> Any:
    def change(settings: dict[str, Any]) -> None:
        settings[field]["pause_status"] = status
    return change


def record_base(world: World) -> None:
    """A first sync that changes something else, so `.dabgen/` records both jobs."""
    world.edit_job(1002, lambda s: s.update(timeout_seconds=3700))
    assert world.sync().exit_code == 0
    assert (world.bundle / ".dabgen/jobs/1001.json").is_file()


def test_an_unpaused_job_without_pause_status_in_the_bundle_has_not_drifted(
        world: World) -> None:
    for job_id, (file, field) in SECTIONS.items():
        live = json.loads((world.snapshot / "jobs" / f"{job_id}.json").read_text())
        assert live["settings"][field]["pause_status"] == "UNPAUSED"
        assert f"  {field}:\n" in world.read(file) and "pause_status" not in world.read(file)
    result = world.sync("--check")
    assert result.exit_code == 0, result.output
    assert "No drift: the 2 job(s) of `bundle/` match the workspace." in result.stdout
    record_base(world)  # and against a recorded base
    record = json.loads((world.bundle / ".dabgen/jobs/1001.json").read_text())
    assert "pause_status" not in record["settings"]["schedule"]  # as the bundle says it
    assert world.sync("--check").exit_code == 0


@pytest.mark.parametrize("job_id", sorted(SECTIONS))
@pytest.mark.parametrize("with_base", [False, True], ids=["first-sync", "recorded-base"])
def test_pausing_and_unpausing_in_the_ui_is_drift_that_sync_adopts(
        world: World, job_id: int, with_base: bool) -> None:
    file, field = SECTIONS[job_id]
    if with_base:
        record_base(world)
    generated = world.read(file)

    world.edit_job(job_id, set_pause(field, "PAUSED"))
    check = world.sync("--check")
    assert check.exit_code == 1, check.output
    assert f"- `{field}.pause_status`: *(absent)* → `PAUSED`" in check.stdout.splitlines()
    code, payload = world.sync_json()
    assert code == 0
    assert job_report(payload, job_id)["changes"] == [
        {"path": f"{field}.pause_status", "old": None, "new": "PAUSED"}]
    paused = world.read(file)
    assert f"  {field}:\n" in paused and paused.count("        pause_status: PAUSED\n") == 1
    assert world.sync("--check").exit_code == 0  # in step now

    world.edit_job(job_id, set_pause(field, "UNPAUSED"))
    code, payload = world.sync_json()
    assert code == 0
    assert job_report(payload, job_id)["changes"] == [
        {"path": f"{field}.pause_status", "old": "PAUSED", "new": None}]
    assert world.read(file) == generated  # the line is gone again, nothing else moved
    assert world.sync("--check").exit_code == 0


def test_a_bundle_that_writes_unpaused_explicitly_has_not_drifted(world: World) -> None:
    """A bundle from an older dabgen (or a person) says `pause_status: UNPAUSED`."""
    old = world.read(ETL).replace("        timezone_id: Europe/Amsterdam\n",
                                  "        timezone_id: Europe/Amsterdam\n"
                                  "        pause_status: UNPAUSED\n")
    world.write(ETL, old)
    assert world.sync("--check").exit_code == 0
    record_base(world)
    assert world.read(ETL) == old  # the person's line is left alone
    world.edit_job(1001, set_pause("schedule", "PAUSED"))
    code, payload = world.sync_json()
    assert code == 0
    assert job_report(payload, 1001)["changes"] == [
        {"path": "schedule.pause_status", "old": None, "new": "PAUSED"}]
    assert world.read(ETL) == old.replace("pause_status: UNPAUSED", "pause_status: PAUSED")


def test_a_job_made_continuous_in_the_ui_stays_continuous_in_the_bundle(world: World) -> None:
    record_base(world)

    def make_continuous(settings: dict[str, Any]) -> None:
        del settings["schedule"]
        settings["continuous"] = {"pause_status": "UNPAUSED"}

    world.edit_job(1001, make_continuous)
    result = world.sync()
    assert result.exit_code == 0, result.output  # the synced bundle validates
    text = world.read(ETL)
    assert "      continuous: {}\n" in text and "schedule" not in text
    assert world.sync("--check").exit_code == 0
    world.edit_job(1001, set_pause("continuous", "PAUSED"))
    assert world.sync().exit_code == 0
    assert "      continuous:\n        pause_status: PAUSED\n" in world.read(ETL)
