"""Which workspace job each resource of a target is bound to: the target's deployment state.

A deploy does not use the ``# dabgen: job <id>`` header: it updates the job its deployment
state records for the resource key — put there by an earlier deploy or by ``databricks
bundle deployment bind`` — and creates a new job for a key the state does not know. So a
plan that trusts the header would promise an update where the deploy creates a copy, and
miss jobs the state still holds after their resource file was deleted earlier (the next
deploy deletes them). This module reads the state as the Databricks CLI writes it (pure):

* where it lives: ``workspace.state_path``, by default ``${workspace.root_path}/state``,
  with ``root_path`` by default ``~/.bundle/${bundle.name}/${bundle.target}`` and ``~`` the
  deploying user's home (``/Workspace/Users/<userName>``);
* what it says: ``resources.json`` (the direct deployment engine: ``state`` maps
  ``resources.jobs.<key>`` to an entry whose ``__id__`` is the job id) or
  ``terraform.tfstate`` (the Terraform engine: a ``databricks_job`` resource named after the
  key, its instance's ``attributes.id``). When both exist, the higher ``serial`` is the
  current one, as the CLI decides.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dabgen_ci.errors import BadInputError

DIRECT_STATE = "resources.json"
TERRAFORM_STATE = "terraform.tfstate"
STATE_FILES = (DIRECT_STATE, TERRAFORM_STATE)
DEFAULT_ROOT = "~/.bundle/${bundle.name}/${bundle.target}"
_JOB_PREFIX = "resources.jobs."
_SUBFOLDERS = {"file_path": "files", "artifact_path": "artifacts", "state_path": "state",
               "resource_path": "resources"}  # their defaults under root_path


@dataclass(frozen=True)
class DeployedJobs:
    """Resource key → job id, as one state file records them."""

    file: str  # the workspace path it was read from
    serial: int
    ids: Mapping[str, int]


def state_folder(workspace: Mapping[str, Any] | None, bundle_name: str, target: str,
                 user_name: Callable[[], str | None]) -> str:
    """The workspace folder holding the target's state; BadInputError says why it cannot be
    known (a reference dabgen cannot resolve offline, or no user for ``~``). ``user_name``
    is asked only when a path depends on the deploying user."""
    return _workspace_path("state_path", workspace, bundle_name, target,
                           functools.cache(user_name))


def workspace_path(field: str, workspace: Mapping[str, Any] | None, bundle_name: str,
                   target: str, user_name: Callable[[], str | None]) -> str | None:
    """What a deploy of ``target`` makes of ``${workspace.<field>}`` (``root_path``,
    ``file_path``, ``artifact_path``, ``state_path``, ``resource_path``,
    ``current_user.userName``), or None where only a deploy can know it."""
    try:
        if field == "current_user.userName":
            return user_name()
        return _workspace_path(field, workspace, bundle_name, target, user_name)
    except BadInputError:
        return None


def _workspace_path(field: str, workspace: Mapping[str, Any] | None, bundle_name: str,
                    target: str, user_name: Callable[[], str | None]) -> str:
    settings = workspace or {}
    known = {"${bundle.name}": bundle_name, "${bundle.target}": target}
    root = _resolve(_text(settings.get("root_path")) or DEFAULT_ROOT, known, user_name)
    root = _in_workspace(root.rstrip("/") or "/")
    if field == "root_path":
        return root
    if field not in _SUBFOLDERS:
        raise BadInputError(f"`${{workspace.{field}}}` is not a path dabgen knows")
    path = _text(settings.get(field)) or "${workspace.root_path}/" + _SUBFOLDERS[field]
    return _in_workspace(
        _resolve(path, {**known, "${workspace.root_path}": root}, user_name).rstrip("/"))


def _in_workspace(path: str) -> str:
    """As the CLI's PrependWorkspacePrefix: an absolute path outside ``/Workspace/`` and
    ``/Volumes/`` is the same folder under ``/Workspace`` (``/Users/a`` is
    ``/Workspace/Users/a``), and a deploy writes it that way into job settings."""
    return path if path.startswith(("/Workspace/", "/Volumes/")) else "/Workspace" + path


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _resolve(path: str, known: Mapping[str, str], user: Callable[[], str | None]) -> str:
    home = path == "~" or path.startswith("~/")
    if home or "${workspace.current_user.userName}" in path:
        user_name = user()
        if not user_name:
            raise BadInputError(f"`{path}` depends on the deploying user, who is not known")
        known = {**known, "${workspace.current_user.userName}": user_name}
        if home:
            path = f"/Workspace/Users/{user_name}" + path[1:]
    for reference, value in known.items():
        path = path.replace(reference, value)
    if "${" in path:
        raise BadInputError(f"`{path}` has a reference dabgen cannot resolve without "
                            "deploying")
    if not path.startswith("/"):
        raise BadInputError(f"`{path}` is not an absolute workspace path")
    return path


def parse_state(path: str, content: bytes) -> DeployedJobs:
    """The job ids one state file records; BadInputError for a file of another shape."""
    name = path.rsplit("/", 1)[-1]
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, ValueError, RecursionError):  # only fixed depths are read
        raise BadInputError(f"{path} is not JSON") from None
    if not isinstance(document, dict):
        raise BadInputError(f"{path} is not a deployment state")
    serial = document.get("serial")
    serial = serial if isinstance(serial, int) and not isinstance(serial, bool) else 0
    ids = _direct_ids(document) if name == DIRECT_STATE else _terraform_ids(document)
    if ids is None:
        raise BadInputError(f"{path} is not a deployment state")
    return DeployedJobs(path, serial, ids)


def current(states: Iterable[DeployedJobs]) -> DeployedJobs | None:
    """The state a deploy uses: the highest serial (the first listed on a tie)."""
    found = list(states)
    return max(found, key=lambda s: s.serial) if found else None


def _direct_ids(document: Mapping[str, Any]) -> dict[str, int] | None:
    entries = document.get("state")
    if entries is None:
        return {}
    if not isinstance(entries, dict):
        return None
    ids = {}
    for key, entry in entries.items():
        if isinstance(key, str) and key.startswith(_JOB_PREFIX) and isinstance(entry, dict):
            job_id = _job_id(entry.get("__id__"))
            resource = key[len(_JOB_PREFIX):]
            if job_id is not None and resource and "." not in resource:
                ids[resource] = job_id
    return ids


def _terraform_ids(document: Mapping[str, Any]) -> dict[str, int] | None:
    resources = document.get("resources")
    if resources is None:
        return {}
    if not isinstance(resources, list):
        return None
    ids = {}
    for resource in resources:
        if not isinstance(resource, dict) or resource.get("type") != "databricks_job" \
                or resource.get("mode", "managed") != "managed":
            continue
        instances = resource.get("instances")
        key = resource.get("name")
        if not isinstance(key, str) or not isinstance(instances, list) or not instances:
            continue
        attributes = instances[0].get("attributes") if isinstance(instances[0], dict) else None
        job_id = _job_id(attributes.get("id")) if isinstance(attributes, dict) else None
        if job_id is not None:
            ids[key] = job_id
    return ids


def _job_id(value: object) -> int | None:
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    return int(text) if text.isdigit() and len(text) <= 19 else None
