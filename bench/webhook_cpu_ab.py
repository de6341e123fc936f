"""CPU per message of two checkouts' pipelines, in-process, interleaved batch by batch.

    python bench/webhook_cpu_ab.py /tmp/before sqlite:///$PWD/var/ab-before.db \
        . sqlite:///$PWD/var/ab-after.db --batches 30 --batch 50

Like bench/webhook_cpu.py (the same messages, `process_time`, statements from
`before_cursor_execute`), but both pipelines are loaded at once, each in a process of its own with
its own freshly prepared database, and the batches alternate (A B B A A B …). On a shared machine
the load moves a lot between runs started a minute apart; batches a few tens of milliseconds
apart see the same load. The progress line's share (`handlers.log_contact.progress_line`) is
measured separately.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def worker(root: str, url: str) -> None:
    """Load `root`'s pipeline on `url`; for every batch size read on stdin, print the figures."""
    sys.path.insert(0, root)
    from sqlalchemy import event

    import handlers.log_contact as log_contact
    from bench.webhook_bench import contact_log
    from bench.webhook_setup import OFFICIALS, person_names
    from bot.app import create_app
    from bot.conversation import conversation_of
    from bot.runtime import Runtime
    from bot.settings import Settings
    from handlers.context import Incoming
    from storage.models import utcnow

    progress = [0.0]
    line = log_contact.progress_line

    def timed(turn):  # type: ignore[no-untyped-def]
        began = time.process_time()
        try:
            return line(turn)
        finally:
            progress[0] += time.process_time() - began

    log_contact.progress_line = timed
    runtime = Runtime(Settings(database_url=url))
    conv = conversation_of(create_app(runtime=runtime))
    statements = [0]
    event.listen(runtime.engine, "before_cursor_execute", lambda *_a: statements.__setitem__(0, statements[0] + 1))
    names, openids = person_names(), [f"o_bench_{i}" for i in range(OFFICIALS)]
    first, i, not_logged = int(time.time()) * 1_000_000, 0, 0

    def one() -> None:
        nonlocal i, not_logged
        openid, text = contact_log(i, openids, names)
        msg_id = str(first + i)
        reply = conv.handle(Incoming(openid=openid, dedupe_key=msg_id, kind="text",
                                     received_at=utcnow(), text=text, msg_id=msg_id))  # fmt: skip
        not_logged += not (reply.text or "").startswith("已记录")
        i += 1

    for _ in range(50):
        one()
    print("ready", flush=True)
    for request in sys.stdin:
        n = int(request)
        statements[0], progress[0] = 0, 0.0
        began = time.process_time()
        for _ in range(n):
            one()
        cpu = (time.process_time() - began) / n * 1000
        print(f"{cpu:.4f} {statements[0] / n:.2f} {progress[0] / n * 1000:.4f} {not_logged}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root_a")
    parser.add_argument("url_a")
    parser.add_argument("root_b")
    parser.add_argument("url_b")
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--batch", type=int, default=50, help="messages per batch")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.root_a, args.url_a)
        return
    procs = {}
    for root, url in ((args.root_a, args.url_a), (args.root_b, args.url_b)):
        root = str(Path(root).resolve())
        subprocess.run([sys.executable, f"{root}/bench/webhook_setup.py", url], capture_output=True, check=True)
        proc = subprocess.Popen([sys.executable, __file__, root, url, root, url, "--worker"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        procs[root] = proc
    cpu: dict[str, list[float]] = {root: [] for root in procs}
    progress: dict[str, list[float]] = {root: [] for root in procs}
    statements: dict[str, str] = {}
    order = list(procs)
    for b in range(args.batches):
        for root in order if b % 2 == 0 else order[::-1]:
            proc = procs[root]
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(f"{args.batch}\n")
            proc.stdin.flush()
            ms, n, prog, not_logged = proc.stdout.readline().split()
            if not_logged != "0":
                raise SystemExit(f"{root}: {not_logged} messages were not logged (database not fresh?)")
            cpu[root].append(float(ms))
            progress[root].append(float(prog))
            statements[root] = n
    for root, proc in procs.items():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
        med, prog = statistics.median(cpu[root]), statistics.median(progress[root])
        print(f"{root}: median_cpu_ms_per_message={med:.2f}  min={min(cpu[root]):.2f}  "
              f"sql_statements_per_message={statements[root]}  "
              f"progress_line_ms={prog:.2f} ({prog / med:.0%})  batches={args.batches}x{args.batch}")  # fmt: skip
    a, b = (statistics.median(cpu[root]) for root in order)
    print(f"ratio second/first (medians): {b / a:.2f}")


if __name__ == "__main__":
    main()
