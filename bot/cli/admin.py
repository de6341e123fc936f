"""`lianxin admin create USERNAME --region 安定镇 [...]`, `lianxin admin password USERNAME`."""

from __future__ import annotations

import sys

import click

from bot.cli import CliState, pass_state


@click.group("admin")
def admin() -> None:
    """管理后台账号。"""


@admin.command("create")
@click.argument("username")
@click.option("--region", required=True, help="乡镇名（或 县/乡镇）；加 --county-level 时为县名。")
@click.option("--county-level", is_flag=True, help="县级账号：可看全县。")
@click.option("--can-view-private", is_flag=True, help="可查看完整证号和电话。")
@click.option("--display-name", default=None, help="页面上显示的名字。")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行）。")
@pass_state
def create(
    state: CliState,
    username: str,
    region: str,
    county_level: bool,
    can_view_private: bool,
    display_name: str | None,
    password_stdin: bool,
) -> None:
    """Create a dashboard account scoped to a township or county."""
    from bot.admin.accounts import AccountError, create_admin, resolve_region

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再输一次")
    try:
        with state.runtime.sessions.begin() as s:
            place = resolve_region(s, region, county_level)
            user = create_admin(
                s, username, password, place, can_view_private=can_view_private,
                display_name=display_name, actor="cli",
            )
            user_id, place_name = user.id, place.name
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    scope = "全县" if county_level else "本乡镇"
    click.echo(f"已创建账号 {username}（#{user_id}），范围：{place_name}（{scope}）"
               + ("，可查看完整证号和电话" if can_view_private else ""))


@admin.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码（一行）。")
@pass_state
def password(state: CliState, username: str, password_stdin: bool) -> None:
    """Set a new password; every session of the account ends."""
    from sqlalchemy import select

    from bot.admin.accounts import AccountError, set_password
    from storage.models import AdminUser

    new = (sys.stdin.readline().rstrip("\r\n") if password_stdin
           else click.prompt("新密码", hide_input=True, confirmation_prompt="再输一次"))
    try:
        with state.runtime.sessions.begin() as s:
            user_id = s.scalar(select(AdminUser.id).where(AdminUser.username == username))
            if user_id is None:
                raise AccountError(f"没有账号“{username}”。")
            set_password(s, user_id, new, "cli")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已为 {username} 设置新密码；此前登录的会话全部失效。")


COMMANDS = [admin]
