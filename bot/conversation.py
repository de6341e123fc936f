"""The webhook's collaborators, built once per process from settings."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import Flask

from bot.due_links import due_url
from bot.runtime import Runtime
from bot.wechat.crypto import MessageCrypto
from bot.wechat.factory import make_crypto
from bot.wechat.xml_body import MAX_BODY_BYTES
from handlers.context import Deps, Incoming, Reply
from handlers.pipeline import Parser, process
from storage.masking import mask_text


@dataclass
class Conversation:
    runtime: Runtime
    deps: Deps
    parse: Parser
    crypto: MessageCrypto | None
    max_body: int
    token: str

    def handle(self, incoming: Incoming) -> Reply:
        return masked(process(self.runtime.sessions, self.deps, incoming, self.parse))


def masked(reply: Reply) -> Reply:
    """The reply as it leaves: no full phone or ID number, however the person wrote it."""
    return replace(reply, text=mask_text(reply.text)) if reply.text else reply


def build_conversation(runtime: Runtime) -> Conversation:
    from bot.scheduling import policies_for
    from handlers import parsing
    from scheduler.policies import county_policies, rules_by_county

    settings = runtime.settings
    parsing.load()
    policies = policies_for(settings)
    # Counties imported later fall under the default preset (the None key) until a restart.
    with runtime.sessions() as session:
        by_county = rules_by_county(county_policies(session, policies))
    # No pooled connection may cross a gunicorn fork.
    runtime.engine.dispose()
    deps = Deps(
        rules_by_county=by_county,
        clock=runtime.clock,
        due_list_url=lambda official_id: due_url(settings.base_url, settings.secret_key, official_id),
    )
    return Conversation(
        runtime=runtime,
        deps=deps,
        parse=parsing.parse,
        crypto=make_crypto(settings),
        max_body=min(settings.max_body_bytes, MAX_BODY_BYTES),
        token=settings.wechat_token,
    )


def install(app: Flask, runtime: Runtime) -> None:
    """Build the conversation at app creation, so `gunicorn --preload` loads jieba before forking."""
    app.extensions["lianxin.conversation"] = build_conversation(runtime)


def conversation_of(app: Flask) -> Conversation:
    return app.extensions["lianxin.conversation"]
