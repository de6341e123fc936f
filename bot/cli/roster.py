"""`lianxin import persons|officials FILE`, `lianxin export contacts|register|needs`,
`lianxin demo-data`."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from bot.cli import CliState, pass_state

_MAX_ERRORS_SHOWN = 200
_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _today(state: CliState, given: dt.datetime | None) -> dt.date:
    if given is not None:
        return given.date()
    return state.runtime.clock.today()


# ---- import ---------------------------------------------------------------------------------


@click.group("import")
def import_() -> None:
    """导入名单（CSV 或 XLSX，登记表的中文表头）。"""


def _import_command(kind: str):
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--skip-invalid", is_flag=True, help="Import the good rows; write bad ones to --rejects.")
    @click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
                  help="Where rejected rows go (default: FILE.rejects.csv next to FILE).")
    @click.option("--today", type=_DATE, help="Import day (default: today, LIANXIN_TIMEZONE).")
    @pass_state
    def command(state: CliState, file: Path, skip_invalid: bool, rejects: Path | None,
                today: dt.datetime | None) -> None:
        from storage.roster import (
            RosterFileError,
            default_rejects_path,
            import_officials,
            import_persons,
            read_table,
            texts,
        )

        run = import_persons if kind == "persons" else import_officials
        try:
            table = read_table(file)
        except (RosterFileError, OSError) as exc:
            raise click.ClickException(str(exc)) from exc
        with state.runtime.sessions.begin() as session, click.progressbar(
            length=table.total or 0, file=sys.stderr, label=file.name
        ) as bar:
            report = run(session, table, _today(state, today), skip_invalid=skip_invalid,
                         progress=bar.update)
        for error in report.errors[:_MAX_ERRORS_SHOWN]:
            click.echo(str(error), err=True)
        if len(report.errors) > _MAX_ERRORS_SHOWN:
            click.echo(f"…… 共 {len(report.errors)} 条错误", err=True)
        if not report.written:
            click.echo(report.failure(), err=True)
            click.echo(report.summary())
            sys.exit(1)
        if report.rejected_rows:
            target = rejects or default_rejects_path(file)
            report.write_rejects(target)
            click.echo(texts.REJECTS_WRITTEN.format(path=target), err=True)
        for line in report.notices():
            click.echo(line, err=True)
        click.echo(report.summary())

    command.__doc__ = {"persons": "导入残疾人名单。", "officials": "导入工作人员名单。"}[kind]
    return command


import_.command("persons")(_import_command("persons"))
import_.command("officials")(_import_command("officials"))


# ---- export ---------------------------------------------------------------------------------


@click.group("export")
def export() -> None:
    """导出台账（CSV、XLSX 或 JSON Lines）。"""


_FORMAT = click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]),
                       default="xlsx", show_default=True)
_OUT = click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                    help="Output file; csv/json go to stdout without it.")
_REGION = click.option("--region", "regions", multiple=True,
                       help="Only this county/township/village (by name); repeatable.")
_RANGE = [
    click.option("--from", "date_from", type=_DATE, help="First day (YYYY-MM-DD)."),
    click.option("--to", "date_to", type=_DATE, help="Last day (YYYY-MM-DD)."),
]


def _ranged(func):
    for option in reversed(_RANGE):
        func = option(func)
    return func


@export.command("contacts")
@_FORMAT
@_OUT
@_ranged
@_REGION
@click.option("--include-voided", is_flag=True, help="Also rows undone by 撤销 (JSON marks them).")
@pass_state
def export_contacts(state, fmt, out, date_from, date_to, regions, include_voided) -> None:
    """访视台账：日期、地区、姓名、方式、情况、诉求、联系人、备注（不含电话号码）。"""
    from storage.export import CONTACT_COLUMNS, iter_contact_rows

    def rows(session):
        return iter_contact_rows(session, _day(date_from), _day(date_to),
                                 _villages(session, regions), include_voided)

    _export(state, "contacts", fmt, out, rows, CONTACT_COLUMNS)


@export.command("needs")
@_FORMAT
@_OUT
@_ranged
@_REGION
@pass_state
def export_needs(state, fmt, out, date_from, date_to, regions) -> None:
    """诉求台账：登记日期、姓名、村、类别、内容、紧急程度、状态、负责人、办结日期、办理结果。"""
    from storage.export import NEED_COLUMNS, iter_need_rows

    def rows(session):
        return iter_need_rows(session, _day(date_from), _day(date_to), _villages(session, regions),
                              clock=state.runtime.clock)

    _export(state, "needs", fmt, out, rows, NEED_COLUMNS)


@export.command("register")
@_FORMAT
@_OUT
@_REGION
@click.option("--mask", is_flag=True, help="Mask certificate and phone numbers.")
@pass_state
def export_register(state, fmt, out, regions, mask) -> None:
    """结对帮扶登记表：每人一行，按登记表的栏目顺序（含帮扶人信息）。"""
    from storage.export import REGISTER_COLUMNS, iter_register_rows

    def rows(session):
        return iter_register_rows(session, _villages(session, regions), mask=mask)

    _export(state, "register", fmt, out, rows, REGISTER_COLUMNS)


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _villages(session, regions: tuple[str, ...]) -> list[int] | None:
    from storage.export import RegionNames, UnknownRegion

    if not regions:
        return None
    try:
        return RegionNames(session).villages_under(list(regions))
    except UnknownRegion as exc:
        raise click.ClickException(str(exc)) from exc


def _export(state: CliState, kind: str, fmt: str, out: Path | None, rows, columns) -> None:
    from storage.export import texts, write_csv, write_jsonl, write_xlsx

    if fmt == "xlsx" and out is None:
        out = Path(f"{texts.SHEET_TITLES[kind]}-{state.runtime.clock.today():%Y%m%d}.xlsx")
    with state.runtime.read_sessions() as session, session.begin():
        if fmt == "xlsx":
            count = write_xlsx(rows(session), columns, str(out), title=texts.SHEET_TITLES[kind])
        else:
            with _text_target(out, bom=fmt == "csv") as stream:
                if fmt == "csv":
                    count = write_csv(rows(session), columns, stream)
                else:
                    count = write_jsonl(rows(session), stream)
    from storage.audit import audit

    with state.runtime.sessions.begin() as session:  # an export of decrypted data is audited
        audit(session, "cli", f"export.{kind}", None, None, count=count, format=fmt,
              path=str(out) if out is not None else "stdout")
    if out is not None:
        click.echo(texts.WROTE.format(count=count, path=out), err=True)


@contextmanager
def _text_target(path: Path | None, bom: bool) -> Iterator[TextIO]:
    """A file (UTF-8, with a BOM for CSV so Excel reads it) or stdout when no path is given."""
    if path is None:
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        yield sys.stdout
        sys.stdout.flush()
        return
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        yield stream


# ---- demo data ------------------------------------------------------------------------------


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Do nothing when persons already exist.")
@click.option("--seed", type=int, default=2024, show_default=True)
@click.option("--today", type=_DATE, help="Day the history ends (default: today, LIANXIN_TIMEZONE).")
@click.option(
    "--bind-chat",
    is_flag=True,
    help="Bind `lianxin chat`'s default openids to a demo official and household.",
)
@pass_state
def demo_data(
    state: CliState, if_empty: bool, seed: int, today: dt.datetime | None, bind_chat: bool
) -> None:
    """填入一个示范县的演示数据（乡镇、村、残疾人、工作人员、联系记录、诉求）。"""
    from storage.demo import DemoNotEmpty, fill_demo_county, texts

    try:
        with state.runtime.sessions.begin() as session:
            summary = fill_demo_county(session, _today(state, today), seed=seed)
    except DemoNotEmpty:
        if if_empty:
            click.echo(texts.SKIPPED)
            return
        raise click.ClickException(texts.NOT_EMPTY) from None
    for line in summary.lines():
        click.echo(line)
    if bind_chat:
        _bind_chat(state, summary.try_official["手机"])


def _bind_chat(state: CliState, phone: str) -> None:
    """Demo only: the simulator's default senders start out bound, so a newcomer can just chat."""
    from sqlalchemy import select

    from bot.cli.wechat import DEFAULT_OPENIDS
    from storage.bindings import bind_household, bind_official
    from storage.cipher import lookup_hashes
    from storage.ledger import assigned_roster
    from storage.models import Official

    with state.runtime.sessions.begin() as session:
        official = session.scalars(
            select(Official).where(Official.phone_hash.in_(lookup_hashes(phone)))
        ).one()
        roster = assigned_roster(session, official.id, _today(state, None))
        bind_official(session, DEFAULT_OPENIDS["official"], official.id)
        bind_household(session, DEFAULT_OPENIDS["household"], roster[0][0])
        click.echo(
            f"lianxin chat 已绑定为专职委员{official.name}；"
            f"lianxin chat --as household 已绑定为{roster[0][1]}的家属。"
        )




COMMANDS = [import_, export, demo_data]
