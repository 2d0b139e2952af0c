"""`dabgen review [--base REF] [--json]` in a checkout: real git, the workspace server over
databricks-sdk for the deploy plan, the command run in-process."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dabgen_ci.cli import cli
from tests.commands.cli_support import live_env
from tests.review.repo import DASHBOARD, DEMO, ETL, NEW_JOB, clone, commit, demo_bundle, edit
from tests.review.repo import make_origin as origin_with
from tests.review.state import DEMO_BOUND, deploy_state, state_dir
from tests.servers.workspace_server import WorkspaceServer

NO_WORKSPACE = {"DATABRICKS_HOST": None, "DATABRICKS_TOKEN": None,
                "DATABRICKS_CONFIG_PROFILE": None, "DATABRICKS_CONFIG_FILE": os.devnull,
                "GITHUB_ACTIONS": None}


@pytest.fixture(scope="module")
def bundle_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return demo_bundle(tmp_path_factory.mktemp("demo") / "bundle")


@pytest.fixture
def checkout(tmp_path: Path, bundle_files: dict[str, bytes]) -> Path:
    return clone(origin_with(tmp_path, bundle_files), tmp_path / "work")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkspaceServer]:
    """The demo workspace with the bundle's prod target deployed (its jobs bound)."""
    snapshot = Path(shutil.copytree(DEMO, tmp_path_factory.mktemp("ws") / "snapshot"))
    deploy_state(snapshot, "bundle", DEMO_BOUND)  # demo_bundle() names it after its folder
    with WorkspaceServer(snapshot, token="dapi" + "0" * 32) as server:
        yield server


def review(checkout: Path, *args: str, env: Mapping[str, str | None] | None = None) -> Result:
    old = Path.cwd()
    inside = checkout / "bundle"
    os.chdir(inside if inside.is_dir() else checkout)  # anywhere inside the checkout works
    try:
        return CliRunner().invoke(cli, ["review", *args], env={**NO_WORKSPACE, **(env or {})},
                                  catch_exceptions=False)
    finally:
        os.chdir(old)


def as_json(result: Result) -> dict:
    return json.loads(result.stdout)


def test_the_plan_lists_exactly_the_fields_that_differ_from_the_live_job(
        checkout: Path, workspace: WorkspaceServer) -> None:
    edit(checkout, ETL, "max_workers: 8", "max_workers: 16")
    edit(checkout, ETL, "timeout_seconds: 7200\n", "timeout_seconds: 9000\n")
    commit(checkout)
    result = review(checkout, "--base", "origin/main", "--json", env=live_env(workspace))
    assert result.exit_code == 0, result.output
    plan = as_json(result)["bundles"][0]["plan"]
    assert plan["target"] == "prod" and plan["skipped"] is None
    by_key = {j["key"]: j for j in plan["jobs"]}
    assert by_key["nightly_sales_etl"]["changes"] == [
        {"path": "timeout_seconds", "old": 7200, "new": 9000, "ui_edit": False},
        {"path": "job_clusters[etl_cluster].new_cluster.autoscale.max_workers", "old": 8,
         "new": 16, "ui_edit": False}]
    assert by_key["revenue_dashboard_refresh"]["changes"] == []  # unchanged: nothing to do
    assert {j["kind"] for j in plan["jobs"]} == {"update"}, plan


def test_a_deleted_resource_file_says_the_deploy_deletes_the_job(
        checkout: Path, workspace: WorkspaceServer) -> None:
    (checkout / DASHBOARD).unlink()
    commit(checkout)
    result = review(checkout, "--base", "origin/main", env=live_env(workspace))
    assert result.exit_code == 0, result.output
    assert ("DELETE revenue_dashboard_refresh (job 1002): deploying this deletes job 1002 "
            "(Revenue Dashboard Refresh) from the workspace") in result.stdout
    assert "DAB009" in result.stdout and DASHBOARD in result.stdout


