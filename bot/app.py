"""Flask application factory: wiring only."""

from __future__ import annotations

import logging

from flask import Flask

from bot.runtime import Runtime
from bot.settings import Settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    runtime = runtime or Runtime(settings)
    from storage.masking import install_log_masking

    install_log_masking()  # under gunicorn too: no full ID or phone number in any log line
    app = Flask(__name__)
    app.config["SECRET_KEY"] = runtime.settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = runtime.settings.max_body_bytes * 64  # uploads; webhook caps itself
    app.extensions["lianxin"] = runtime

    from bot import admin, conversation, health, webhook

    app.register_blueprint(health.bp)
    app.register_blueprint(webhook.bp)
    app.register_blueprint(admin.bp)  # also registers the phone pages under /m
    conversation.install(app, runtime)
    logging.getLogger(__name__).debug("app created for %s", runtime.engine.url.get_backend_name())
    return app

