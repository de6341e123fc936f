"""Import speed and memory: 100,000 persons into a fresh SQLite file through the real CLI.

    python -m bench import [--persons 100000] [--repeat 3]

Each run is a `python -m bot.cli import persons` subprocess; peak RSS is that child's
ru_maxrss. The baseline, measured in the same run, is the same import of a tenth of the rows,
so the ratio shows how the import scales (10 = linear).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from storage.roster.id_numbers import make_certificate_no, make_id_number

# The speed table's target for --persons 100000 (docs/benchmarks.md).
TARGET_SECONDS, TARGET_MB = 30, 500

CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
HEADERS = ["姓名", "性别", "出生日期", "残疾类别", "残疾等级", "残疾人证号", "家庭地址", "联系电话",
           "县(区)", "乡镇(街道)", "村(社区)", "低保", "特困", "一户多残", "以老养残", "独居",
           "防返贫监测", "特殊困难", "监护人", "监护人电话", "专职委员手机", "帮扶人手机"]


def village_of(i: int) -> tuple[str, str, str]:
    return "平江县", f"第{i // 2000 % 50}镇", f"第{i // 250}村"


def write_officials(path: Path, persons: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "手机", "角色", "单位", "职务", "职级", "县(区)", "乡镇(街道)", "村(社区)"])
        for v in range(persons // 250 + 1):
            county, township, village = village_of(v * 250)
            w.writerow([f"委员{v}", f"138{v:08d}", "专职委员", f"{village}残协", "专职委员", "其他",
                        county, township, village])
        for c in range(persons // 100 + 1):
            w.writerow([f"干部{c}", f"139{c:08d}", "帮扶干部", "平江县残联", "科员", "其他",
                        "平江县", "", ""])


def write_persons(path: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    used: set[str] = set()
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for i in range(count):
            county, township, village = village_of(i)
            gender = rng.choice("男女")
            birth = dt.date(1930, 1, 1) + dt.timedelta(rng.randrange(30000))
            certified = rng.random() > 0.05
            cert, category, level = "", rng.choice(CATEGORIES), rng.randint(1, 4)
            while certified:
                seq = rng.randrange(500) * 2 + (gender == "男")
                number = make_id_number(f"4306{rng.randrange(10, 99)}", birth, seq)
                if number not in used:
                    used.add(number)
                    cert = make_certificate_no(number, category, level)
                    break
            flag = lambda p: "是" if rng.random() < p else "否"  # noqa: E731
            guardian = rng.random() < 0.3
            w.writerow([
                f"人{i}", gender, birth.isoformat(), category, f"{level}级", cert,
                f"{county}{township}{village}{i % 9}组", f"158{i:08d}", county, township, village,
                flag(0.35), flag(0.05), flag(0.06), flag(0.08), flag(0.1), flag(0.06), "",
                f"监护{i}" if guardian else "", f"136{i:08d}" if guardian else "",
                f"138{i // 250:08d}", f"139{i // 100:08d}" if rng.random() < 0.2 else "",
            ])


def cli(env: dict, *args: str) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds of one `lianxin` subprocess."""
    code = (
        "import resource, runpy, sys; sys.argv = ['lianxin', *sys.argv[1:]];"
        "exit_code = 0\n"
        "try:\n    runpy.run_module('bot.cli', run_name='__main__')\n"
        "except SystemExit as e:\n    exit_code = e.code or 0\n"
        "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(exit_code)"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{args} failed:\n{done.stderr[-2000:]}")
    rss_kb = int(done.stderr.rsplit("RSS", 1)[1].split()[0])
    return elapsed, rss_kb // 1024, cpu


def one_import(work: Path, persons_csv: Path, officials_csv: Path, label: str) -> dict:
    db = work / f"{label}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = dict(os.environ, LIANXIN_DATABASE_URL=f"sqlite:///{db}")
    cli(env, "db", "upgrade")
    cli(env, "import", "officials", str(officials_csv))
    first = cli(env, "import", "persons", str(persons_csv), "--today", "2026-11-22")
    again = cli(env, "import", "persons", str(persons_csv), "--today", "2026-11-22")
    return {"first": first, "again": again}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench import",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results = {}
        for count in (args.persons // 10, args.persons):
            persons_csv, officials_csv = work / f"p{count}.csv", work / f"o{count}.csv"
            write_persons(persons_csv, count)
            write_officials(officials_csv, count)
            runs = [one_import(work, persons_csv, officials_csv, f"r{count}-{i}")
                    for i in range(args.repeat)]
            results[count] = runs
            first = [r["first"][0] for r in runs]
            again = [r["again"][0] for r in runs]
            rss = max(max(r["first"][1], r["again"][1]) for r in runs)
            cpu = statistics.median(r["first"][2] for r in runs)
            print(f"{count:>7} persons ({persons_csv.stat().st_size / 1e6:.1f} MB CSV): "
                  f"first import median {statistics.median(first):.1f} s "
                  f"(runs {', '.join(f'{t:.1f}' for t in first)}; CPU {cpu:.1f} s), "
                  f"re-import (all unchanged) median {statistics.median(again):.1f} s, "
                  f"peak RSS {rss} MB")
        small, large = (statistics.median(r["first"][0] for r in results[c])
                        for c in (args.persons // 10, args.persons))
        print(f"ratio {args.persons} / {args.persons // 10} persons: {large / small:.1f}")
        rss = max(max(r["first"][1], r["again"][1]) for r in results[args.persons])
        verdict = ("met" if large < TARGET_SECONDS and rss < TARGET_MB else "NOT met"
                   ) if args.persons >= 100_000 else "not judged below 100,000 persons"
        print(f"target (100,000 persons): < {TARGET_SECONDS} s and < {TARGET_MB} MB — "
              f"{args.persons} persons: {large:.1f} s, {rss} MB, {verdict}")
