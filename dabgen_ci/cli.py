"""The ``dabgen`` command group. Parsing only: each verb lives in ``dabgen_ci.commands``.

One top-level handler maps :class:`~dabgen_ci.errors.DabgenError` to its exit code and a
one-line message (JSON when ``--json`` was given); nothing below it catches broadly.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import click

from dabgen_ci import __version__
from dabgen_ci.errors import BadInputError, DabgenError

INTERNAL_ERROR = 4
INTERRUPTED = 130  # 128 + SIGINT, the shell convention
_JSON_KEY = "dabgen.json"


class DabgenGroup(click.Group):
    """A click group whose ``main`` turns our errors into exit codes, never tracebacks."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Errors honour --json wherever it appears; read from the arguments being parsed
        # (not sys.argv), so the same holds for in-process callers such as tests.
        ctx.meta[_JSON_KEY] = "--json" in args
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DabgenError as exc:
            _fail(ctx, str(exc), exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:  # Ctrl-C: the writers have already put the old files back
            _fail(ctx, "interrupted; nothing was left half-written", INTERRUPTED)
        except OSError as exc:  # a local file the system refused: input, not a bug
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(ctx, f"{where}{exc.strerror or exc}", BadInputError.exit_code)
        except Exception as exc:  # the one broad handler: a bug, reported without traceback
            if os.environ.get("DABGEN_DEBUG"):
                raise
            _fail(ctx, f"internal error: {type(exc).__name__}: {exc} "
                  "(set DABGEN_DEBUG=1 for the traceback)", INTERNAL_ERROR)


def _fail(ctx: click.Context, message: str, code: int) -> None:
    if _wants_json(ctx):
        click.echo(json.dumps({"ok": False, "error": message, "exit_code": code}))
    else:
        click.echo(f"error: {message}", err=True)
    ctx.exit(code)


def _wants_json(ctx: click.Context) -> bool:
    return bool(ctx.meta.get(_JSON_KEY)) or bool((ctx.obj or {}).get("json"))


@click.group(cls=DabgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dabgen")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Turn Databricks jobs into validated Databricks Asset Bundles."""
    ctx.ensure_object(dict)
    # The SDK warns on every run when a workspace has no host-metadata endpoint; users
    # cannot act on it, and our own errors already say what went wrong.
    logging.getLogger("databricks.sdk").setLevel(logging.ERROR)


def _register() -> None:
    from dabgen_ci.commands import (
        action,
        demo,
        generate,
        refine,
        review,
        roundtrip,
        snapshot,
        validate,
    )
    from dabgen_ci.commands import config as config_command
    from dabgen_ci.commands import init as init_command
    from dabgen_ci.commands import sync as sync_command

    cli.add_command(generate.generate)
    cli.add_command(validate.validate)
    cli.add_command(snapshot.snapshot)
    cli.add_command(roundtrip.roundtrip)
    cli.add_command(demo.demo)
    cli.add_command(refine.refine)
    cli.add_command(review.review)
    cli.add_command(action.action)
    cli.add_command(sync_command.sync)
    cli.add_command(config_command.config)
    cli.add_command(init_command.init)


_register()


def main() -> None:
    cli(prog_name="dabgen")
