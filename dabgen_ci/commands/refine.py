"""``dabgen refine DIR REQUEST``: ask the agent for a change; keep it only if it validates."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import click

from dabgen_ci.agent.settings import AgentSettings
from dabgen_ci.commands.options import json_option
from dabgen_ci.config import AgentConfig
from dabgen_ci.core.diagnostics import of_severity
from dabgen_ci.flows.refine import RefineResult, refine_bundle


@click.command()
@click.argument("bundle_dir", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@click.argument("request", metavar="REQUEST")
@click.option("--max-rounds", type=click.IntRange(1, 10), metavar="N",
              help=f"Agent/validator rounds before giving up (default {AgentConfig.max_rounds}).")
@click.option("--model", metavar="M", help="Claude model (default: the SDK's default).")
@click.option("--workspace-snapshot", "snapshot", metavar="SNAP",
              type=click.Path(path_type=Path, file_okay=False),
              help="Let the agent's MCP tools read a snapshot instead of the live workspace.")
@json_option
def refine(bundle_dir: Path, request: str, max_rounds: int | None, model: str | None,
           snapshot: Path | None, as_json: bool) -> None:
    """Refine the bundle in DIR as REQUEST asks. Exit 1 when the change was reverted."""
    ctx = click.get_current_context()
    if as_json and isinstance(ctx.obj, dict):
        ctx.obj["json"] = True  # errors raised below are then reported as JSON too
    config = AgentConfig()
    if max_rounds is not None:
        config = replace(config, max_rounds=max_rounds)
    if model:
        config = replace(config, model=model)
    result = refine_bundle(bundle_dir, request, config=config, env=os.environ,
                           settings=AgentSettings(workspace_snapshot=snapshot))
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else render(result))
    ctx.exit(0 if result.ok else 1)


def render(result: RefineResult) -> str:
    lines = [f"{'OK' if result.ok else 'REVERTED'}: {result.message}"]
    if result.summary:
        lines += ["", result.summary, ""]
    for change in result.changes or result.attempted:
        verb = change.kind if result.ok else f"{change.kind}, reverted"
        lines.append(f"  {change.path} ({verb})")
    lines += [d.render() for d in of_severity(result.diagnostics)]
    usage = result.usage
    lines.append(f"rounds: {result.rounds}; tokens: {usage.input_tokens} in, "
                 f"{usage.output_tokens} out; cost: ${usage.cost_usd:.4f}")
    lines += [f"denied: {d}" for d in result.denied]
    return "\n".join(lines)
