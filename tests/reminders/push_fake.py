"""A minimal loopback fake of WeChat's push API and a plain HTTP pusher for the sender's tests.

Stand-in until the shared `tests/fake_wechat.py` and `bot.wechat` client land on main; it keeps
their shapes (`sent`, `fail_next`, `http_error_next`, `not_following`, `outside_window`, errors
with `errcode` and the `.not_following`/`.outside_window`/`.quota_exceeded` properties).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

TEMPLATE_PATH = "/cgi-bin/message/template/send"
CUSTOM_PATH = "/cgi-bin/message/custom/send"


class FakePush:
    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.not_following: set[str] = set()
        self.outside_window: set[str] = set()
        self._faults: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, answer = fake._handle(self.path.split("?")[0], body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, path: str, errcode: int, times: int = 1) -> None:
        with self._lock:
            self._faults[path].extend(("errcode", errcode) for _ in range(times))

    def http_error_next(self, path: str, status: int = 500, times: int = 1) -> None:
        with self._lock:
            self._faults[path].extend(("status", status) for _ in range(times))

    def _handle(self, path: str, body: dict) -> tuple[int, dict]:
        with self._lock:
            fault = self._faults[path].popleft() if self._faults[path] else None
            if fault and fault[0] == "status":
                return fault[1], {"error": "injected"}
            if fault:
                return 200, {"errcode": fault[1], "errmsg": "injected"}
            touser = body.get("touser")
            if touser in self.not_following:
                return 200, {"errcode": 43004, "errmsg": "require subscribe"}
            if path == CUSTOM_PATH and touser in self.outside_window:
                return 200, {"errcode": 45015, "errmsg": "response out of time limit"}
            kind = "template" if path == TEMPLATE_PATH else "text"
            self.sent.append({"kind": kind, "touser": touser, "body": body})
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": len(self.sent)}


class PushError(Exception):
    def __init__(self, errcode: int) -> None:
        super().__init__(f"errcode {errcode}")
        self.errcode = errcode

    not_following = property(lambda self: self.errcode == 43004)
    outside_window = property(lambda self: self.errcode in (45015, 45047))
    quota_exceeded = property(lambda self: self.errcode == 45009)


class TransportError(Exception):
    pass


class HttpPusher:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _post(self, path: str, body: dict) -> dict:
        try:
            resp = requests.post(self.base_url + path, json=body, timeout=5)
        except requests.RequestException as exc:
            raise TransportError(str(exc)) from exc
        if resp.status_code != 200:
            raise TransportError(f"HTTP {resp.status_code}")
        answer = resp.json()
        if answer.get("errcode"):
            raise PushError(answer["errcode"])
        return answer

    def send_template(self, openid, template_id, data, url=None) -> dict:
        return self._post(TEMPLATE_PATH, {"touser": openid, "template_id": template_id,
                                          "url": url, "data": {k: {"value": v}
                                                                for k, v in data.items()}})

    def send_text(self, openid, content) -> dict:
        return self._post(CUSTOM_PATH, {"touser": openid, "msgtype": "text",
                                        "text": {"content": content}})
