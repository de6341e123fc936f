"""The dashboard for township and county staff (`/admin`) and the officials' phone page (`/m`).

`bp` is registered by the app factory; registering it also sets up sessions (Flask-Login), CSRF
protection for the dashboard's forms (Flask-WTF) and the cookie flags, and registers `mobile_bp`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
mobile_bp = Blueprint("mobile", __name__, url_prefix="/m", template_folder="templates")


@bp.record_once
def _set_up(state) -> None:
    from bot.admin.web import set_up_app

    set_up_app(state.app)
    state.app.register_blueprint(mobile_bp)


# Views attach themselves to the blueprints above.
from bot.admin import (  # noqa: E402
    auth,
    io_views,
    mobile,
    needs_views,
    officials_views,
    overview_views,
    people_views,
)

__all__ = ["auth", "bp", "io_views", "mobile", "mobile_bp", "needs_views", "officials_views",
           "overview_views", "people_views"]