def test_a_new_job_with_a_hard_coded_cluster_is_created_and_linted(
        checkout: Path, workspace: WorkspaceServer) -> None:
    (checkout / "bundle/resources/adhoc_export.job.yml").write_text(NEW_JOB)
    commit(checkout)
    data = as_json(review(checkout, "--base", "origin/main", "--json", env=live_env(workspace)))
    findings = {(f["rule"], f["file"], f["line"]) for f in data["bundles"][0]["findings"]}
    assert ("DAB001", "bundle/resources/adhoc_export.job.yml", 10) in findings
    assert ("DAB003", "bundle/resources/adhoc_export.job.yml", 10) in findings
    created = [j for j in data["bundles"][0]["plan"]["jobs"] if j["kind"] == "create"]
    assert [(j["key"], j["name"]) for j in created] == [("adhoc_export", "Adhoc Export")]


def test_fail_on_comes_from_the_base_and_decides_the_exit_code(
        tmp_path: Path, bundle_files: dict[str, bytes]) -> None:
    bare = origin_with(tmp_path, bundle_files, "review:\n  fail_on: warning\n")
    checkout = clone(bare, tmp_path / "work")
    (checkout / "bundle/resources/adhoc_export.job.yml").write_text(NEW_JOB)
    # the change tries to relax its own review: the base's configuration still applies
    (checkout / ".dabgen.yml").write_text("review:\n  fail_on: never\n  ignore: [DAB001]\n")
    commit(checkout)
    result = review(checkout, "--base", "origin/main")
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.stdout and "(fail-on: warning)" in result.stdout
    assert "DAB001" in result.stdout


def test_without_credentials_the_plan_says_it_was_skipped_and_why(checkout: Path) -> None:
    edit(checkout, ETL, "max_workers: 8", "max_workers: 16")
    result = review(checkout, "--json")  # uncommitted; base: origin/HEAD
    plan = as_json(result)["bundles"][0]["plan"]
    assert plan["skipped"].startswith("no Databricks credentials")
    assert as_json(result)["base"] == "origin/HEAD"


def test_nothing_to_review_when_no_bundle_changed(checkout: Path) -> None:
    (checkout / "README.md").write_text("# notes\n")
    result = review(checkout, "--base", "origin/main")
    assert result.exit_code == 0 and "no bundle changed" in result.stdout


def test_annotations_inside_github_actions(checkout: Path) -> None:
    (checkout / "bundle/resources/adhoc_export.job.yml").write_text(NEW_JOB)
    result = review(checkout, "--base", "origin/main", env={"GITHUB_ACTIONS": "true"})
    assert ("::warning file=bundle/resources/adhoc_export.job.yml,line=10,title=DAB001::"
            "hard-coded cluster id") in result.stdout


@pytest.mark.parametrize(("base", "message"), [
    ("origin/nope", "no such revision"), ("--upload-pack=x", "not a git revision")])
def test_a_bad_base_is_bad_input(checkout: Path, base: str, message: str) -> None:
    result = review(checkout, f"--base={base}")
    assert result.exit_code == 2 and message in result.stderr


def test_outside_a_repository_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "bundle").mkdir()
    result = review(tmp_path, "--json")
    assert result.exit_code == 2 and "not inside a git repository" in as_json(result)["error"]


def test_a_change_to_a_field_edited_in_the_ui_since_the_last_sync_is_called_out(
        checkout: Path, workspace: WorkspaceServer) -> None:
    # the last sync saw 4 workers; someone set 8 in the UI since; the change asks for 4 again
    job = json.loads((DEMO / "jobs" / "1001.json").read_text())
    job["settings"]["job_clusters"][0]["new_cluster"]["autoscale"]["max_workers"] = 4
    record = checkout / "bundle" / ".dabgen" / "jobs" / "1001.json"
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"job_id": 1001, "key": "nightly_sales_etl",
                                  "settings": job["settings"]}))
    edit(checkout, ETL, "max_workers: 8", "max_workers: 4")
    commit(checkout)
    result = review(checkout, "--base", "origin/main", env=live_env(workspace))
    assert ("job_clusters[etl_cluster].new_cluster.autoscale.max_workers: `8` → `4`  "
            "[UI edit since the last sync]") in result.stdout


def test_deleting_the_whole_bundle_deletes_every_job(checkout: Path,
                                                     workspace: WorkspaceServer) -> None:
    shutil.rmtree(checkout / "bundle")
    commit(checkout)
    data = as_json(review(checkout, "--base", "origin/main", "--json", env=live_env(workspace)))
    [bundle] = data["bundles"]
    assert bundle["removed"] is True
    assert sorted((j["kind"], j["job_id"]) for j in bundle["plan"]["jobs"]) == [
        ("delete", 1001), ("delete", 1002), ("delete", 1003)]
    assert {f["rule"] for f in bundle["findings"]} == {"DAB009"}


