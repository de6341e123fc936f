"""The `lianxin` console script. Each subcommand lives in its own module of this package."""

from __future__ import annotations

import logging
import sys

import click

from bot.runtime import Runtime


class CliState:
    """Lazily built runtime shared by the subcommands of one invocation."""

    def __init__(self) -> None:
        self._runtime: Runtime | None = None

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = Runtime()
        return self._runtime


pass_state = click.make_pass_decorator(CliState, ensure=True)


def refuse_development_secrets(settings) -> None:  # type: ignore[no-untyped-def]
    """Stop a real deployment that still runs on development secrets; warn `make run`."""
    from bot.settings import development_secrets, development_warning

    problems = development_secrets(settings)
    if problems:
        click.echo(problems[0], err=True)
        sys.exit(1)
    warning = development_warning(settings)
    if warning:
        click.echo(warning, err=True)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug output.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """连心：残联联系服务台账助手。"""
    import os

    from storage.masking import install_log_masking

    logging.basicConfig(
        level=logging.DEBUG if verbose else os.environ.get("LIANXIN_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    install_log_masking()
    if not verbose:
        # APScheduler logs two INFO lines per job run (the outbox runs every few seconds);
        # failures still come through at ERROR.
        logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    ctx.ensure_object(CliState)


def _register() -> None:
    """One explicit list of subcommand modules; each exposes COMMANDS."""
    from bot.cli import admin, cards, db, keys, parse, remind, roster, serve, spool, wechat

    for module in (db, serve, parse, roster, wechat, remind, admin, cards, keys, spool):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
