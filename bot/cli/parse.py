"""`lianxin parse`: the parser's public face for tools and tests.

    lianxin parse [--today YYYY-MM-DD] [--roster 张三,李四,…] [--role official|household] TEXT
    lianxin parse ... --input FILE     # one message per line -> one JSON object per line, same order

Each output line is one JSON object (UTF-8, not ASCII-escaped) with the contract keys of
docs/parser.md: intent (a contact still to come is intent "plan", never "contact"), person,
candidates, channel, status, needs, date; plus query and period for queries, bind_code for bind,
and name when a name was written that is not a roster name to accept as is. When one message logs several contacts ("张三 电话 正常；李四 入户 要轮椅"),
the object keeps the flat shape of the first contact and adds `records`: one object per contact,
in order, each with the same keys. Blank input lines give a blank-message result, so line N of the
output always answers line N of the input.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterable

import click

from bot.cli import CliState, pass_state


def _roster(value: str | None) -> list[str]:
    if not value:
        return []
    return [name for name in re.split(r"[,，、;；\s]+", value) if name]


def _today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("日期格式应为 YYYY-MM-DD", param_hint="--today") from exc


@click.command("parse")
@click.option("--today", "today_text", metavar="YYYY-MM-DD", help="The date messages are read on (default: today, LIANXIN_TIMEZONE).")
@click.option("--roster", "roster_text", metavar="张三,李四,…", help="The sender's roster, comma separated.")
@click.option("--role", type=click.Choice(["official", "household"]), default="official", show_default=True)
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8-sig"), help="Parse every line of FILE ('-' for stdin).")
@click.argument("text", required=False)
@pass_state
def parse(state: CliState, today_text: str | None, roster_text: str | None, role: str, input_file, text: str | None) -> None:
    """解析一条消息（或 --input 文件的每一行），输出 JSON。"""
    from handlers.parsing import load
    from handlers.parsing import parse as parse_message

    if (text is None) == (input_file is None):
        raise click.UsageError("给出 TEXT 或 --input FILE（二选一）")
    today, roster = _today(today_text) or state.runtime.clock.today(), _roster(roster_text)
    load()
    lines: Iterable[str] = (
        [text] if text is not None else (line.rstrip("\r\n") for line in input_file)
    )
    out = sys.stdout
    for line in lines:
        result = parse_message(line, roster, role=role, today=today)
        out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    out.flush()


COMMANDS = [parse]
