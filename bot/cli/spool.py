"""`lianxin spool status|drain`: the messages kept while the database was away (see bot.spool)."""

from __future__ import annotations

import click

from bot.cli import CliState, pass_state


@click.group()
def spool() -> None:
    """数据库中断期间暂存的消息。"""


@spool.command("status")
@pass_state
def spool_status(state: CliState) -> None:
    """List how many messages wait, and how many were set aside."""
    from bot.conversation import build_conversation

    conv = build_conversation(state.runtime)
    assert conv.spool is not None
    poisoned = len(list(conv.spool.poisoned.iterdir())) if conv.spool.poisoned.exists() else 0
    click.echo(f"待处理 {len(conv.spool.entries())} 条，已搁置 {poisoned} 条（{conv.spool.directory}）")


@spool.command("drain")
@pass_state
def spool_drain(state: CliState) -> None:
    """Replay the waiting messages now (the web process also does this by itself)."""
    from bot.conversation import build_conversation

    conv = build_conversation(state.runtime)
    assert conv.spool is not None
    done = conv.spool.drain(conv.replay)
    left = len(conv.spool.entries())
    click.echo(f"已处理 {done} 条，剩余 {left} 条。")
    if left:
        raise SystemExit(1)


COMMANDS = [spool]
