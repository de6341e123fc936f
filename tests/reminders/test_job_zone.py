"""The reminder jobs read their day under the configured time zone (LIANXIN_TIMEZONE)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from scheduler import jobs
from scheduler.policies import load_policies

POLICIES = load_policies()


def test_a_job_reads_its_day_in_the_configured_zone(runtime, world):
    official, person = world.official("赵红梅"), world.person("张三")
    world.assign(official, person, start="2026-01-01")
    in_utc = replace(POLICIES, schedule=replace(POLICIES.schedule, timezone="UTC"))
    late = dt.datetime(2026, 6, 20, 17, 30, tzinfo=dt.UTC)  # 01:30 on the 21st in Shanghai
    with runtime.sessions() as s:
        assert jobs.digest(s, POLICIES, late)[0]["dedupe_key"] == f"digest:{official}:2026-06-21"
        assert jobs.digest(s, in_utc, late)[0]["dedupe_key"] == f"digest:{official}:2026-06-20"
