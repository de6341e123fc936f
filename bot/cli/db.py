"""`lianxin db upgrade|downgrade|rebuild`."""

from __future__ import annotations

import click

from bot.cli import CliState, pass_state


@click.group("db")
def db() -> None:
    """数据库迁移。"""


@db.command("upgrade")
@click.argument("revision", default="head")
@pass_state
def upgrade(state: CliState, revision: str) -> None:
    """Migrate the database to REVISION (default: head)."""
    from storage.migrate import upgrade as run_upgrade

    run_upgrade(state.runtime.engine, revision)
    click.echo(f"数据库已迁移到 {revision}：{state.runtime.engine.url.render_as_string()}")


@db.command("downgrade")
@click.argument("revision")
@pass_state
def downgrade(state: CliState, revision: str) -> None:
    """Migrate the database down to REVISION."""
    from storage.migrate import downgrade as run_downgrade

    run_downgrade(state.runtime.engine, revision)
    click.echo(f"数据库已回退到 {revision}")


@db.command("rebuild")
@pass_state
def rebuild(state: CliState) -> None:
    """Recompute contact_dates from the contacts (after a bulk load that went around the ledger)."""
    from storage.contact_dates import rebuild as run_rebuild

    with state.runtime.sessions.begin() as session:
        rows = run_rebuild(session)
    click.echo(f"已按联系记录重建 contact_dates：{rows} 行")


COMMANDS = [db]
