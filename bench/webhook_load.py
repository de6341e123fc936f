"""The webhook's load generator and server: concurrent clients sending signed contact logs to
a gunicorn on loopback, with the CPU each request costs the machine (from /proc).

Each request is a text message with its own MsgId, signed like WeChat's (signature, timestamp,
nonce, openid); a reply counts as good when it is HTTP 200 with a body. A round gives the CPU per
request of the gunicorn workers (`server`), of the load generator (`client`) and, when asked, of
every PostgreSQL process (`postgres`), summed as `machine`.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import requests

from bench.cpu_accounting import children, cpu_seconds, postgres_pids
from bot.wechat.simulator import build_text_message, signed_query

DEFAULT_TOKEN = "bench-token"
LOGS = [
    "{name} 入户 正常",
    "今天电话联系{name}，情况稳定",
    "{name} 视频 未联系上",
    "昨天走访{name}，轮椅坏了需要维修",
]


@dataclass
class Result:
    label: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    # CPU per request, in ms, of the server's workers (when served here), of PostgreSQL's
    # processes and of this load generator: the machine's cost of a request, all on 2 cores.
    cpu_ms: dict[str, float] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict[str, object]:
        return {
            "label": self.label,
            "requests": self.requests,
            "errors": self.errors,
            "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(statistics.median(self.latencies_ms), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            **{f"{k}_cpu_ms": round(v, 2) for k, v in self.cpu_ms.items()},
        }


def contact_log(i: int, openids: list[str], names: list[str]) -> tuple[str, str]:
    """(sender, text) of message `i`: senders in turn, each kind of log, then the next name.

    Over len(openids) × len(LOGS) × len(names) consecutive messages no (sender's person, channel,
    day) repeats, so with bench/webhook_setup.py's roster (every official has persons of these
    names) each message records a new contact rather than asking whether it is a duplicate.
    """
    j = i // len(openids)
    template = LOGS[j % len(LOGS)]
    return openids[i % len(openids)], template.format(name=names[j // len(LOGS) % len(names)])


def _message(openid: str, text: str, i: int) -> str:
    return build_text_message(openid, text, msg_id=str(7_000_000_000_000_000 + i))


def run_load(
    url: str,
    token: str,
    *,
    label: str,
    openids: list[str],
    names: list[str],
    total: int,
    clients: int,
    first_id: int = 0,
    server_pid: int | None = None,
    postgres: bool = False,
) -> Result:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback URLs only")
    latencies: list[float] = []
    errors = [0]
    counter = iter(range(first_id, first_id + total))
    lock = threading.Lock()

    def client() -> None:
        # http.client rather than requests: the load generator shares the CPU with the server,
        # so it should spend as little of it as possible.
        port = urlsplit(url).port or 80
        path = urlsplit(url).path or "/"
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                conn.close()
                return
            openid, text = contact_log(i, openids, names)
            body = _message(openid, text, i).encode("utf-8")
            target = path + "?" + urlencode(signed_query(token, openid=openid))
            started = time.perf_counter()
            try:
                conn.request("POST", target, body, {"Content-Type": "text/xml; charset=utf-8"})
                response = conn.getresponse()
                ok = response.status == 200 and bool(response.read())
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    groups: dict[str, list[int]] = {}
    if server_pid is not None:
        groups["server"] = children(server_pid)
    if postgres:
        groups["postgres"] = postgres_pids()
    before = {k: cpu_seconds(pids) for k, pids in groups.items()}
    cpu_before = time.process_time()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    used = {k: cpu_seconds(pids) - before[k] for k, pids in groups.items()}
    used["client"] = time.process_time() - cpu_before
    used["machine"] = sum(used.values())
    cpu_ms = {k: v / total * 1000 for k, v in used.items()}
    return Result(label, total, errors[0], seconds, latencies, cpu_ms)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`app_spec` served by gunicorn on a loopback port until the `with` block ends."""

    def __init__(
        self, app_spec: str, workers: int, threads: int, env: dict[str, str], token: str
    ) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/wechat"
        self._token = token
        command = [
            sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
            "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
            # As in production: the app (jieba's dictionary included) loads once, before forking.
            "--preload", app_spec,
        ]  # fmt: skip
        self._proc = subprocess.Popen(command, env=env)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def __enter__(self) -> Gunicorn:
        query = signed_query(self._token)
        for _ in range(300):
            if self._proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self._proc.returncode}")
            try:
                response = requests.get(self.url, params={**query, "echostr": "ready"}, timeout=2)
                if response.status_code == 200:
                    return self
            except requests.RequestException:  # not up yet, or still loading
                pass
            time.sleep(0.1)
        self.__exit__()  # `with` calls __exit__ only once __enter__ returned
        raise SystemExit("gunicorn did not come up (a wrong WECHAT_TOKEN answers 403)")

    def __exit__(self, *_exc: object) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=30)
