"""`lianxin remind`, `lianxin outbox send|status|retry`, `lianxin scheduler`."""

from __future__ import annotations

import datetime as dt
import json

import click

from bot.cli import CliState, pass_state


def _policies(state: CliState):
    from scheduler.policies import load_policies

    return load_policies(settings=state.runtime.settings)


def _now(day: dt.date | None, hour: int) -> dt.datetime:
    from scheduler.clock import at_local

    if day is None:
        return dt.datetime.now(dt.UTC)
    return at_local(day, hour)


@click.command("remind")
@click.option("--today", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Run as on this day (Asia/Shanghai, at the digest hour).")
@click.option("--dry-run", is_flag=True, help="Only print what would be queued.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message.")
@click.option("--kind", "kinds", multiple=True,
              type=click.Choice(["digest", "festival", "need_followup", "need_escalation",
                                 "pairing_review", "quarterly_report"]),
              help="Only these jobs (default: all).")
@pass_state
def remind(state: CliState, day, dry_run: bool, as_json: bool, kinds) -> None:
    """计算提醒：打印（--dry-run）或写入发件箱。"""
    from scheduler import reminders
    from scheduler.jobs import JOBS
    from scheduler.render import full_text

    policies = _policies(state)
    now = _now(day.date() if day else None, policies.schedule.digest_hour)
    kinds = kinds or tuple(JOBS)
    rt = state.runtime
    count = 0

    def show(m: dict) -> None:
        nonlocal count
        count += 1
        if as_json:
            click.echo(json.dumps(m, ensure_ascii=False))
        else:
            click.echo(f"[{m['kind']}] {m['recipient']['name']}（{m['recipient']['phone']}）")
            click.echo("  " + full_text(m).replace("\n", "\n  "))

    if dry_run:
        with rt.read_sessions() as s:
            for m in reminders.iter_collect(s, policies, now, kinds):
                show(m)
    else:
        reminders.run(rt.sessions, policies, now, kinds, read_sessions=rt.read_sessions,
                      on_message=show)
    if not as_json:
        verb = "将写入" if dry_run else "已写入"
        click.echo(f"{verb}发件箱 {count} 条。", err=True)


@click.group("outbox")
def outbox() -> None:
    """发件箱：发送、状态、重试。"""


@outbox.command("send")
@click.option("--now", "at", type=click.DateTime(["%Y-%m-%dT%H:%M"]), default=None,
              help="Send as at this Asia/Shanghai time (quiet hours, back-off); default now.")
@pass_state
def outbox_send(state: CliState, at) -> None:
    """Send every due row once and exit."""
    from scheduler import reminders
    from scheduler.clock import SHANGHAI
    from scheduler.outbox import send_once

    rt = state.runtime
    if not reminders.push_configured(rt.settings):
        raise click.ClickException("未配置微信公众号（WECHAT_APP_ID 等），消息留在发件箱中，未发送。")
    config = reminders.sender_config(rt.settings, _policies(state))
    now_fn = (lambda: at.replace(tzinfo=SHANGHAI)) if at else None
    report = send_once(rt.sessions, reminders.make_pusher(rt.settings, rt.sessions), config,
                       now_fn)
    click.echo(f"已发送 {report.sent}，失败待重试 {report.failed}，放弃 {report.dead}"
               + (f"，暂停至 {report.paused_until} UTC" if report.paused_until else ""))


@outbox.command("status")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def outbox_status(state: CliState, as_json: bool) -> None:
    """Counts by state, and the dead rows with their reasons."""
    from sqlalchemy import func, select

    from storage.models import OutboxMessage

    with state.runtime.read_sessions() as s:
        counts = dict(s.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
        dead = s.execute(
            select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.official_id,
                   OutboxMessage.attempts, OutboxMessage.dedupe_key, OutboxMessage.last_error)
            .where(OutboxMessage.state == "dead").order_by(OutboxMessage.id)).all()
    if as_json:
        click.echo(json.dumps({"counts": counts, "dead": [r._asdict() for r in dead]},
                              ensure_ascii=False))
        return
    for name in ("pending", "sending", "sent", "dead"):
        click.echo(f"{name}\t{counts.get(name, 0)}")
    for r in dead:
        click.echo(f"dead #{r.id} {r.kind} official={r.official_id} attempts={r.attempts} "
                   f"{r.dedupe_key}: {r.last_error}")


@outbox.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-dead", is_flag=True, help="Requeue every dead row.")
@pass_state
def outbox_retry(state: CliState, ids: tuple[int, ...], all_dead: bool) -> None:
    """Requeue dead rows."""
    from scheduler.outbox import retry

    if not ids and not all_dead:
        raise click.UsageError("give row ids or --all-dead")
    count = retry(state.runtime.sessions, None if all_dead else list(ids),
                  dt.datetime.now(dt.UTC))
    click.echo(f"已重新排队 {count} 条。")


@click.command("scheduler")
@click.option("--leader-ttl", type=float, default=30.0, show_default=True,
              help="Seconds a silent leader keeps the lock (SQLite).")
@click.option("--standby-poll", type=float, default=5.0, show_default=True,
              help="Seconds between a standby's tries for the lock.")
@pass_state
def scheduler(state: CliState, leader_ttl: float, standby_poll: float) -> None:
    """Run the reminder scheduler (leader-elected; a second instance waits as standby)."""
    import signal
    import threading

    from bot.cli.keys import require_data_key
    from scheduler.service import run_forever

    require_data_key(state)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_forever(state.runtime, _policies(state), stop,
                ttl=dt.timedelta(seconds=leader_ttl), poll=standby_poll)


COMMANDS = [remind, outbox, scheduler]
