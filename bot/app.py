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

    from bot import conversation, health, webhook

    app.register_blueprint(health.bp)
    app.register_blueprint(webhook.bp)
    conversation.install(app, runtime)
    _register_optional_blueprints(app)
    logging.getLogger(__name__).debug("app created for %s", runtime.engine.url.get_backend_name())
    return app


def _register_optional_blueprints(app: Flask) -> None:
    """The dashboard blueprint, when present."""
    import importlib

    for name in ("bot.admin",):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.register_blueprint(module.bp)


def runtime_of(app: Flask) -> Runtime:
    return app.extensions["lianxin"]
