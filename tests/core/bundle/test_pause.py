"""`pause_status: UNPAUSED` (the Jobs API default) is left out by the converter, and the
round-trip check, the deploy plan and the CLI's presets agree with it (pure)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dabgen_ci.core.bundle import yamlfmt
from dabgen_ci.core.bundle.convert import job_resource
from dabgen_ci.core.bundle.pause import (
    PAUSABLE,
    as_deployed,
    deploy_default,
    omit_default_pause_status,
)
from dabgen_ci.core.bundle.roundtrip import ABSENT, Difference, compare
from dabgen_ci.core.bundle.variables import VariableRegistry
from dabgen_ci.core.review.plan import FieldChange, field_changes

SECTIONS: dict[str, dict[str, Any]] = {
    "schedule": {"quartz_cron_expression": "0 30 2 * * ?", "timezone_id": "UTC"},
    "trigger": {"file_arrival": {"url": "/Volumes/main/raw/orders/"}},
    "continuous": {},
}


def job(field: str, pause_status: str | None) -> dict[str, Any]:
    """Settings as `jobs/get` returns them, with one pausable section."""
    section = dict(SECTIONS[field])
    if pause_status is not None:
        section["pause_status"] = pause_status
    return {"name": "Orders", "format": "MULTI_TASK", field: section,
            "tasks": [{"task_key": "load", "spark_python_task": {
                "python_file": "s3://code/load.py"}}]}


def convert(settings: dict[str, Any]) -> dict[str, Any]:
    return job_resource(settings, key="orders", path_for=lambda path, _kind: path,
                        key_for_job_id={}, variables=VariableRegistry())


def roundtrip(original: dict[str, Any], bundle: dict[str, Any]) -> list[Difference]:
    return compare(original, bundle, variables={}, local_to_workspace=lambda _: None,
                   key_to_job_id={})


@pytest.mark.parametrize("field", PAUSABLE)
def test_the_converter_leaves_out_unpaused_and_keeps_paused(field: str) -> None:
    unpaused, paused = job(field, "UNPAUSED"), job(field, "PAUSED")
    assert convert(unpaused)[field] == SECTIONS[field]
    assert "pause_status" not in convert(unpaused)[field]
    assert convert(paused)[field] == {**SECTIONS[field], "pause_status": "PAUSED"}
    assert unpaused[field]["pause_status"] == "UNPAUSED"  # the input is not modified


def test_a_continuous_job_stays_continuous_when_pause_status_was_all_it_said() -> None:
    body = convert(job("continuous", "UNPAUSED"))
    assert body["continuous"] == {}
    text = yamlfmt.dump({"resources": {"jobs": {"orders": body}}})
    assert "      continuous: {}\n" in text
    paused = yamlfmt.dump({"resources": {"jobs": {"orders": convert(job("continuous",
                                                                         "PAUSED"))}}})
    assert "      continuous:\n        pause_status: PAUSED\n" in paused


def test_only_the_api_default_is_left_out() -> None:
    settings = {"schedule": {"pause_status": "PAUSED"}, "trigger": {"pause_status": "paused"},
                "continuous": {"pause_status": "${var.pause}"},
                "tasks": [{"task_key": "t", "pause_status": "UNPAUSED"}]}  # not a section
    assert omit_default_pause_status(settings) == settings


@pytest.mark.parametrize("field", PAUSABLE)
@pytest.mark.parametrize("status", ["UNPAUSED", "PAUSED"])
def test_the_round_trip_of_a_converted_job_is_clean(field: str, status: str) -> None:
    original = job(field, status)
    assert roundtrip(original, convert(original)) == []


@pytest.mark.parametrize("field", PAUSABLE)
def test_an_explicit_unpaused_in_the_bundle_is_the_same_as_none(field: str) -> None:
    original = job(field, "UNPAUSED")
    written = copy.deepcopy(original)  # a bundle an older dabgen (or a person) wrote
    del written["format"]
    assert roundtrip(original, written) == []
    assert roundtrip(job(field, None), written) == []  # and absent on the API side too


@pytest.mark.parametrize("field", PAUSABLE)
def test_paused_against_unpaused_is_still_a_difference(field: str) -> None:
    bundle = convert(job(field, "PAUSED"))
    assert roundtrip(job(field, "UNPAUSED"), bundle) == [
        Difference(f"{field}.pause_status", ABSENT, "PAUSED")]
    assert roundtrip(job(field, "PAUSED"), convert(job(field, "UNPAUSED"))) == [
        Difference(f"{field}.pause_status", "PAUSED", ABSENT)]


def test_a_bundle_without_the_section_is_a_difference() -> None:
    bundle = convert(job("continuous", "UNPAUSED"))
    del bundle["continuous"]
    assert roundtrip(job("continuous", "UNPAUSED"), bundle) == [
        Difference("continuous", {}, ABSENT)]


@pytest.mark.parametrize("field", PAUSABLE)
def test_the_plan_sees_no_change_between_unpaused_and_absent(field: str) -> None:
    live = job(field, "UNPAUSED")
    assert field_changes(live, convert(live), {}) == []
    explicit = {k: v for k, v in live.items() if k != "format"}  # UNPAUSED written out
    assert field_changes(job(field, None), explicit, {}) == []


@pytest.mark.parametrize("field", PAUSABLE)
def test_the_plan_shows_pausing_and_unpausing(field: str) -> None:
    """Shown as UNPAUSED where the comparison left it out: what the job has, or gets."""
    assert field_changes(job(field, "UNPAUSED"), convert(job(field, "PAUSED")), {}) == [
        FieldChange(f"{field}.pause_status", "UNPAUSED", "PAUSED")]
    assert field_changes(job(field, "PAUSED"), convert(job(field, "UNPAUSED")), {}) == [
        FieldChange(f"{field}.pause_status", "PAUSED", "UNPAUSED")]


def test_the_plan_shows_a_continuous_job_that_stops_being_one() -> None:
    live = job("continuous", "UNPAUSED")
    bundle = convert(live)
    del bundle["continuous"]
    assert field_changes(live, bundle, {}) == [FieldChange("continuous", {}, ABSENT)]


@pytest.mark.parametrize(("presets", "mode", "expected"), [
    (None, None, "UNPAUSED"),                       # no preset: the API default
    (None, "production", "UNPAUSED"),
    (None, "development", "PAUSED"),                # apply_target_mode sets the preset
    ({"trigger_pause_status": ""}, "development", "PAUSED"),
    ({"trigger_pause_status": "UNPAUSED"}, "development", "UNPAUSED"),  # the target's wins
    ({"trigger_pause_status": "PAUSED"}, None, "PAUSED"),
    ({"trigger_pause_status": "UNPAUSED"}, None, "UNPAUSED"),
    ({"name_prefix": "x"}, "development", "PAUSED"),
])
def test_what_a_deploy_gives_an_unset_pause_status(presets: object, mode: object,
                                                   expected: str) -> None:
    assert deploy_default(presets, mode) == expected


def test_a_deploy_fills_in_only_an_unset_pause_status() -> None:
    settings: dict[str, Any] = {"schedule": {"quartz_cron_expression": "0 0 2 * * ?"},
                "trigger": {"pause_status": "UNPAUSED", "periodic": {"interval": 1}},
                "continuous": {"pause_status": ""}}
    deployed = as_deployed(settings, "PAUSED")
    assert [deployed[f]["pause_status"] for f in PAUSABLE] == ["PAUSED", "UNPAUSED", "PAUSED"]
    assert "pause_status" not in settings["schedule"]  # the input is not modified
    dev = as_deployed(convert(job("schedule", "UNPAUSED")), deploy_default(None, "development"))
    assert field_changes(job("schedule", "UNPAUSED"), dev, {}) == [
        FieldChange("schedule.pause_status", "UNPAUSED", "PAUSED")]
