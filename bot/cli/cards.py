"""`lianxin official bind-code PHONE` and `lianxin card PERSON`."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from bot.cli import CliState, pass_state
from storage.masking import mask_phone


@click.group("official")
def official() -> None:
    """工作人员账号。"""


@official.command("bind-code")
@click.argument("phone")
@pass_state
def bind_code(state: CliState, phone: str) -> None:
    """Print a one-time 6-digit code (valid 24 h) the official sends as “绑定 CODE”."""
    from storage.audit import audit
    from storage.bindings import new_official_code
    from storage.models import Official

    with state.runtime.sessions.begin() as s:
        person = s.scalar(select(Official).where(Official.phone == phone.strip()))
        if person is None:
            click.echo(f"没有手机号为 {mask_phone(phone)} 的工作人员，请先导入工作人员名单。", err=True)
            sys.exit(1)
        code = new_official_code(s, person)
        audit(s, "cli", "binding.code", "official", person.id)
        click.echo(code.code)
        click.echo(
            f"{person.name}（{mask_phone(person.phone)}）的绑定码，24 小时内有效、只能用一次。"
            f"请在公众号里发送：绑定 {code.code}",
            err=True,
        )


COMMANDS = [official]
