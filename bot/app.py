"""Flask application factory: wiring only."""

from __future__ import annotations

import logging

from flask import Flask

from bot.runtime import Runtime
from bot.settings import Settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """The app; with neither argument (gunicorn's `bot.app:create_app()`), from the environment,
    and never on development secrets in a real deployment."""
    if runtime is None and settings is None:
        from bot.settings import development_secrets, load_settings

        settings = load_settings()
        problems = development_secrets(settings)
        if problems:
            raise SystemExit(problems[0])
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
    https = runtime.settings.base_url.startswith("https://")
    app.after_request(lambda response: _security_headers(response, https))
    logging.getLogger(__name__).debug("app created for %s", runtime.engine.url.get_backend_name())
    return app


# Pages carry their own styles; the only script is the print buttons' `window.print()`.
_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "script-src 'unsafe-hashes' 'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def _security_headers(response, https: bool):  # type: ignore[no-untyped-def]
    """On every response: no framing, no sniffing, no referrer outside, a strict CSP, HSTS."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if https:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response

