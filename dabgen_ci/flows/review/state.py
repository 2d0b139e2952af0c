"""What the workspace says of a target's deployment: which job each resource key is bound
to (its deployment state, :mod:`dabgen_ci.core.bundle.deploy_state`), and its
``${workspace.*}`` paths. Reads only.

The state lives under the *deploying* identity's home by default (``~``). A review often
runs as another identity (a read-only token), so where the expected folder holds no state,
the jobs themselves are asked: a job a bundle deployed names its deployment's
``metadata.json`` (``deployment.metadata_file_path``), which sits in the state folder. When
the jobs the headers name agree on one such folder, its state is the one a deploy uses.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dabgen_ci.core.bundle.deploy_state import (
    STATE_FILES,
    DeployedJobs,
    current,
    parse_state,
    state_folder,
    workspace_path,
)
from dabgen_ci.core.bundle.sources import canonical_path
from dabgen_ci.errors import BadInputError, NotFoundError, WorkspaceError
from dabgen_ci.workspace.base import WorkspaceSource

HEADERS_STAND_IN = "the resource headers are taken as the bound job ids"


@dataclass(frozen=True)
class TargetState:
    """The jobs the target's deployment state binds (None: not read), the line the plan
    shows about it, the folder it was looked for in, and the target's ``${workspace.*}``
    paths."""

    bound: Mapping[str, int] | None
    note: str
    folder: str | None
    path_of: Callable[[str], str | None]


def target_state(resolved: Mapping[str, Any], target: str,
                 source: WorkspaceSource) -> TargetState:
    """Read the deployment state of ``target`` (``resolved``: the target applied)."""
    bundle = resolved.get("bundle")
    name = bundle.get("name") if isinstance(bundle, dict) else None
    name = name if isinstance(name, str) else ""
    workspace = resolved.get("workspace")
    workspace = workspace if isinstance(workspace, dict) else None
    user = _user_name(source)

    @functools.cache
    def path_of(field: str) -> str | None:
        return workspace_path(field, workspace, name, target, user)

    try:
        folder = state_folder(workspace, name, target, user)
    except BadInputError as exc:
        return TargetState(None, f"not read ({exc}): {HEADERS_STAND_IN}", None, path_of)
    except WorkspaceError as exc:
        return TargetState(None, f"not read (the deploying user is unknown: {exc}): "
                                 f"{HEADERS_STAND_IN}", None, path_of)
    state, note = read_state_at(source, folder, target)
    return TargetState(state.ids if state is not None else None, note, folder, path_of)


def read_state_at(source: WorkspaceSource, folder: str,
                  target: str) -> tuple[DeployedJobs | None, str]:
    """The state in ``folder`` (None: it could not be read) and a line for the plan. No
    state file at all is a state too: the target was never deployed, nothing is bound."""
    states = []
    for file in STATE_FILES:
        path = f"{folder}/{file}"
        try:
            states.append(parse_state(path, source.export(path).content))
        except NotFoundError:
            continue
        except (BadInputError, WorkspaceError) as exc:
            return None, f"not read ({exc}): {HEADERS_STAND_IN}"
    state = current(states)
    if state is None:
        return DeployedJobs(folder, 0, {}), (
            f"none in `{folder}`: target `{target}` was never deployed, so nothing is "
            "bound yet")
    return state, f"`{state.file}` binds {len(state.ids)} job(s)"


def state_the_jobs_name(source: WorkspaceSource, looked: TargetState, target: str,
                        jobs: Iterable[Mapping[str, Any] | None]) -> TargetState | None:
    """The state in the one folder the bundle-deployed ``jobs`` (live settings of the jobs
    the headers name) point to, when the expected folder had none; None otherwise."""
    if looked.bound:
        return None
    folders = {folder for settings in jobs if settings is not None
               if (folder := _state_folder_of(settings)) is not None}
    if len(folders) != 1:
        return None
    folder = folders.pop()
    if looked.folder is not None and canonical_path(folder) == canonical_path(looked.folder):
        return None
    state, note = read_state_at(source, folder, target)
    if state is None or not state.ids:
        return None
    why = (f"none in `{looked.folder}`, " if looked.folder else "") + (
        "the jobs' deployment metadata names this folder (deployed by another identity or "
        "root_path than the review's)")
    return TargetState(state.ids, f"{note} — {why}", folder, looked.path_of)


def _state_folder_of(settings: Mapping[str, Any]) -> str | None:
    deployment = settings.get("deployment")
    if not isinstance(deployment, Mapping) or deployment.get("kind") != "BUNDLE":
        return None
    metadata = deployment.get("metadata_file_path")
    if not isinstance(metadata, str) or not metadata.startswith("/") \
            or posixpath.basename(metadata) != "metadata.json":
        return None
    return posixpath.dirname(posixpath.normpath(metadata))


def _user_name(source: WorkspaceSource) -> Callable[[], str | None]:
    """Who deploys (``~``, ``${workspace.current_user.userName}``): asked once, and only
    when a path needs it; a failure to ask is the reason the caller reports."""
    known: list[str | WorkspaceError | None] = []

    def user_name() -> str | None:
        if not known:
            try:
                known.append(source.current_user_name())
            except WorkspaceError as exc:  # kept: asking again would only wait again
                known.append(exc)
        if isinstance(known[0], WorkspaceError):
            raise known[0]
        return known[0]

    return user_name