# -- which job a deploy updates: the target's deployment state, not the header ------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, WorkspaceServer]]:
    """A demo workspace of this test's own, to deploy state into."""
    snapshot = Path(shutil.copytree(DEMO, tmp_path / "snapshot"))
    with WorkspaceServer(snapshot) as server:
        yield snapshot, server


def plan_of(checkout: Path, server: WorkspaceServer) -> dict:
    edit(checkout, ETL, "timeout_seconds: 7200\n", "timeout_seconds: 9000\n")
    commit(checkout)
    result = review(checkout, "--base", "origin/main", "--json", env=live_env(server))
    assert result.exit_code == 0, result.output
    return as_json(result)["bundles"][0]["plan"]


def test_a_target_never_deployed_creates_copies_and_says_how_to_bind(
        checkout: Path, served: tuple[Path, WorkspaceServer]) -> None:
    plan = plan_of(checkout, served[1])
    assert plan["state"] == ("none in `/Workspace/Users/dabgen@example.com/.bundle/bundle/"
                             "prod/state`: target `prod` was never deployed, so nothing is "
                             "bound yet")
    etl = {j["key"]: j for j in plan["jobs"]}["nightly_sales_etl"]
    assert (etl["kind"], etl["job_id"]) == ("create", 1001)
    assert "creates a second job beside job 1001" in etl["note"]
    assert ("`databricks bundle deployment bind nightly_sales_etl 1001 --target prod`"
            in etl["note"]) and etl["note"].endswith("changing 1 field(s)")
    assert [c["path"] for c in etl["changes"]] == [
        "timeout_seconds"]
    text = review(checkout, "--base", "origin/main", env=live_env(served[1])).stdout
    assert "create nightly_sales_etl (job 1001): not bound in the `prod` deployment" in text


@pytest.mark.parametrize("engine", ["terraform", "direct"])
def test_the_deployment_state_decides_which_job_is_updated(
        checkout: Path, served: tuple[Path, WorkspaceServer], engine: str) -> None:
    # bound by hand to job 1003, although the header names 1001; job 1004 was deployed by
    # a resource deleted earlier and never deployed away
    snapshot, server = served
    deploy_state(snapshot, "bundle", {"nightly_sales_etl": 1003, "revenue_dashboard_refresh":
                                      1002, "old_training": 1004}, engine=engine)
    plan = plan_of(checkout, server)
    file = "terraform.tfstate" if engine == "terraform" else "resources.json"
    assert plan["state"] == (f"`/Workspace/Users/dabgen@example.com/.bundle/bundle/prod/"
                             f"state/{file}` binds 3 job(s)")
    jobs = {j["key"]: j for j in plan["jobs"]}
    assert (jobs["nightly_sales_etl"]["kind"], jobs["nightly_sales_etl"]["job_id"]) == (
        "update", 1003)
    assert jobs["nightly_sales_etl"]["note"] == ("the deployment state binds job 1003; the "
                                                 "resource header names job 1001")
    assert jobs["nightly_sales_etl"]["changes"]  # the 1003 job is another job: fields differ
    assert jobs["per_region_backfill"]["kind"] == "create"  # not in the state
    assert (jobs["old_training"]["kind"], jobs["old_training"]["job_id"]) == ("delete", 1004)
    assert "in no resource file" in jobs["old_training"]["note"]


def test_the_newer_of_two_state_files_is_the_one_a_deploy_uses(
        checkout: Path, served: tuple[Path, WorkspaceServer]) -> None:
    snapshot, server = served
    deploy_state(snapshot, "bundle", {"nightly_sales_etl": 1003}, serial=7)
    deploy_state(snapshot, "bundle", DEMO_BOUND, engine="direct", serial=9)
    plan = plan_of(checkout, server)
    assert plan["state"].endswith("/state/resources.json` binds 3 job(s)")
    assert {j["kind"] for j in plan["jobs"]} == {"update"}


