"""`lianxin keys rotate|status`: the data keys of personal data encrypted at rest."""

from __future__ import annotations

import click

from bot.cli import CliState, pass_state

ROTATED = "{table}：{count} 行已改用当前密钥"
ROTATION_DONE = "轮换完成，共 {count} 行。确认 `lianxin keys status` 全为 0 后，可从 LIANXIN_DATA_KEYS 删去旧密钥。"
STALE = "{table}：{count} 行仍用旧密钥"
ALL_CURRENT = "全部数据已使用当前密钥。"


def require_data_key(state: CliState) -> None:
    """Refuse to start a deployment whose LIANXIN_DATA_KEY is the development default."""
    from bot.settings import data_key_problem

    problem = data_key_problem(state.runtime.settings)
    if problem:
        raise click.ClickException(problem)


@click.group("keys")
def keys() -> None:
    """个人信息加密密钥。"""


@keys.command("rotate")
@click.option("--batch", default=1000, show_default=True, type=int, help="Rows per transaction.")
@pass_state
def rotate(state: CliState, batch: int) -> None:
    """Re-encrypt every value still under an older key (LIANXIN_DATA_KEYS) with LIANXIN_DATA_KEY.

    Runs beside the service, one short transaction per batch; safe to stop and run again.
    """
    from storage.audit import audit
    from storage.keys import rotate as run_rotate

    require_data_key(state)
    counts = run_rotate(
        state.runtime.sessions, batch,
        lambda table, count: click.echo(ROTATED.format(table=table, count=count)),
    )
    total = sum(counts.values())
    with state.runtime.sessions.begin() as s:
        audit(s, "cli", "keys.rotate", None, None, rows=total)
    click.echo(ROTATION_DONE.format(count=total))


@keys.command("status")
@pass_state
def status(state: CliState) -> None:
    """Rows per table still encrypted under an older key."""
    from storage.keys import stale_counts

    with state.runtime.read_sessions() as s:
        stale = {t: n for t, n in stale_counts(s).items() if n}
    for table, count in stale.items():
        click.echo(STALE.format(table=table, count=count))
    if not stale:
        click.echo(ALL_CURRENT)


COMMANDS = [keys]
