"""Reading a target's deployment state as the Databricks CLI writes it (pure)."""

from __future__ import annotations

import json

import pytest

from dabgen_ci.core.bundle.deploy_state import DeployedJobs, current, parse_state, state_folder
from dabgen_ci.errors import BadInputError

USER = "ana@acme.com"


def never_asked() -> str | None:
    raise AssertionError("the user was asked although no path depends on it")


@pytest.mark.parametrize(("workspace", "expected"), [
    (None, "/Workspace/Users/ana@acme.com/.bundle/etl/prod/state"),
    ({"root_path": "~/deploys/${bundle.name}"}, "/Workspace/Users/ana@acme.com/deploys/etl/state"),
    ({"root_path": "/Workspace/Users/${workspace.current_user.userName}/.bundle/x/"
      "${bundle.target}"}, "/Workspace/Users/ana@acme.com/.bundle/x/prod/state"),
    ({"root_path": "/Shared/etl", "state_path": "${workspace.root_path}/s/"},
     "/Workspace/Shared/etl/s"),
    ({"root_path": "/Volumes/main/ops/deploys"}, "/Volumes/main/ops/deploys/state"),
])
def test_where_the_state_lives(workspace: dict | None, expected: str) -> None:
    assert state_folder(workspace, "etl", "prod", lambda: USER) == expected


def test_the_user_is_asked_only_when_a_path_needs_it_and_once() -> None:
    assert state_folder({"root_path": "/Shared/etl"}, "etl", "prod", never_asked) == \
        "/Workspace/Shared/etl/state"
    asked: list[str] = []

    def user() -> str:
        asked.append(USER)
        return USER

    state_folder({"root_path": "~/a", "state_path": "~/b"}, "etl", "prod", user)
    assert asked == [USER]


@pytest.mark.parametrize(("workspace", "user", "message"), [
    ({"root_path": "/Users/${workspace.current_user.short_name}"}, USER, "has a reference"),
    ({"state_path": "${var.where}/state"}, USER, "has a reference"),
    ({"root_path": "deploys/etl"}, USER, "not an absolute workspace path"),
    (None, None, "depends on the deploying user"),
])
def test_a_folder_that_cannot_be_known_says_why(workspace: dict | None, user: str | None,
                                                message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        state_folder(workspace, "etl", "prod", lambda: user)


def test_terraform_state_names_job_resources_by_key() -> None:
    state = {"version": 4, "serial": 12, "resources": [
        {"mode": "managed", "type": "databricks_job", "name": "etl",
         "instances": [{"attributes": {"id": "1001"}}]},
        {"mode": "managed", "type": "databricks_pipeline", "name": "dlt",
         "instances": [{"attributes": {"id": "abc"}}]},
        {"mode": "data", "type": "databricks_job", "name": "looked_up",
         "instances": [{"attributes": {"id": "7"}}]},
        {"mode": "managed", "type": "databricks_permissions", "name": "job_etl",
         "instances": [{"attributes": {"id": "/jobs/1001"}}]},
        {"mode": "managed", "type": "databricks_job", "name": "tainted", "instances": []},
    ]}
    parsed = parse_state("/s/terraform.tfstate", json.dumps(state).encode())
    assert parsed == DeployedJobs("/s/terraform.tfstate", 12, {"etl": 1001})


def test_direct_state_maps_resource_paths_to_ids() -> None:
    state = {"state_version": 2, "serial": 4, "state": {
        "resources.jobs.etl": {"__id__": "1001", "state": {}},
        "resources.jobs.etl.permissions": {"__id__": "/jobs/1001"},
        "resources.pipelines.dlt": {"__id__": "abc"},
        "resources.jobs.odd": {"__id__": "not-a-number"}}}
    parsed = parse_state("/s/resources.json", json.dumps(state).encode())
    assert parsed == DeployedJobs("/s/resources.json", 4, {"etl": 1001})


def test_an_empty_state_binds_nothing() -> None:
    assert parse_state("/s/resources.json", b'{"serial": 1}').ids == {}
    assert parse_state("/s/terraform.tfstate", b'{"version": 4}').ids == {}


@pytest.mark.parametrize(("name", "content", "message"), [
    ("terraform.tfstate", b"\xff\xfe", "is not JSON"),
    ("terraform.tfstate", b"{", "is not JSON"),
    ("terraform.tfstate", b"[1]", "is not a deployment state"),
    ("terraform.tfstate", b'{"resources": {}}', "is not a deployment state"),
    ("resources.json", b'{"state": []}', "is not a deployment state"),
    ("resources.json", b"[" * 100_000, "is not JSON"),
])
def test_a_file_of_another_shape_is_refused(name: str, content: bytes, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse_state(f"/s/{name}", content)


def test_the_higher_serial_is_current() -> None:
    old, new = DeployedJobs("/a", 3, {"x": 1}), DeployedJobs("/b", 5, {"x": 2})
    assert current([old, new]) == new and current([new, old]) == new
    assert current([]) is None


@pytest.mark.parametrize(("field", "workspace", "expected"), [
    ("root_path", None, "/Workspace/Users/ana@acme.com/.bundle/etl/prod"),
    ("file_path", None, "/Workspace/Users/ana@acme.com/.bundle/etl/prod/files"),
    ("artifact_path", {"root_path": "/Shared/etl"}, "/Workspace/Shared/etl/artifacts"),
    ("resource_path", {"root_path": "/Workspace/Shared/etl/"},
     "/Workspace/Shared/etl/resources"),
    ("file_path", {"root_path": "/Shared/etl", "file_path": "/Shared/code"},
     "/Workspace/Shared/code"),
    ("current_user.userName", None, USER),
    ("current_user.short_name", None, None),  # only a deploy knows how it is derived
    ("file_path", {"root_path": "${var.root}"}, None),
])
def test_workspace_paths_a_deploy_resolves(field: str, workspace: dict | None,
                                           expected: str | None) -> None:
    from dabgen_ci.core.bundle.deploy_state import workspace_path

    assert workspace_path(field, workspace, "etl", "prod", lambda: USER) == expected