def test_an_explicit_state_path_is_read_without_asking_who_deploys(
        checkout: Path, served: tuple[Path, WorkspaceServer]) -> None:
    snapshot, server = served
    deploy_state(snapshot, "bundle", DEMO_BOUND,
                 folder=snapshot / "workspace" / "Shared" / "deploys" / "etl")
    edit(checkout, "bundle/databricks.yml", "      root_path: /Workspace/Users/"
         "${workspace.current_user.userName}/.bundle/${bundle.name}/${bundle.target}",
         "      root_path: /Workspace/Shared/deploys/etl-root\n"
         "      state_path: /Workspace/Shared/deploys/etl")
    plan = plan_of(checkout, server)
    assert {j["kind"] for j in plan["jobs"]} == {"update"}
    assert server.requests["GET /api/2.0/preview/scim/v2/Me"] == 0


def test_a_state_path_only_a_deploy_can_resolve_falls_back_to_the_headers(
        checkout: Path, served: tuple[Path, WorkspaceServer]) -> None:
    edit(checkout, "bundle/databricks.yml", "      root_path: /Workspace/Users/"
         "${workspace.current_user.userName}/.bundle/${bundle.name}/${bundle.target}",
         "      root_path: /Workspace/Users/${workspace.current_user.short_name}/b")
    plan = plan_of(checkout, served[1])
    assert plan["state"].startswith("not read (`/Workspace/Users/"
                                    "${workspace.current_user.short_name}/b` has a reference")
    assert plan["state"].endswith("the resource headers are taken as the bound job ids")
    assert {j["kind"] for j in plan["jobs"]} == {"update"}


def test_a_state_file_that_is_not_a_state_is_reported_not_trusted(
        checkout: Path, served: tuple[Path, WorkspaceServer]) -> None:
    snapshot, server = served
    folder = state_dir(snapshot, "bundle")
    folder.mkdir(parents=True)
    (folder / "terraform.tfstate").write_text('["not", "a", "state"]')
    plan = plan_of(checkout, server)
    assert plan["state"].startswith("not read (/Workspace/Users/dabgen@"
                                    "example.com/.bundle/bundle/prod/state/terraform.tfstate "
                                    "is not a deployment state)")


def test_removing_a_resource_never_deployed_deletes_nothing(
        checkout: Path, served: tuple[Path, WorkspaceServer]) -> None:
    snapshot, server = served
    deploy_state(snapshot, "bundle", {"nightly_sales_etl": 1001, "per_region_backfill": 1003})
    (checkout / DASHBOARD).unlink()  # its header names job 1002, which no deploy touched
    plan = plan_of(checkout, server)
    assert [j for j in plan["jobs"] if j["kind"] == "delete"] == []
    assert {j["key"] for j in plan["jobs"]} == {"nightly_sales_etl", "per_region_backfill"}


def test_workspace_paths_are_resolved_as_a_deploy_resolves_them(
        checkout: Path, served: tuple[Path, WorkspaceServer]) -> None:
    snapshot, server = served
    deploy_state(snapshot, "bundle", DEMO_BOUND)
    files = "/Workspace/Users/dabgen@example.com/.bundle/bundle/prod/files"
    job_file = snapshot / "jobs" / "1001.json"
    job = json.loads(job_file.read_text())
    job["settings"]["tags"].update({"code": files, "owner": "dabgen@example.com"})
    job_file.write_text(json.dumps(job))
    edit(checkout, ETL, '        "team": "sales-analytics"\n',
         '        "team": "sales-analytics"\n        code: ${workspace.file_path}\n'
         '        owner: ${workspace.current_user.userName}\n'
         '        later: ${workspace.current_user.short_name}\n')
    etl = {j["key"]: j for j in plan_of(checkout, server)["jobs"]}["nightly_sales_etl"]
    assert [(c["path"], c.get("new")) for c in etl["changes"]] == [
        ("timeout_seconds", 9000),
        ("tags.later", "${workspace.current_user.short_name}")]  # only a deploy knows it


