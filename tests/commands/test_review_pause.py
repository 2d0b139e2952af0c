"""`dabgen review` on dabgen's own bundle and `pause_status` (real git, the workspace server
over databricks-sdk, the command in-process): the deploy plan sees no change between a live
UNPAUSED job and a bundle that leaves pause_status out, and DAB005 stays quiet on a freshly
generated bundle but fires where someone writes UNPAUSED for `dev`."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.commands.cli_support import live_env
from tests.commands.test_review_cli import as_json, review
from tests.review.repo import DEMO, ETL, clone, commit, demo_bundle, edit, make_origin
from tests.review.state import DEMO_BOUND, deploy_state, state_dir
from tests.servers.workspace_server import WorkspaceServer

SCHEDULE = "        timezone_id: Europe/Amsterdam\n"
ROOT = "bundle/databricks.yml"


@pytest.fixture(scope="module")
def bundle_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return demo_bundle(tmp_path_factory.mktemp("demo") / "bundle")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkspaceServer]:
    """The demo workspace with the bundle deployed to prod and to dev (its jobs bound)."""
    snapshot = Path(shutil.copytree(DEMO, tmp_path_factory.mktemp("ws") / "snapshot"))
    for target in ("prod", "dev"):
        deploy_state(snapshot, "bundle", DEMO_BOUND,
                     folder=state_dir(snapshot, "bundle", target=target))
    with WorkspaceServer(snapshot, token="dapi" + "0" * 32) as server:
        yield server


def checkout_of(tmp_path: Path, files: dict[str, bytes], config: str = "version: 1\n") -> Path:
    return clone(make_origin(tmp_path, files, config), tmp_path / "work")


def reviewed(checkout: Path, workspace: WorkspaceServer) -> dict[str, Any]:
    result = review(checkout, "--base", "origin/main", "--json", env=live_env(workspace))
    assert result.exit_code == 0, result.output
    [bundle] = as_json(result)["bundles"]
    return dict(bundle)


def plan_changes(bundle: dict[str, Any], key: str) -> list[dict[str, Any]]:
    [job] = [j for j in bundle["plan"]["jobs"] if j["key"] == key]
    assert job["kind"] == "update"
    return list(job["changes"])


def dab005(bundle: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(f["file"], f["line"], f["message"]) for f in bundle["findings"]
            if f["rule"] == "DAB005"]


def test_a_fresh_bundle_plans_no_pause_change_and_dab005_is_quiet(
        tmp_path: Path, bundle_files: dict[str, bytes], workspace: WorkspaceServer) -> None:
    assert b"pause_status" not in bundle_files["resources/nightly_sales_etl.job.yml"]
    checkout = checkout_of(tmp_path, bundle_files)
    edit(checkout, ETL, "timeout_seconds: 7200\n", "timeout_seconds: 9000\n")
    commit(checkout)
    bundle = reviewed(checkout, workspace)
    assert bundle["plan"]["target"] == "prod"
    # live: schedule.pause_status UNPAUSED; bundle: none → no change, only the timeout
    assert plan_changes(bundle, "nightly_sales_etl") == [
        {"path": "timeout_seconds", "old": 7200, "new": 9000, "ui_edit": False}]
    assert plan_changes(bundle, "revenue_dashboard_refresh") == []  # trigger UNPAUSED too
    assert dab005(bundle) == []


def test_pausing_in_the_bundle_is_in_the_plan(
        tmp_path: Path, bundle_files: dict[str, bytes], workspace: WorkspaceServer) -> None:
    checkout = checkout_of(tmp_path, bundle_files)
    edit(checkout, ETL, SCHEDULE, SCHEDULE + "        pause_status: PAUSED\n")
    commit(checkout)
    bundle = reviewed(checkout, workspace)
    assert plan_changes(bundle, "nightly_sales_etl") == [
        {"path": "schedule.pause_status", "old": "UNPAUSED", "new": "PAUSED", "ui_edit": False}]
    assert dab005(bundle) == []


def test_the_plan_of_a_development_target_pauses_what_sets_no_pause_status(
        tmp_path: Path, bundle_files: dict[str, bytes], workspace: WorkspaceServer) -> None:
    checkout = checkout_of(tmp_path, bundle_files, "version: 1\nreview:\n  target: dev\n")
    edit(checkout, ETL, "timeout_seconds: 7200\n", "timeout_seconds: 9000\n")
    commit(checkout)
    bundle = reviewed(checkout, workspace)
    assert bundle["plan"]["target"] == "dev"
    paths = {c["path"]: (c["old"], c["new"]) for c in plan_changes(bundle, "nightly_sales_etl")}
    assert paths["schedule.pause_status"] == ("UNPAUSED", "PAUSED")  # as `bundle deploy` does
    assert plan_changes(bundle, "revenue_dashboard_refresh") == [
        {"path": "trigger.pause_status", "old": "UNPAUSED", "new": "PAUSED", "ui_edit": False}]


def test_dab005_fires_where_someone_writes_unpaused_for_a_development_target(
        tmp_path: Path, bundle_files: dict[str, bytes], workspace: WorkspaceServer) -> None:
    checkout = checkout_of(tmp_path, bundle_files)
    edit(checkout, ETL, SCHEDULE, SCHEDULE + "        pause_status: UNPAUSED\n")
    commit(checkout)
    bundle = reviewed(checkout, workspace)
    line = (checkout / ETL).read_text().splitlines().index("        pause_status: UNPAUSED") + 1
    assert dab005(bundle) == [(ETL, line, "the schedule of job `nightly_sales_etl` is unpaused "
                               "in target `dev` (`pause_status: UNPAUSED` is written, and a "
                               "deploy keeps it)")]
    assert plan_changes(bundle, "nightly_sales_etl") == []  # prod: UNPAUSED is what it has


def test_dab005_fires_on_a_dev_target_that_is_not_in_development_mode(
        tmp_path: Path, bundle_files: dict[str, bytes], workspace: WorkspaceServer) -> None:
    checkout = checkout_of(tmp_path, bundle_files)
    edit(checkout, ROOT, "  dev:\n    mode: development\n", "  dev:\n")
    commit(checkout)
    found = dab005(reviewed(checkout, workspace))
    assert [(f, m.split(" is unpaused")[0]) for f, _, m in found] == [
        (ETL, "the schedule of job `nightly_sales_etl`"),
        ("bundle/resources/revenue_dashboard_refresh.job.yml",
         "the trigger of job `revenue_dashboard_refresh`")]
    assert all(m.endswith("(the target is not in development mode and no preset pauses it)")
               for _, _, m in found)


def test_without_credentials_dab005_still_judges_the_bundle(
        tmp_path: Path, bundle_files: dict[str, bytes]) -> None:
    checkout = checkout_of(tmp_path, bundle_files)
    edit(checkout, ETL, SCHEDULE, SCHEDULE + "        pause_status: UNPAUSED\n")
    commit(checkout)
    result = review(checkout, "--base", "origin/main", "--json",
                    env={"DATABRICKS_CONFIG_FILE": os.devnull})
    [bundle] = as_json(result)["bundles"]
    assert [m for _, _, m in dab005(bundle)] != []
