"""A fake of WeChat's HTTP API on loopback, for tests and local runs.

A real threaded HTTP server on 127.0.0.1 (ephemeral port) that issues access tokens and accepts
template messages, customer-service messages and QR-code requests. It checks the access token on
every call (40001 for a stale one), records what it received, and fails, stalls or errors on demand:

    with FakeWeChat() as fake:
        client = WeChatClient(fake.base_url, fake.app_id, fake.app_secret, store)
        fake.fail_next("/cgi-bin/message/template/send", errcode=45015)
        fake.delay_next("/cgi-bin/message/custom/send", 3.0)
        fake.http_error_next("/cgi-bin/stable_token", status=500)
        fake.accept_then_stall_next("/cgi-bin/message/template/send", 3.0)  # timeout after accept
        ...
        assert [m["touser"] for m in fake.sent] == [...]

Every message it delivers is in `fake.sent` (template and text, in arrival order). Like WeChat, a
template message that repeats an earlier one's `client_msg_id` for the same openid within 10
minutes is answered "ok" with the first one's msgid and not delivered again (it is listed in
`fake.dropped`); WeChat's documentation does not say what a repeat answers, and "ok" is the
reading under which a sender must not resend. Customer-service texts have no such id.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN_PATH = "/cgi-bin/token"
STABLE_TOKEN_PATH = "/cgi-bin/stable_token"
TEMPLATE_PATH = "/cgi-bin/message/template/send"
CUSTOM_PATH = "/cgi-bin/message/custom/send"
QRCODE_PATH = "/cgi-bin/qrcode/create"
# WeChat keeps a token fetched with /cgi-bin/token valid this long after the next fetch.
OLD_TOKEN_GRACE = 300.0
# How long WeChat drops a template message repeating an openid + client_msg_id.
CLIENT_MSG_ID_WINDOW = 600.0


@dataclass
class _Fault:
    errcode: int | None = None
    errmsg: str = ""
    status: int | None = None
    delay: float = 0.0
    stall_after: float = 0.0  # handle the call (deliver), then wait this long before answering


@dataclass
class Received:
    path: str
    query: dict[str, str]
    body: dict | None
    answer: dict | None = None
    status: int = 200


@dataclass
class FakeWeChat:
    app_id: str = "wx_fake_app_id"
    app_secret: str = "fake-app-secret"
    token_ttl: int = 7200
    not_following: set[str] = field(default_factory=set)  # openids: template/custom → 43004
    outside_window: set[str] = field(default_factory=set)  # openids: custom send → 45015
    serve_stable_token: bool = True  # False: answer 404 there, like a server that predates it

    def __post_init__(self) -> None:
        # delivered messages: {"kind", "touser", "body", "msgid", "client_msg_id"}
        self.sent: list[dict] = []
        self.dropped: list[dict] = []  # template repeats WeChat dropped by client_msg_id
        self._client_msg_ids: dict[tuple[str, str], tuple[int, float]] = {}
        self.qrcodes: list[dict] = []
        self.received: list[Received] = []  # every request, in order
        self.token_issues = 0
        self._tokens: dict[str, float] = {}  # token -> expiry on the fake's clock
        self._current: str | None = None
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._offset = 0.0
        self._msgids = itertools.count(1000)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeWeChat:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True, name="fake-wechat"
        ).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeWeChat:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- test controls -----------------------------------------------------------------------
    def fail_next(self, path: str, errcode: int, errmsg: str = "injected", times: int = 1) -> None:
        """The next `times` calls to `path` answer HTTP 200 with this errcode."""
        with self._lock:
            self._faults[path].extend(_Fault(errcode=errcode, errmsg=errmsg) for _ in range(times))

    def delay_next(self, path: str, seconds: float) -> None:
        """The next call to `path` waits `seconds` before it is handled (then succeeds)."""
        with self._lock:
            self._faults[path].append(_Fault(delay=seconds))

    def accept_then_stall_next(self, path: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls to `path` are handled (a message is delivered) and then answered
        only after `seconds`: a client with a shorter timeout sees no answer for a sent message."""
        with self._lock:
            self._faults[path].extend(_Fault(stall_after=seconds) for _ in range(times))

    def deliveries(self, touser: str | None = None) -> int:
        """How many messages reached people (or this openid)."""
        with self._lock:
            return sum(1 for m in self.sent if touser is None or m["touser"] == touser)

    def http_error_next(self, path: str, status: int = 500, times: int = 1) -> None:
        with self._lock:
            self._faults[path].extend(_Fault(status=status) for _ in range(times))

    def expire_tokens(self) -> None:
        """Every token issued so far stops working (as if WeChat expired them)."""
        with self._lock:
            self._tokens.clear()
            self._current = None

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (tokens expire by it)."""
        with self._lock:
            self._offset += seconds

    @property
    def valid_tokens(self) -> list[str]:
        with self._lock:
            now = self._now()
            return [t for t, exp in self._tokens.items() if exp > now]

    def calls(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    # -- handling (called from the server's threads) -------------------------------------------
    def _now(self) -> float:
        return time.monotonic() + self._offset

    def _next_fault(self, path: str) -> _Fault | None:
        with self._lock:
            queue = self._faults.get(path)
            return queue.popleft() if queue else None

    def _issue(self) -> str:
        token = "FAKE_" + secrets.token_urlsafe(24)
        self._tokens[token] = self._now() + self.token_ttl
        self._current = token
        self.token_issues += 1
        return token

    def handle(
        self, method: str, path: str, query: dict[str, str], body: dict | None
    ) -> tuple[int, dict | str]:
        record = Received(path, query, body)
        with self._lock:
            self.received.append(record)
        fault = self._next_fault(path)
        if fault and fault.delay:
            self._stopping.wait(fault.delay)
        if fault and fault.status:
            record.status = fault.status
            return fault.status, "injected HTTP error"
        if fault and fault.errcode is not None:
            record.answer = {"errcode": fault.errcode, "errmsg": fault.errmsg}
            return 200, record.answer
        with self._lock:
            answer = self._route(method, path, query, body)
        if fault and fault.stall_after:
            self._stopping.wait(fault.stall_after)
        if answer is None:
            record.status = 404
            return 404, "not found"
        record.answer = answer
        return 200, answer

    def _route(
        self, method: str, path: str, query: dict[str, str], body: dict | None
    ) -> dict | None:
        if path == TOKEN_PATH and method == "GET":
            return self._token(query)
        if path == STABLE_TOKEN_PATH and method == "POST" and self.serve_stable_token:
            return self._stable_token(body or {})
        handlers = {
            TEMPLATE_PATH: self._template,
            CUSTOM_PATH: self._custom,
            QRCODE_PATH: self._qrcode,
        }
        if path not in handlers or method != "POST":
            return None
        token = query.get("access_token")
        if not token:
            return _error(41001, "access_token missing")
        if self._tokens.get(token, 0.0) <= self._now():
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        if body is None:
            return _error(47001, "data format error")
        return handlers[path](body)

    def _credentials_error(self, appid: object, secret: object, grant_type: object) -> dict | None:
        if grant_type != "client_credential":
            return _error(40002, "invalid grant_type")
        if appid != self.app_id:
            return _error(40013, "invalid appid")
        if secret != self.app_secret:
            return _error(40125, "invalid appsecret")
        return None

    def _token(self, query: dict[str, str]) -> dict:
        error = self._credentials_error(
            query.get("appid"), query.get("secret"), query.get("grant_type")
        )
        if error:
            return error
        grace = self._now() + OLD_TOKEN_GRACE
        for token, expiry in self._tokens.items():
            self._tokens[token] = min(expiry, grace)
        return {"access_token": self._issue(), "expires_in": self.token_ttl}

    def _stable_token(self, body: dict) -> dict:
        error = self._credentials_error(
            body.get("appid"), body.get("secret"), body.get("grant_type")
        )
        if error:
            return error
        current = self._current
        now = self._now()
        if body.get("force_refresh") is True or current is None or self._tokens[current] <= now:
            # Force-refresh mode invalidates the previous token at once.
            if current is not None:
                self._tokens.pop(current, None)
            current = self._issue()
        return {"access_token": current, "expires_in": int(self._tokens[current] - now)}

    def _template(self, body: dict) -> dict:
        touser, template_id = body.get("touser"), body.get("template_id")
        if not touser or not template_id or not isinstance(body.get("data"), dict):
            return _error(47003, "argument invalid")
        if touser in self.not_following:
            return _error(43004, "require subscribe")
        client_msg_id = body.get("client_msg_id")
        if client_msg_id:
            seen = self._client_msg_ids.get((touser, client_msg_id))
            if seen is not None and self._now() - seen[1] < CLIENT_MSG_ID_WINDOW:
                self.dropped.append({"touser": touser, "client_msg_id": client_msg_id, "body": body})
                return {"errcode": 0, "errmsg": "ok", "msgid": seen[0]}
        answer = self._accept("template", touser, body)
        if client_msg_id:
            self._client_msg_ids[(touser, client_msg_id)] = (answer["msgid"], self._now())
        return answer

    def _custom(self, body: dict) -> dict:
        touser = body.get("touser")
        if not touser or body.get("msgtype") != "text" or "content" not in (body.get("text") or {}):
            return _error(47003, "argument invalid")
        if touser in self.not_following:
            return _error(43004, "require subscribe")
        if touser in self.outside_window:
            return _error(45015, "response out of time limit or subscription is canceled")
        return self._accept("text", touser, body)

    def _qrcode(self, body: dict) -> dict:
        scene = ((body.get("action_info") or {}).get("scene") or {}).get("scene_str")
        if body.get("action_name") != "QR_LIMIT_STR_SCENE" or not scene or len(scene) > 64:
            return _error(40053, "invalid action info")
        ticket = "gQ" + secrets.token_urlsafe(30)
        answer = {"ticket": ticket, "url": f"http://weixin.qq.com/q/{secrets.token_urlsafe(16)}"}
        self.qrcodes.append({"scene": scene, **answer})
        return answer

    def _accept(self, kind: str, touser: str, body: dict) -> dict:
        msgid = next(self._msgids)
        self.sent.append({"kind": kind, "touser": touser, "body": body, "msgid": msgid,
                          "client_msg_id": body.get("client_msg_id")})
        answer: dict = {"errcode": 0, "errmsg": "ok"}
        if kind == "template":
            answer["msgid"] = msgid
        return answer


def _error(errcode: int, errmsg: str) -> dict:
    return {"errcode": errcode, "errmsg": errmsg}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        # A client that gave up (timeout test) leaves a broken pipe behind: not the fake's error.
        pass


class _Handler(BaseHTTPRequestHandler):
    owner: FakeWeChat
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: object) -> None:
        pass

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = None
        if raw:
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = None
        status, answer = self.owner.handle(method, url.path, query, body)
        if isinstance(answer, dict):
            data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            ctype = "application/json; encoding=utf-8"  # what WeChat sends (no charset=)
        else:
            data = answer.encode("utf-8")
            ctype = "text/plain; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")


def main() -> None:
    """Run the fake by itself: `python -m tests.fake_wechat` prints its base URL, Ctrl-C stops."""
    import argparse

    parser = argparse.ArgumentParser(description="A fake of WeChat's API on loopback.")
    parser.add_argument("--app-id", default=FakeWeChat.app_id)
    parser.add_argument("--app-secret", default=FakeWeChat.app_secret)
    args = parser.parse_args()
    with FakeWeChat(app_id=args.app_id, app_secret=args.app_secret) as fake:
        print(f"WECHAT_API_BASE_URL={fake.base_url}", flush=True)
        shown = 0
        try:
            while True:
                time.sleep(0.5)
                for message in fake.sent[shown:]:
                    print(json.dumps(message, ensure_ascii=False), flush=True)
                    shown += 1
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
