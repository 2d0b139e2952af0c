"""How the bot reports an error it caught, and the settings it derives from inputs + config.

Every error becomes a finished tracking comment with the (already redacted) one-line
message and a hint the user can act on. Errors caused by the request or the workspace exit
0 — the comment is the report; errors of the bot's own infrastructure (GitHub, git) exit
non-zero so the workflow run shows red.
"""

from __future__ import annotations

from dabgen_ci.config import Config
from dabgen_ci.core.paths import lexical_problem, tidy
from dabgen_ci.errors import (
    BadInputError,
    DabgenError,
    NotFoundError,
    PermissionDeniedError,
    WorkspaceError,
)
from dabgen_ci.flows.bot.deliver import Result
from dabgen_ci.git import GitError, PushRejected
from dabgen_ci.github.client import GitHubError
from dabgen_ci.github.context import ActionContext

INTERNAL_ERROR = 4
DEFAULT_BUNDLE_DIR = "bundle"

_HINTS: tuple[tuple[type[DabgenError], str, int], ...] = (
    (PushRejected, "Someone pushed to the branch while dabgen was working; nothing was "
                   "overwritten. Comment again to build on their commit.", 0),
    (GitHubError, "GitHub did not accept a request (see the workflow run's log); comment "
                  "again in a few minutes.", 1),
    (GitError, "A git operation failed (see the workflow run's log). Check that the workflow "
               "checks out the repository with `fetch-depth: 0` and grants `contents: write`.", 1),
    (NotFoundError, "Check the job id or workspace path, and that the Databricks identity the "
                    "action uses can see it, then comment again.", 0),
    (PermissionDeniedError, "Give the action's Databricks identity permission to view the job "
                            "and read its notebooks, then comment again.", 0),
    (WorkspaceError, "Check the workflow's `databricks-host` and credentials (token, OAuth or "
                     "OIDC inputs); if Databricks was unavailable, comment again later.", 0),
    (BadInputError, "Fix the request (see `/dabgen help`) or `.dabgen.yml` on the default "
                    "branch, then comment again.", 0),
)


def failure_for(exc: DabgenError) -> Result:
    for kind, hint, code in _HINTS:
        if isinstance(exc, kind):
            return Result("failure", error=str(exc), hint=hint, exit_code=code)
    return Result("failure", error=str(exc), hint="See the workflow run's log.", exit_code=0)


def resolve_bundle_dir(ctx: ActionContext, config: Config) -> str:
    """The `bundle-dir` input when set to something other than its default, else the config."""
    wanted = ctx.inputs.bundle_dir
    chosen = wanted if wanted and wanted != DEFAULT_BUNDLE_DIR else config.bundle_dir
    cleaned = tidy(chosen.strip("/"))
    if cleaned.startswith("-") or lexical_problem(cleaned):
        raise BadInputError(f"bundle directory {chosen!r} must be a folder inside the "
                            "repository, e.g. `bundle`")
    return cleaned


def run_cli(ctx: ActionContext, config: Config) -> bool | None:
    """Whether to run `databricks bundle validate`: the input decides unless it is `auto`."""
    if ctx.inputs.validation == "offline":
        return False
    if ctx.inputs.validation == "cli":
        return True
    return {"always": True, "never": False}.get(config.validation_cli)
