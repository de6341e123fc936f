"""The webhook's collaborators, built once per process from settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from flask import Flask

from bot.due_links import due_url
from bot.runtime import Runtime
from bot.spool import Drainer, Spool, is_outage
from bot.wechat.crypto import MessageCrypto
from bot.wechat.factory import make_crypto
from bot.wechat.xml_body import MAX_BODY_BYTES
from handlers import texts
from handlers.context import Deps, Incoming, Reply
from handlers.pipeline import Parser, process
from storage.bindings import lookup
from storage.masking import mask_text
from storage.outbox import enqueue

log = logging.getLogger(__name__)


@dataclass
class Conversation:
    runtime: Runtime
    deps: Deps
    parse: Parser
    crypto: MessageCrypto | None
    max_body: int
    token: str
    spool: Spool | None = None
    drainer: Drainer | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.spool is None:
            self.spool = Spool(Path(self.runtime.settings.data_dir).resolve() / "spool")
        if self.drainer is None:
            self.drainer = Drainer(self.spool, self.replay)

    def handle(self, incoming: Incoming) -> Reply:
        """The pipeline's reply; while the database cannot be reached, the message goes to the
        spool (a retry of a spooled message gets the same answer) and the reply comes by push."""
        assert self.spool is not None and self.drainer is not None
        self.drainer.first_message()
        if self.spool.holds(incoming.dedupe_key):
            return Reply(texts.SPOOLED)
        try:
            return masked(process(self.runtime.sessions, self.deps, incoming, self.parse))
        except Exception as exc:
            if not is_outage(exc):
                raise
            log.warning("database unreachable (%s); message from …%s spooled",
                        type(exc).__name__, incoming.openid[-6:])
        self.spool.put(incoming)  # SpoolFull propagates: the webhook asks WeChat to retry
        self.drainer.wake()
        return Reply(texts.SPOOLED)

    def replay(self, incoming: Incoming) -> None:
        """Run a spooled message through the pipeline (exactly once, by its claim) and queue
        its reply as a push. Idempotent: a second replay finds the stored reply and the queued
        push (same dedupe key)."""
        reply = process(self.runtime.sessions, self.deps, incoming, self.parse)
        if not reply.text:
            return
        with self.runtime.sessions.begin() as session:
            identity = lookup(session, incoming.openid)
            target: dict = {}
            if identity.official is not None:
                target["official_id"] = identity.official.id
            elif identity.persons:
                target["openid"] = incoming.openid
            else:
                log.info("spooled message from …%s replayed; sender not bound, no push",
                         incoming.openid[-6:])
                return
            enqueue(session, f"spool:{incoming.dedupe_key}", "reply",
                    {"text": mask_text(reply.text)}, urgent=True, **target)


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
        due_list_url=partial(due_url, settings.base_url, settings.secret_key),
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
