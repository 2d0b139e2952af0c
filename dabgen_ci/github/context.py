"""The run's GitHub context, parsed once from the environment and the event payload.

`context_from` is pure (mappings in, a frozen record out) so every field's source is a
unit test; `load_context` only adds reading `GITHUB_EVENT_PATH`. Secrets are not part of
the context — the token is read separately by `github_token` — so the record can be
logged or shown in a test failure safely.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dabgen_ci.core.bot.routing import Trigger
from dabgen_ci.core.review.findings import FAIL_ON
from dabgen_ci.errors import BadInputError

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SERVER_URL = "https://github.com"
VALIDATION_MODES = ("auto", "offline", "cli")
# Action inputs that configure databricks-sdk unified auth, and the variable each sets.
DATABRICKS_INPUTS = {
    "databricks-host": "DATABRICKS_HOST",
    "databricks-token": "DATABRICKS_TOKEN",
    "databricks-client-id": "DATABRICKS_CLIENT_ID",
    "databricks-client-secret": "DATABRICKS_CLIENT_SECRET",
    "databricks-auth-type": "DATABRICKS_AUTH_TYPE",
}


@dataclass(frozen=True)
class ThreadInfo:
    """Where a line comment sits: the diff GitHub showed its author, and its thread."""

    path: str
    line: int | None
    start_line: int | None
    diff_hunk: str
    root_id: int  # the thread's first comment (replies go in_reply_to it)


@dataclass(frozen=True)
class PullEvent:
    """The pull request of a `pull_request` or line-comment event, as the payload has it."""

    number: int
    head_sha: str
    head_ref: str
    head_repo: str
    base_ref: str
    draft: bool


@dataclass(frozen=True)
class CommentInfo:
    id: int
    body: str
    login: str
    user_id: int
    user_type: str
    kind: str  # "issue" (issue or PR conversation) or "review" (a PR line comment)
    thread: ThreadInfo | None = None  # for "review" comments


@dataclass(frozen=True)
class ActionInputs:
    config_path: str = ".dabgen.yml"
    bundle_dir: str = ""
    command: str = ""
    validation: str = "auto"
    fail_on: str = ""  # empty: `.dabgen.yml` decides (review.fail_on)
    shard: str = ""  # `command: sync`: fetch only shard I/N into `shard-out`
    shard_out: str = ""
    merge_shards: str = ""  # `command: sync`: sync from these shard directories


@dataclass(frozen=True)
class ActionContext:
    event_name: str
    action: str
    repository: str
    default_branch: str
    api_url: str
    server_url: str
    run_id: str
    workspace: Path
    output_file: Path | None
    summary_file: Path | None
    inputs: ActionInputs
    comment: CommentInfo | None = None
    number: int | None = None
    on_pull_request: bool = False
    pull: PullEvent | None = None

    @property
    def run_url(self) -> str | None:
        if not self.run_id:
            return None
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"

    @property
    def trigger(self) -> Trigger:
        comment = self.comment
        return Trigger(
            event_name=self.event_name,
            action=self.action,
            body=comment.body if comment else "",
            author_login=comment.login if comment else "",
            author_type=comment.user_type if comment else "",
            on_pull_request=self.on_pull_request,
            command_input=self.inputs.command,
            draft=bool(self.pull and self.pull.draft),
        )


def load_context(environ: Mapping[str, str]) -> ActionContext:
    """The context of this run; a clear error when not run by GitHub Actions."""
    path = environ.get("GITHUB_EVENT_PATH", "")
    if not path:
        raise BadInputError("`dabgen action` runs inside GitHub Actions: GITHUB_EVENT_PATH "
                            "is not set")
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInputError(f"cannot read the event payload {path}: {exc}") from None
    if not isinstance(payload, dict):
        raise BadInputError(f"the event payload {path} is not a JSON object")
    return context_from(environ, payload)


def context_from(environ: Mapping[str, str], payload: Mapping[str, Any]) -> ActionContext:
    repo = payload.get("repository") or {}
    repository = environ.get("GITHUB_REPOSITORY") or str(repo.get("full_name") or "")
    if repository.count("/") != 1:
        raise BadInputError("GITHUB_REPOSITORY must be owner/name")
    event = environ.get("GITHUB_EVENT_NAME", "")
    comment, number, on_pr = _comment_and_target(event, payload)
    return ActionContext(
        event_name=event,
        action=str(payload.get("action") or ""),
        repository=repository,
        default_branch=_default_branch(environ, event, repo),
        api_url=(environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
        server_url=(environ.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL).rstrip("/"),
        run_id=environ.get("GITHUB_RUN_ID", ""),
        workspace=Path(environ.get("GITHUB_WORKSPACE") or os.getcwd()),
        output_file=_path(environ.get("GITHUB_OUTPUT")),
        summary_file=_path(environ.get("GITHUB_STEP_SUMMARY")),
        inputs=_inputs(environ),
        comment=comment,
        number=number,
        on_pull_request=on_pr,
        pull=_pull_event(payload.get("pull_request")),
    )


def _comment_and_target(
    event: str, payload: Mapping[str, Any]
) -> tuple[CommentInfo | None, int | None, bool]:
    raw = payload.get("comment")
    if event == "issue_comment" and isinstance(raw, dict):
        issue = payload.get("issue") or {}
        return _comment(raw, "issue"), _int(issue.get("number")), bool(issue.get("pull_request"))
    if event == "pull_request_review_comment" and isinstance(raw, dict):
        pull = payload.get("pull_request") or {}
        return _comment(raw, "review"), _int(pull.get("number")), True
    if event == "pull_request":
        pull = payload.get("pull_request") or {}
        return None, _int(pull.get("number")), True
    return None, None, False


def _pull_event(raw: Any) -> PullEvent | None:
    if not isinstance(raw, dict) or _int(raw.get("number")) is None:
        return None
    head, base = raw.get("head") or {}, raw.get("base") or {}
    return PullEvent(
        number=_int(raw.get("number")) or 0,
        head_sha=str(head.get("sha") or ""),
        head_ref=str(head.get("ref") or ""),
        head_repo=str((head.get("repo") or {}).get("full_name") or ""),
        base_ref=str(base.get("ref") or ""),
        draft=raw.get("draft") is True,
    )


def _comment(raw: Mapping[str, Any], kind: str) -> CommentInfo:
    user = raw.get("user") or {}
    comment_id = _int(raw.get("id")) or 0
    thread = None
    if kind == "review":
        thread = ThreadInfo(path=str(raw.get("path") or ""), line=_int(raw.get("line")),
                            start_line=_int(raw.get("start_line")),
                            diff_hunk=str(raw.get("diff_hunk") or ""),
                            root_id=_int(raw.get("in_reply_to_id")) or comment_id)
    return CommentInfo(
        id=comment_id,
        body=str(raw.get("body") or ""),
        login=str(user.get("login") or ""),
        user_id=_int(user.get("id")) or 0,
        user_type=str(user.get("type") or ""),
        kind=kind,
        thread=thread,
    )


def _inputs(environ: Mapping[str, str]) -> ActionInputs:
    validation = input_value(environ, "validation") or "auto"
    if validation not in VALIDATION_MODES:
        raise BadInputError(f"input validation must be one of {', '.join(VALIDATION_MODES)}, "
                            f"not {validation!r}")
    fail_on = input_value(environ, "fail-on")
    if fail_on and fail_on not in FAIL_ON:
        raise BadInputError(f"input fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    return ActionInputs(
        config_path=input_value(environ, "config") or ".dabgen.yml",
        bundle_dir=input_value(environ, "bundle-dir"),
        command=input_value(environ, "command"),
        validation=validation,
        fail_on=fail_on,
        shard=input_value(environ, "shard"),
        shard_out=input_value(environ, "shard-out"),
        merge_shards=input_value(environ, "merge-shards"),
    )


def _default_branch(environ: Mapping[str, str], event: str, repo: Mapping[str, Any]) -> str:
    """The payload names it, except a `schedule` payload, which carries no repository:
    scheduled runs run on the default branch, so the run's ref names it."""
    named = str(repo.get("default_branch") or "")
    if named:
        return named
    if event == "schedule":
        ref = environ.get("GITHUB_REF_NAME") or environ.get("GITHUB_REF", "")
        return ref.removeprefix("refs/heads/") or "main"
    return "main"


