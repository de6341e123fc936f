"""`lianxin chat`: talk to a running webhook from the terminal, exactly as WeChat would."""

from __future__ import annotations

import click
import requests

from bot.cli import CliState, pass_state

DEFAULT_OPENIDS = {"official": "o_dev_official", "household": "o_dev_household"}

BANNER = (
    "以 {role} 身份（openid {openid}）对话：{url}{mode}\n"
    "直接输入消息回车发送；/subscribe 场景值、/scan 场景值、/unsubscribe 模拟扫码与关注事件；"
    "/quit 或 Ctrl-D 退出。"
)
ROLE_NAMES = {"official": "专职委员", "household": "家属"}
NO_REPLY = "（公众号没有回复）"
HTTP_ERROR = "（服务器答复 HTTP {status}：{body}）"
INVALID_REPLY = "（回复不是合法的消息 XML，微信会显示“该公众号暂时无法提供服务”）"
CANNOT_CONNECT = "连不上 {url}：请先启动服务（make run 或 lianxin serve）。"
ENCRYPTED = "，安全模式（加密）"


def _render(reply) -> str:  # type: ignore[no-untyped-def]
    if reply.status != 200:
        return HTTP_ERROR.format(status=reply.status, body=reply.body.strip()[:200])
    if reply.empty:
        return NO_REPLY
    if reply.msg_type == "invalid":
        return INVALID_REPLY
    if reply.msg_type != "text":
        return f"（{reply.msg_type} 消息）"
    return reply.content


def _dispatch(sim, line: str, voice: bool):  # type: ignore[no-untyped-def]
    if line.startswith("/"):
        command, _, arg = line[1:].partition(" ")
        arg = arg.strip()
        if command == "subscribe":
            return sim.send_event("subscribe", f"qrscene_{arg}" if arg else "")
        if command == "scan":
            return sim.send_event("SCAN", arg)
        if command == "unsubscribe":
            return sim.send_event("unsubscribe", "")
    return sim.send_voice(line) if voice else sim.send_text(line)


@click.command("chat")
@click.option("--url", default=None, help="Webhook URL [default: LIANXIN_BASE_URL, else the local server's address, + /wechat].")
@click.option("--openid", default=None, help="Sender openid [default: by --as].")
@click.option("--as", "role", type=click.Choice(["official", "household"]), default="official")
@click.option("--voice", is_flag=True, help="Send each line as a voice message's Recognition.")
@click.option(
    "--encrypt/--plain",
    default=None,
    help="Safe mode (AES) [default: when WECHAT_ENCODING_AES_KEY is set].",
)
@click.option(
    "--send", "one_shot", default=None, help="Send this one message, print the reply, exit."
)
@pass_state
def chat(
    state: CliState,
    url: str | None,
    openid: str | None,
    role: str,
    voice: bool,
    encrypt: bool | None,
    one_shot: str | None,
) -> None:
    """Chat with the bot as a WeChat user (signed and, in safe mode, encrypted like WeChat)."""
    from bot.cli import served
    from bot.settings import DEV_AES_KEY
    from bot.wechat.simulator import Simulator

    settings = state.runtime.settings
    # --url, else LIANXIN_BASE_URL, else the address a local `lianxin serve|up` serves, else the default
    base = served.explicit_base_url() or served.served_url() or settings.base_url
    url = url or base.rstrip("/") + "/wechat"
    openid = openid or DEFAULT_OPENIDS[role]
    if encrypt is None:
        encrypt = bool(settings.wechat_encoding_aes_key)
    sim = Simulator(
        url,
        settings.wechat_token,
        openid,
        encoding_aes_key=(settings.wechat_encoding_aes_key or DEV_AES_KEY) if encrypt else None,
        app_id=settings.wechat_app_id,
    )
    try:
        if one_shot is not None:
            click.echo(_render(_dispatch(sim, one_shot, voice)))
            return
        mode = ENCRYPTED if encrypt else ""
        click.echo(BANNER.format(role=ROLE_NAMES[role], openid=openid, url=url, mode=mode))
        while True:
            try:
                line = input("> ").strip()
            except EOFError:
                break
            if line in ("/quit", "/exit"):
                break
            if line:
                click.echo(_render(_dispatch(sim, line, voice)))
    except requests.ConnectionError as exc:
        raise click.ClickException(CANNOT_CONNECT.format(url=url)) from exc
    except KeyboardInterrupt:
        click.echo()


COMMANDS = [chat]
