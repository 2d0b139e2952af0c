"""`dabgen action`'s flow run in-process against the World's real servers.

`World.run` runs the `dabgen action` command (in-process, or as a child process with
`process=True`, which is what a test of the process contract needs). Tests about what the
bot decides (what it pushes, what it writes on GitHub) can also call `run_bot` directly
with the same real adapters — PyGithub over HTTP to the
GitHub server, databricks-sdk over HTTP to the workspace server, git against the bare
remote — built from the same environment, without paying for a Python start-up per run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from dabgen_ci.core.redact import Redactor
from dabgen_ci.flows.bot.run import BotServices, run_bot
from dabgen_ci.git import GitRepo
from dabgen_ci.github.client import PyGithubApi, RetrySettings
from dabgen_ci.github.context import context_from
from dabgen_ci.workspace.live import LiveSource
from tests.e2e.conftest import DATABRICKS_TOKEN, GITHUB_TOKEN, World, git


@dataclass
class InProcessRun:
    code: int
    log: list[str] = field(default_factory=list)
    first_request: int = 0

    @property
    def stderr(self) -> str:
        return "\n".join(self.log)


def run_in_process(world: World, comment_id: int, number: int | None = None) -> InProcessRun:
    """Handle the `created` event of `comment_id` as the action would."""
    run_dir = world.root / f"inproc-{comment_id}-{len(world.github.requests)}"
    run_dir.mkdir()
    event_file = run_dir / "event.json"
    payload = world.payload(comment_id, number)
    event_file.write_text(json.dumps(payload))
    checkout = run_dir / "checkout"
    git(run_dir, "clone", "-q", str(world.bare), str(checkout))
    outputs, summary = run_dir / "output", run_dir / "summary.md"
    outputs.touch()
    summary.touch()
    env = world._env("issue_comment", event_file, checkout, outputs, summary, None)
    ctx = context_from(env, payload)
    redactor = Redactor.from_env(env)
    api = PyGithubApi(ctx.api_url, GITHUB_TOKEN, ctx.repository, redactor,
                      RetrySettings.from_env(env))
    run = InProcessRun(code=-1, first_request=len(world.github.requests))
    services = BotServices(
        api=api, repo=GitRepo(Path(checkout), env=_git_env(env), redactor=redactor),
        open_source=lambda: LiveSource.from_config(host=world.workspace.url,
                                                   token=DATABRICKS_TOKEN),
        redactor=redactor, log=run.log.append)
    try:
        run.code = run_bot(ctx, services)
    finally:
        api.close()
    return run


def _git_env(env: dict[str, str]) -> dict[str, str]:
    return {k: env[k] for k in ("HOME", "GIT_CONFIG_NOSYSTEM", "LANG")}
