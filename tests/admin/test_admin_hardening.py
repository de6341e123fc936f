"""Small holes that were 500s or missing headers (issue #16, hole 11)."""

from __future__ import annotations

import re

from admin_demo import PASSWORD, log_in

from bot.app import create_app


def test_ids_too_long_for_the_database_are_404(county):
    for url in ("/admin/persons/" + "9" * 20, "/admin/officials/" + "9" * 20,
                "/admin/needs/" + "9" * 20, "/admin/?region=" + "9" * 20,
                "/admin/overdue?official=" + "9" * 20, "/admin/persons?region=" + "9" * 20):
        assert county.get(url).status_code == 404, url


def test_crlf_in_next_is_not_followed(app):
    client = app.test_client()
    form = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post("/admin/login", data={
        "username": "pingjiang", "password": PASSWORD, "csrf_token": token,
        "next": "/admin/\r\nSet-Cookie: x=1"})
    assert response.status_code in (200, 302)
    assert "\r" not in response.headers.get("Location", "") and "x=1" not in str(response.headers)


def test_every_response_carries_the_security_headers(app, county):
    for client, url in ((app.test_client(), "/admin/login"), (county, "/admin/"),
                        (app.test_client(), "/healthz"), (app.test_client(), "/wechat")):
        headers = client.get(url).headers
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "Strict-Transport-Security" not in headers  # http base URL


def test_hsts_when_the_base_url_is_https(runtime, ids):
    from dataclasses import replace

    runtime.settings = replace(runtime.settings, base_url="https://lianxin.example.gov.cn")
    app = create_app(runtime=runtime)
    assert "max-age" in app.test_client().get("/healthz").headers["Strict-Transport-Security"]
    assert log_in(app.test_client(), "pingjiang").status_code in (200, 302)