def test_deleting_the_whole_bundle_deletes_what_its_state_binds(
        checkout: Path, served: tuple[Path, WorkspaceServer]) -> None:
    # the prod state (as the base revision configures prod) binds 1001 and 1004; 1002 and
    # 1003 were never deployed from this bundle
    snapshot, server = served
    deploy_state(snapshot, "bundle", {"nightly_sales_etl": 1001, "old_training": 1004})
    shutil.rmtree(checkout / "bundle")
    commit(checkout)
    data = as_json(review(checkout, "--base", "origin/main", "--json", env=live_env(server)))
    plan = data["bundles"][0]["plan"]
    assert sorted((j["kind"], j["key"], j["job_id"]) for j in plan["jobs"]) == [
        ("delete", "nightly_sales_etl", 1001), ("delete", "old_training", 1004)]
    assert plan["state"].endswith("/.bundle/bundle/prod/state/terraform.tfstate` binds 2 "
                                  "job(s)")


def test_when_the_user_cannot_be_asked_the_plan_says_so_and_asks_once(
        checkout: Path, served: tuple[Path, WorkspaceServer]) -> None:
    server = served[1]
    server.fail("/api/2.0/preview/scim/v2/Me", 403, times=None)
    edit(checkout, ETL, '        "team": "sales-analytics"\n',
         '        "team": "sales-analytics"\n        a: ${workspace.current_user.userName}\n'
         '        b: ${workspace.file_path}\n')
    plan = plan_of(checkout, server)
    assert plan["state"].startswith("not read (the deploying user is unknown: permission "
                                    "denied")
    assert {j["kind"] for j in plan["jobs"]} == {"update"}  # the headers stand in
    etl = {j["key"]: j for j in plan["jobs"]}["nightly_sales_etl"]
    assert ("tags.a", "${workspace.current_user.userName}") in [
        (c["path"], c.get("new")) for c in etl["changes"]]
    assert server.requests["GET /api/2.0/preview/scim/v2/Me"] == 1


def test_a_state_under_another_identitys_home_is_found_through_the_jobs(
        checkout: Path, served: tuple[Path, WorkspaceServer]) -> None:
    # prod was deployed by a service principal; the review reads as dabgen@example.com,
    # whose ~ holds no state. The deployed jobs name their deployment's metadata.json.
    snapshot, server = served
    owner = "/Workspace/Users/deployer@example.com/.bundle/bundle/prod/state"
    deploy_state(snapshot, "bundle", DEMO_BOUND,
                 folder=state_dir(snapshot, "bundle", user="deployer@example.com"))
    for job_id in (1001, 1002, 1003):
        job_file = snapshot / "jobs" / f"{job_id}.json"
        job = json.loads(job_file.read_text())
        job["settings"]["deployment"] = {"kind": "BUNDLE",
                                         "metadata_file_path": f"{owner}/metadata.json"}
        job_file.write_text(json.dumps(job))
    plan = plan_of(checkout, server)
    assert {j["kind"] for j in plan["jobs"]} == {"update"}
    # the deploy sets `deployment` itself (the CLI annotates every job it deploys)
    assert [c["path"] for j in plan["jobs"] for c in j["changes"]] == ["timeout_seconds"]
    assert plan["state"] == (
        f"`{owner}/terraform.tfstate` binds 3 job(s) — none in `/Workspace/Users/"
        "dabgen@example.com/.bundle/bundle/prod/state`, the jobs' deployment metadata names "
        "this folder (deployed by another identity or root_path than the review's)")


def test_jobs_that_name_different_deployments_are_not_guessed_between(
        checkout: Path, served: tuple[Path, WorkspaceServer]) -> None:
    snapshot, server = served
    for job_id, user in ((1001, "a@example.com"), (1002, "b@example.com")):
        deploy_state(snapshot, "bundle", DEMO_BOUND,
                     folder=state_dir(snapshot, "bundle", user=user))
        job_file = snapshot / "jobs" / f"{job_id}.json"
        job = json.loads(job_file.read_text())
        job["settings"]["deployment"] = {"kind": "BUNDLE", "metadata_file_path":
                                         f"/Workspace/Users/{user}/.bundle/bundle/prod/state/"
                                         "metadata.json"}
        job_file.write_text(json.dumps(job))
    plan = plan_of(checkout, server)
    assert plan["state"].startswith("none in `/Workspace/Users/dabgen@example.com/")
    assert {j["kind"] for j in plan["jobs"]} == {"create"}