def input_value(environ: Mapping[str, str], name: str) -> str:
    """An action input (`INPUT_BUNDLE-DIR`; GitHub keeps hyphens); empty means unset."""
    upper = name.upper()
    value = environ.get(f"INPUT_{upper}") or environ.get(f"INPUT_{upper.replace('-', '_')}")
    return (value or "").strip()


def github_token(environ: Mapping[str, str]) -> str:
    token = input_value(environ, "github-token") or environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise BadInputError("no GitHub token: pass `github-token` (defaults to github.token)")
    return token


def databricks_env(environ: Mapping[str, str]) -> dict[str, str]:
    """`DATABRICKS_*` variables to set from the action's inputs (explicit variables win).

    databricks-sdk and the `databricks` CLI both read these, so setting them once makes
    workspace reads and `databricks bundle validate` use the same credentials.
    """
    wanted: dict[str, str] = {}
    for name, variable in DATABRICKS_INPUTS.items():
        value = input_value(environ, name)
        if value and not environ.get(variable):
            wanted[variable] = value
    return wanted


def anthropic_env(environ: Mapping[str, str]) -> dict[str, str]:
    """`ANTHROPIC_API_KEY` from the `anthropic-api-key` input (an explicit variable wins)."""
    value = input_value(environ, "anthropic-api-key")
    if value and not environ.get("ANTHROPIC_API_KEY"):
        return {"ANTHROPIC_API_KEY": value}
    return {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
