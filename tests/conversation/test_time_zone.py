"""LIANXIN_TIMEZONE decides "today" for a message, and the hours of the scheduler."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from bot.scheduling import policies_for, sender_config
from bot.settings import load_settings
from handlers.context import Deps
from scheduler.policies import Schedule
from scheduler.queue import first_attempt
from scheduler.service import build_scheduler
from storage.clock import LocalClock
from storage.models import ContactRecord
from tests.conversation.conftest import Server, make_settings

# 17:30 UTC: already the next day in Asia/Shanghai (01:30), still the same day in UTC and in
# Asia/Urumqi (23:30).
LATE = dt.datetime(2026, 4, 1, 17, 30)


def test_a_moment_near_midnight_is_a_different_day_in_different_zones():
    assert LocalClock().today(LATE) == dt.date(2026, 4, 2)
    assert LocalClock.named("UTC").today(LATE) == dt.date(2026, 4, 1)
    assert LocalClock.named("Asia/Urumqi").today(LATE) == dt.date(2026, 4, 1)
    assert Deps(clock=LocalClock.named("Asia/Urumqi")).today(LATE) == dt.date(2026, 4, 1)
    assert Deps().today(LATE) == dt.date(2026, 4, 2)


# At any moment the day in UTC+14 is one or two days after the day in UTC-12, so a message sent
# now is dated differently under the two, whatever the time the test runs.
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_a_logged_contact_is_dated_by_the_configured_zone(database_url, roster, zone):
    runtime = Runtime(make_settings(database_url, timezone=zone))
    server = Server(runtime)
    try:
        official = server.user("o_member")
        assert "绑定成功" in official.send_text(f"绑定 {roster.member_code}").content
        before = dt.datetime.now(ZoneInfo(zone)).date()
        reply = official.send_text("张三 电话 正常")
        after = dt.datetime.now(ZoneInfo(zone)).date()
        with runtime.sessions() as s:
            record = s.scalars(select(ContactRecord)).one()
    finally:
        server.close()
        runtime.dispose()
    assert record.contact_date in (before, after), reply.content
    other = "Etc/GMT+12" if zone == "Pacific/Kiritimati" else "Pacific/Kiritimati"
    assert record.contact_date != dt.datetime.now(ZoneInfo(other)).date()


def test_the_scheduler_reads_its_hours_in_the_configured_zone():
    settings = load_settings(env={"LIANXIN_TIMEZONE": "Asia/Urumqi"})
    policies = policies_for(settings)
    assert policies.schedule.clock == LocalClock.named("Asia/Urumqi")
    sched = build_scheduler(policies, blocking=False)
    assert str(sched.timezone) == "Asia/Urumqi"
    trigger = sched.get_job("daily_reminders").trigger
    fire = trigger.get_next_fire_time(None, dt.datetime(2026, 4, 1, 3, 0, tzinfo=dt.UTC))
    # 08:00 in Urumqi (UTC+6) is 02:00 UTC; the first one after 03:00 UTC is the next day's.
    assert fire.astimezone(dt.UTC) == dt.datetime(2026, 4, 2, 2, 0, tzinfo=dt.UTC)
    assert sender_config(Runtime(settings), policies).clock.zone == ZoneInfo("Asia/Urumqi")


def test_quiet_hours_follow_the_configured_zone():
    # 14:30 UTC is 22:30 in Shanghai (quiet: held until 08:00 there) but 20:30 in Urumqi.
    evening = dt.datetime(2026, 4, 1, 14, 30, tzinfo=dt.UTC)
    assert first_attempt(evening, False, Schedule()) == dt.datetime(2026, 4, 2, 0, 0)
    assert first_attempt(evening, False, Schedule(timezone="Asia/Urumqi")) == dt.datetime(
        2026, 4, 1, 14, 30)
    urumqi = LocalClock.named("Asia/Urumqi")
    assert urumqi.in_quiet_hours(dt.datetime(2026, 4, 1, 15, 30), 21, 8)
    assert urumqi.quiet_hours_end(evening + dt.timedelta(hours=1), 8) == dt.datetime(
        2026, 4, 2, 8, 0, tzinfo=ZoneInfo("Asia/Urumqi"))
