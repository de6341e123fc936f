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
    from storage.cipher import lookup_hashes
    from storage.models import Official
    from storage.roster.values import phone as normalized_phone

    try:
        wanted = normalized_phone(phone)  # as the roster import stored it
    except ValueError:
        wanted = phone.strip()
    with state.runtime.sessions.begin() as s:
        person = s.scalar(select(Official).where(Official.phone_hash.in_(lookup_hashes(wanted))))
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


@click.command("card")
@click.argument("person")
@click.option("--village", help="村(社区) name, when several persons share the name.")
@click.option("--out", type=click.Path(dir_okay=False), help="PDF path [default: 联系卡-姓名.pdf].")
@click.option("--private", is_flag=True, help="Print the person's phone in full on the worker's card.")
@pass_state
def card(state: CliState, person: str, village: str | None, out: str | None, private: bool) -> None:
    """The printable 联系卡 (seed 003 附件3) of PERSON (name or certificate/ID number)."""
    from bot.admin.card_data import person_cards
    from bot.admin.cards import render_cards
    from storage.audit import audit
    from storage.bindings import household_code
    from storage.models import Person

    with state.runtime.sessions.begin() as s:
        target = _find_person(s, person, village)
        person_id, code = target.id, household_code(s, target, "cli")
        scene_code, qr_url = code.code, code.qr_url
    # The WeChat call happens outside any transaction (the token store needs its own).
    qr_note, new_url = _permanent_qr(state, scene_code, qr_url)
    with state.runtime.sessions.begin() as s:
        target = s.get_one(Person, person_id)
        if new_url:
            household_code(s, target, "cli").qr_url = new_url
            s.flush()
        cards = person_cards(s, [target], private, "cli")
        audit(s, "cli", "card.print", "person", person_id)
    path = out or f"联系卡-{target.name}.pdf"
    with open(path, "wb") as f:
        f.write(render_cards(f"{target.name} 联系卡", cards))
    click.echo(f"已生成 {path}。{qr_note}")


def _find_person(session, query: str, village: str | None):  # type: ignore[no-untyped-def]
    from storage.cipher import lookup_hashes
    from storage.models import Person, Region

    stmt = select(Person).where(Person.active.is_(True))
    if query[:6].isdigit() and len(query) >= 15:
        stmt = stmt.where(Person.id_hash.in_(lookup_hashes(query[:18].upper())))
    else:
        stmt = stmt.where(Person.name == query)
    if village:
        stmt = stmt.join(Region, Region.id == Person.village_id).where(Region.name == village)
    found = session.scalars(stmt.order_by(Person.id)).all()
    if not found:
        raise click.ClickException("没有找到这个人，请核对姓名或证号。")
    if len(found) > 1:
        raise click.ClickException(f"有 {len(found)} 人同名，请用 --village 或证号指定。")
    return found[0]


def _permanent_qr(state: CliState, code: str, qr_url: str | None) -> tuple[str, str | None]:
    """Ask WeChat once for the card's permanent QR code (scene hh:<code>); (note, new URL)."""
    from bot.scheduling import push_configured
    from bot.wechat.errors import WeChatAPIError, WeChatTransportError
    from bot.wechat.factory import make_client
    from handlers.bind import scene_for_code

    if qr_url:
        return "二维码为永久二维码。", None
    settings = state.runtime.settings
    if not push_configured(settings):
        return f"未配置微信公众号，二维码暂为绑定码文字（绑定 {code}）。", None
    try:
        answer = make_client(settings, state.runtime.sessions).create_permanent_qrcode(
            scene_for_code(code)
        )
    except (WeChatAPIError, WeChatTransportError) as exc:
        raise click.ClickException(f"向微信申请二维码失败：{exc}") from exc
    return "已向微信申请永久二维码。", str(answer["url"])


@official.command("revoke-links")
@click.argument("phone")
@pass_state
def revoke_links(state: CliState, phone: str) -> None:
    """Stop every due-list link (/m/due/…) issued to the official so far."""
    from bot.due_links import revoke_due_links
    from storage.models import Official

    with state.runtime.sessions.begin() as s:
        found = s.scalar(select(Official).where(Official.phone == phone.strip()))
        if found is None:
            click.echo(f"没有手机号为 {mask_phone(phone)} 的工作人员。", err=True)
            sys.exit(1)
        revoke_due_links(s, found, "cli")
        name = found.name
    click.echo(f"已作废{name}此前所有待联系名单链接。")


COMMANDS = [official, card]
