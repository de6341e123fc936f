"""Load generator for the WeChat webhook: 16 concurrent clients sending signed contact logs.

    # the baseline alone: bare Flask + wechatpy echo under gunicorn
    python bench/webhook_bench.py --echo
    # baseline, then our app under the same gunicorn settings, and the ratio
    python bench/webhook_bench.py --echo --serve 'bot.app:create_app()' --openid o_bench_official
    # a server that is already running
    python bench/webhook_bench.py --url http://127.0.0.1:8000/wechat --token "$WECHAT_TOKEN"

Loopback only. Each request is a text message with its own MsgId, signed like WeChat's
(signature/timestamp/nonce/openid); a reply counts as good when it is HTTP 200 with a body.
Each round also gives the CPU per request of the gunicorn workers it started (`server`), of
every PostgreSQL process (`postgres`) and of this load generator (`client`), summed as `machine`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cpu_accounting import children, cpu_seconds, postgres_pids  # noqa: E402
from bot.wechat.simulator import build_text_message, signed_query  # noqa: E402

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
    groups = {"postgres": postgres_pids()}
    if server_pid is not None:
        groups = {"server": children(server_pid), **groups}
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


def protocol_cpu(rounds: int, per_round: int = 20000) -> None:
    """CPU per message of verify + parse + reply, wechatpy vs bot.wechat, without HTTP.

    process_time counts only this process's CPU, so other load on the machine does not skew it.
    """
    from wechatpy import parse_message
    from wechatpy.replies import TextReply
    from wechatpy.utils import check_signature

    from bot.wechat.callback import read_callback
    from bot.wechat.messages import render_text_reply

    xml = _message("o_bench_official", LOGS[0].format(name="张三"), 0).encode("utf-8")
    query = signed_query(DEFAULT_TOKEN)

    def wechatpy_echo() -> str:
        args = (query["signature"], query["timestamp"], query["nonce"])
        check_signature(DEFAULT_TOKEN, *args)
        message = parse_message(xml)
        return TextReply(content=f"收到：{message.content}", message=message).render()

    def ours_echo() -> str:
        m = read_callback(query, xml, DEFAULT_TOKEN, None).message
        return render_text_reply(m.from_user, m.to_user, f"收到：{m.content}", m.create_time)

    samples: dict[str, list[float]] = {"wechatpy": [], "bot.wechat": []}
    for _ in range(rounds):
        for label, fn in (("wechatpy", wechatpy_echo), ("bot.wechat", ours_echo)):
            started = time.process_time()
            for _ in range(per_round):
                fn()
            samples[label].append((time.process_time() - started) / per_round * 1e6)
    base = statistics.median(samples["wechatpy"])
    for label, values in samples.items():
        median = statistics.median(values)
        print(f"label={label}  median_cpu_us_per_message={median:.1f}  ratio={median / base:.2f}")


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
        # BENCH_ROOT=<checkout> serves another checkout's code (e.g. the code before a change).
        root = env.pop("BENCH_ROOT", str(ROOT))
        self._proc = subprocess.Popen(command, cwd=root, env=env)

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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--echo", action="store_true", help="measure the Flask + wechatpy echo baseline"
    )
    parser.add_argument(
        "--serve",
        action="append",
        default=[],
        help="gunicorn app spec to measure, optionally after KEY=VALUE environment settings "
        "(BENCH_ROOT=<checkout> serves that checkout's code)",
    )
    parser.add_argument("--url", action="append", default=[], help="running webhook URL to measure")
    parser.add_argument("--token", default=os.environ.get("WECHAT_TOKEN", DEFAULT_TOKEN))
    parser.add_argument("--openid", action="append", default=[], help="sender openid(s)")
    parser.add_argument("--name", action="append", default=[], help="person name(s) in the logs")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument(
        "--protocol-cpu", action="store_true", help="CPU per message, no HTTP (wechatpy vs ours)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per target")
    parser.add_argument("--json", action="store_true", help="print one JSON object per run")
    args = parser.parse_args()
    openids = args.openid or ["o_bench_official"]
    names = args.name or ["张三", "李四", "王五", "赵六"]
    env = dict(os.environ, WECHAT_TOKEN=args.token)

    if args.protocol_cpu:
        protocol_cpu(args.rounds)
        return
    targets: list[tuple[str, str | None, str | None, dict[str, str]]] = []
    if args.echo:
        targets.append(("echo (Flask + wechatpy)", "bench.webhook_echo:app", None, {}))
    for serve in args.serve:
        *assignments, spec = serve.split()
        extra = dict(a.split("=", 1) for a in assignments)
        targets.append((serve, spec, None, extra))
    targets += [(url, None, url, {}) for url in args.url]
    if not targets:
        parser.error("give --echo, --serve or --url")

    runs: dict[str, list[Result]] = {label: [] for label, *_ in targets}
    # Fresh MsgIds on every run, so nothing is a retry. Every target gets the same sequence (each
    # has its own server and database), so a run stays within contact_log's cycle of new records.
    first_id = int(time.time()) * 1_000_000
    load = {"openids": openids, "names": names, "clients": args.clients}
    with ExitStack() as stack:
        urls, pids = {}, {}
        for label, spec, url, extra in targets:
            if spec:
                server = Gunicorn(spec, args.workers, args.threads, {**env, **extra}, args.token)
                url = stack.enter_context(server).url
                pids[label] = server.pid
            urls[label] = url
            run_load(url, args.token, label=label, total=args.warmup, first_id=first_id, **load)
        # Rounds interleave the targets, so drift in the machine's load hits them alike.
        for r in range(args.rounds):
            for label, *_ in targets:
                result = run_load(
                    urls[label],
                    args.token,
                    label=label,
                    total=args.requests,
                    first_id=first_id + args.warmup + r * args.requests,
                    server_pid=pids.get(label),
                    **load,
                )
                runs[label].append(result)
                _emit(result.summary(), args.json)
    baseline = None
    for label, results in runs.items():
        throughput = statistics.median(r.throughput for r in results)
        summary: dict[str, object] = {
            "label": label,
            "summary_of_rounds": len(results),
            "median_throughput_rps": round(throughput, 1),
            "median_p50_ms": round(statistics.median(r.summary()["p50_ms"] for r in results), 2),
            "median_p99_ms": round(statistics.median(r.summary()["p99_ms"] for r in results), 2),
            "errors": sum(r.errors for r in results),
            **{f"median_{k}_cpu_ms": round(statistics.median(r.cpu_ms[k] for r in results), 2)
               for k in results[0].cpu_ms},
        }
        if baseline is None:
            baseline = throughput
        else:
            summary["ratio_vs_first"] = round(throughput / baseline, 2)
        _emit(summary, args.json)


def _emit(summary: dict[str, object], as_json: bool) -> None:
    print(json.dumps(summary, ensure_ascii=False) if as_json else _line(summary), flush=True)


def _line(summary: dict[str, object]) -> str:
    return "  ".join(f"{k}={v}" for k, v in summary.items())


if __name__ == "__main__":
    main()
