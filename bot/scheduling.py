"""The scheduler's parts, built from settings by the entry point and handed down (scheduler/
never reads bot/): the policies with the configured hours and time zone, the WeChat client as
the outbox's pusher, and the signed due-list link put in template messages."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.due_links import due_url_maker
from bot.runtime import Runtime
from bot.settings import DEV_APP_ID, Settings
from bot.wechat.client import WeChatClient
from bot.wechat.factory import make_client
from scheduler.outbox import SenderConfig
from scheduler.policies import SCHEDULE_SETTINGS, Policies, load_policies
from scheduler.render import TemplateKeywords
from scheduler.service import Wiring


def _schedule_values(settings: Settings) -> dict[str, Any]:
    """The schedule values set in the environment: one differing from the built-in default wins
    over the policy file's `[schedule]`."""
    return {
        name: getattr(settings, name)
        for name in SCHEDULE_SETTINGS
        if getattr(settings, name) != getattr(Settings, name)
    }


def policies_for(settings: Settings) -> Policies:
    lead = settings.festival_lead_days
    return load_policies(settings.policy_file, settings.default_policy, _schedule_values(settings),
                         lead if lead != Settings.festival_lead_days else None)


def push_configured(settings: Settings) -> bool:
    """False with the development AppID against the real WeChat: nothing can be delivered, and
    the embedded default (`make run`) must not call out. A fake WeChat URL is always used."""
    return settings.wechat_app_id != DEV_APP_ID or (
        settings.wechat_api_base_url != Settings.wechat_api_base_url
    )


def sender_config(runtime: Runtime, policies: Policies) -> SenderConfig:
    settings = runtime.settings
    return SenderConfig(
        template_id=settings.wechat_template_id,
        due_link=due_url_maker(runtime.read_sessions, settings.base_url, settings.secret_key),
        keywords=TemplateKeywords(**policies.template),
        quiet_start=policies.schedule.quiet_start, quiet_end=policies.schedule.quiet_end,
        clock=policies.schedule.clock,
    )


def make_pusher(runtime: Runtime) -> WeChatClient:
    """The shared WeChat client (bot.wechat), which refreshes the shared token itself."""
    return make_client(runtime.settings, runtime.sessions)


def wiring(runtime: Runtime, policies: Policies) -> Wiring:
    settings = runtime.settings
    return Wiring(
        engine=runtime.engine, sessions=runtime.sessions, read_sessions=runtime.read_sessions,
        sender=sender_config(runtime, policies),
        make_pusher=partial(make_pusher, runtime) if push_configured(settings) else None,
    )
