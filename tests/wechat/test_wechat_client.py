"""The API client against the fake WeChat server, with the token shared through the database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import threading

import pytest

from bot.runtime import Runtime
from bot.wechat.client import WeChatClient
from bot.wechat.errors import WeChatAPIError, WeChatTransportError
from bot.wechat.factory import make_client
from bot.wechat.token_store import DatabaseTokenStore
from storage.models import utcnow
from storage.shared_values import get_value, set_value
from tests.fake_wechat import (
    CUSTOM_PATH,
    QRCODE_PATH,
    STABLE_TOKEN_PATH,
    TEMPLATE_PATH,
    TOKEN_PATH,
)

TEMPLATE = "tmpl_digest"


def second_process(wechat_runtime: Runtime) -> tuple[Runtime, WeChatClient]:
    """Another runtime with its own engine, as a second worker or the scheduler would have."""
    rt = Runtime(wechat_runtime.settings)
    return rt, make_client(rt.settings, rt.sessions)


def test_token_fetched_once_and_shared_between_processes(
    wechat_runtime, wechat_client, fake_wechat
):
    other_rt, other = second_process(wechat_runtime)
    try:
        wechat_client.send_text("o_a", "一")
        other.send_text("o_b", "二")
        other.send_template("o_c", TEMPLATE, {"thing1": "三"})
        wechat_client.create_permanent_qrcode("person:1")
    finally:
        other_rt.dispose()
    assert fake_wechat.token_issues == 1
    assert [m["touser"] for m in fake_wechat.sent] == ["o_a", "o_b", "o_c"]
    assert len(fake_wechat.calls(STABLE_TOKEN_PATH)) == 1


def test_concurrent_first_use_fetches_one_token(wechat_runtime, fake_wechat):
    runtimes = [Runtime(wechat_runtime.settings) for _ in range(4)]
    clients = [make_client(rt.settings, rt.sessions) for rt in runtimes]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(clients))

    def work(client: WeChatClient) -> None:
        try:
            barrier.wait()
            client.send_text("o_x", "并发")
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for rt in runtimes:
        rt.dispose()
    assert not errors
    assert fake_wechat.token_issues == 1
    assert len(fake_wechat.sent) == 4


def test_rejected_token_is_refreshed_once_and_the_call_retried_once(wechat_client, fake_wechat):
    wechat_client.send_text("o_a", "warm up")
    fake_wechat.fail_next(TEMPLATE_PATH, errcode=40001)
    answer = wechat_client.send_template("o_a", TEMPLATE, {"thing1": "x"})
    assert answer["errcode"] == 0
    assert len(fake_wechat.calls(TEMPLATE_PATH)) == 2
    forced = [c for c in fake_wechat.calls(STABLE_TOKEN_PATH) if c.body["force_refresh"]]
    assert len(forced) == 1
    assert fake_wechat.token_issues == 2


def test_expired_token_recovers(wechat_client, fake_wechat):
    wechat_client.send_text("o_a", "一")
    fake_wechat.expire_tokens()  # e.g. someone fetched a token elsewhere
    wechat_client.send_text("o_a", "二")
    assert len(fake_wechat.sent) == 2
    assert fake_wechat.token_issues == 2


def test_refresh_after_rejection_reuses_a_token_another_process_fetched(wechat_runtime):
    name = "wechat.access_token.test"
    store = DatabaseTokenStore(wechat_runtime.sessions, name)
    fetched: list[str] = []

    def fetch() -> tuple[str, int]:
        fetched.append(f"T{len(fetched) + 1}")
        return fetched[-1], 7200

    assert store.refresh(fetch) == "T1"
    assert store.refresh(fetch) == "T1"  # still valid: no second fetch
    with wechat_runtime.sessions.begin() as s:  # meanwhile another process replaced T1
        set_value(s, name, "OTHER", utcnow() + dt.timedelta(hours=2))
    assert store.refresh(fetch, rejected="T1") == "OTHER"
    assert fetched == ["T1"]
    assert store.refresh(fetch, rejected="OTHER") == "T2"
    assert store.current() == "T2"


@pytest.mark.parametrize("code", [40001, 40014, 42001])
def test_persistent_token_rejection_gives_up_after_one_retry(wechat_client, fake_wechat, code):
    fake_wechat.fail_next(TEMPLATE_PATH, errcode=code, times=5)
    with pytest.raises(WeChatAPIError) as info:
        wechat_client.send_template("o_a", TEMPLATE, {"thing1": "x"})
    assert info.value.errcode == code and info.value.token_invalid
    assert len(fake_wechat.calls(TEMPLATE_PATH)) == 2


@pytest.mark.parametrize(
    ("path", "code", "flag"),
    [
        (TEMPLATE_PATH, 43004, "not_following"),
        (CUSTOM_PATH, 45015, "outside_window"),
        (CUSTOM_PATH, 45047, "outside_window"),
        (TEMPLATE_PATH, 45009, "quota_exceeded"),
    ],
)
def test_errors_are_classified_and_not_retried(wechat_client, fake_wechat, path, code, flag):
    fake_wechat.fail_next(path, errcode=code)
    send = (
        (lambda: wechat_client.send_template("o_a", TEMPLATE, {"k": "v"}))
        if path == TEMPLATE_PATH
        else (lambda: wechat_client.send_text("o_a", "hi"))
    )
    with pytest.raises(WeChatAPIError) as info:
        send()
    err = info.value
    assert err.errcode == code and getattr(err, flag)
    others = {"token_invalid", "not_following", "outside_window", "quota_exceeded"} - {flag}
    assert not any(getattr(err, name) for name in others)
    assert len(fake_wechat.calls(path)) == 1
    assert fake_wechat.sent == []


def test_fake_applies_following_and_window_rules(wechat_client, fake_wechat):
    fake_wechat.not_following.add("o_gone")
    fake_wechat.outside_window.add("o_quiet")
    with pytest.raises(WeChatAPIError) as info:
        wechat_client.send_template("o_gone", TEMPLATE, {"k": "v"})
    assert info.value.not_following
    with pytest.raises(WeChatAPIError) as info:
        wechat_client.send_text("o_quiet", "hi")
    assert info.value.outside_window
    wechat_client.send_template("o_quiet", TEMPLATE, {"k": "v"})  # templates have no window
    assert len(fake_wechat.sent) == 1


def test_timeout_is_a_transport_error(wechat_runtime, fake_wechat):
    settings = dataclasses.replace(wechat_runtime.settings, wechat_http_timeout=0.3)
    client = make_client(settings, wechat_runtime.sessions)
    client.access_token()
    fake_wechat.delay_next(CUSTOM_PATH, 2.0)
    with pytest.raises(WeChatTransportError):
        client.send_text("o_a", "slow")


def test_token_endpoint_timeout_is_a_transport_error(wechat_runtime, fake_wechat):
    settings = dataclasses.replace(wechat_runtime.settings, wechat_http_timeout=0.3)
    client = make_client(settings, wechat_runtime.sessions)
    fake_wechat.delay_next(STABLE_TOKEN_PATH, 2.0)
    with pytest.raises(WeChatTransportError):
        client.send_text("o_a", "slow token")
    with wechat_runtime.sessions() as s:
        assert get_value(s, "wechat.access_token." + fake_wechat.app_id, utcnow()) is None


def test_http_500_and_connection_refused_are_transport_errors(
    wechat_runtime, wechat_client, fake_wechat
):
    fake_wechat.http_error_next(TEMPLATE_PATH, status=500)
    with pytest.raises(WeChatTransportError):
        wechat_client.send_template("o_a", TEMPLATE, {"k": "v"})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings = dataclasses.replace(
        wechat_runtime.settings, wechat_api_base_url=f"http://127.0.0.1:{closed_port}"
    )
    with pytest.raises(WeChatTransportError):
        make_client(settings, wechat_runtime.sessions).send_text("o_a", "nobody there")


def test_classic_token_endpoint_when_stable_token_is_missing(wechat_client, fake_wechat):
    fake_wechat.serve_stable_token = False
    wechat_client.send_text("o_a", "x")
    assert fake_wechat.token_issues == 1
    assert [c.status for c in fake_wechat.calls(STABLE_TOKEN_PATH)] == [404]
    assert fake_wechat.calls(TOKEN_PATH)[0].query == {
        "grant_type": "client_credential",
        "appid": fake_wechat.app_id,
        "secret": fake_wechat.app_secret,
    }


def test_bad_credentials_surface_as_api_error(wechat_runtime, fake_wechat):
    settings = dataclasses.replace(wechat_runtime.settings, wechat_app_secret="wrong")
    with pytest.raises(WeChatAPIError) as info:
        make_client(settings, wechat_runtime.sessions).send_text("o_a", "x")
    assert info.value.errcode == 40125
    assert fake_wechat.sent == []


def test_template_values_cut_to_one_line_of_20_characters(wechat_client, fake_wechat):
    wechat_client.send_template(
        "o_a",
        TEMPLATE,
        {
            "thing1": "张三、李四、王五、赵六、钱七、孙八、周九、吴十 共8户逾期",
            "thing2": "第一行\n第二行",
            "time3": "2026-11-22",
        },
        url="https://example.org/digest/1",
        client_msg_id="digest:1:2026-11-22",
    )
    body = fake_wechat.sent[0]["body"]
    values = {k: v["value"] for k, v in body["data"].items()}
    assert values == {
        "thing1": "张三、李四、王五、赵六、钱七、孙八、周九",
        "thing2": "第一行 第二行",
        "time3": "2026-11-22",
    }
    assert all(len(v) <= 20 and "\n" not in v for v in values.values())
    assert body["template_id"] == TEMPLATE and body["touser"] == "o_a"
    assert body["url"] == "https://example.org/digest/1"
    assert body["client_msg_id"] == "digest:1:2026-11-22"


def test_custom_text_and_qrcode_bodies(wechat_client, fake_wechat):
    long_text = "逾期：\n" + "张三\n" * 100
    wechat_client.send_text("o_a", long_text)
    assert fake_wechat.sent[0]["body"] == {
        "touser": "o_a",
        "msgtype": "text",
        "text": {"content": long_text},
    }
    qr = wechat_client.create_permanent_qrcode("person:42")
    assert set(qr) == {"ticket", "url"}
    assert fake_wechat.qrcodes[0]["scene"] == "person:42"
    request = fake_wechat.calls(QRCODE_PATH)[0].body
    assert request == {
        "action_name": "QR_LIMIT_STR_SCENE",
        "action_info": {"scene": {"scene_str": "person:42"}},
    }
    with pytest.raises(ValueError):
        wechat_client.create_permanent_qrcode("x" * 65)


def test_token_is_refreshed_five_minutes_before_expiry(wechat_runtime, fake_wechat):
    name = "wechat.access_token." + fake_wechat.app_id
    with wechat_runtime.sessions.begin() as s:
        set_value(s, name, "ALMOST_EXPIRED", utcnow() + dt.timedelta(minutes=4))
    store = DatabaseTokenStore(wechat_runtime.sessions, name)
    assert store.current() is None
    client = make_client(wechat_runtime.settings, wechat_runtime.sessions)
    client.send_text("o_a", "x")
    assert client.access_token() != "ALMOST_EXPIRED"
    with wechat_runtime.sessions.begin() as s:
        set_value(s, name, "STILL_GOOD", utcnow() + dt.timedelta(minutes=6))
    assert store.current() == "STILL_GOOD"
