"""Parser throughput against bare `jieba.lcut`, and how soon a fresh process can parse.

    python -m bench parse [--messages 10000] [--repeats 5]

Generates realistic officials' and households' messages for a 50-name roster (fixed seed), then in
one run measures bare jieba.lcut over them (jieba's default tokenizer, initialised beforehand) and
the full parser, each the median of several repeats; and the wall time of a fresh
`python -c "from handlers.parsing import load, parse; load(); parse(...)"` (median of 5, after
one run that fills the dictionary cache, whose time is reported too).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import statistics
import subprocess
import sys
import time

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = ["建国", "秀兰", "桂芝", "德明", "春梅", "志强", "小燕", "大山", "玉兰", "国庆", "秀英", "金花",
         "大勇", "红梅", "玉珍", "建军", "丽", "明", "芳", "强", "伟", "军", "静", "敏"]
CHANNELS = ["电话", "入户", "上门", "微信", "视频", "短信", "走访", "访视", "电联", "微信视频", "家访", ""]
STATES = ["正常", "一切正常", "挺好的", "身体还行", "没人接", "关机", "家里没人", "不在家", "没有困难",
          "低保已经办好了", "已享受两项补贴", "想申请轮椅", "房子漏雨", "孩子上学有困难", "想找个工作",
          "护理补贴没领到", "情绪不太好", "需要康复训练", "电线老化有安全隐患", "独居没人照顾",
          "还没有残疾证", "病重住院 急需救助", "家里快断粮了", "摔倒了"]
DATES = ["", "", "", "昨天", "前天", "上周五", "周一", "11月20日", "11.18", "20号", "3天前", "上个月28号"]
HOUSEHOLD = ["需要一个轮椅", "家里着火了", "我想申请低保", "我妈摔倒了快来人", "孩子今年该上学了但是学校不收",
             "护理补贴什么时候发", "谢谢", "我的诉求怎么样了", "房子漏雨了能不能帮忙修一下", "想找个公益岗位"]
OTHER = ["逾期名单", "待访", "本月统计", "帮助", "撤销", "绑定 123456", "早上好", "访视记录怎么填"]


def roster(rng: random.Random, size: int = 50) -> list[str]:
    names: set[str] = set()
    while len(names) < size:
        names.add(rng.choice(SURNAMES) + rng.choice(GIVEN))
    return sorted(names)


def messages(rng: random.Random, names: list[str], count: int) -> list[tuple[str, str]]:
    """(text, role) pairs: mostly contact logs in varied order and spacing, some others."""
    out: list[tuple[str, str]] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.08:
            out.append((rng.choice(HOUSEHOLD), "household"))
            continue
        if roll < 0.12:
            out.append((rng.choice(OTHER), "official"))
            continue
        name = rng.choice(names)
        if rng.random() < 0.15:
            name = rng.choice(["老", "小"]) + name[0] if rng.random() < 0.5 else name[0] + "大爷"
        parts = [rng.choice(DATES), rng.choice(CHANNELS), name, rng.choice(STATES)]
        if rng.random() < 0.5:
            parts[1], parts[2] = parts[2], parts[1]
        sep = rng.choice([" ", "", "，", " "])
        text = sep.join(p for p in parts if p)
        if rng.random() < 0.1:
            other = rng.choice(names)
            text += f"；{other} {rng.choice(CHANNELS)} {rng.choice(STATES)}"
        out.append((text, "official"))
    return out


def _rates(run, count: int) -> tuple[float, float]:
    """(messages per wall-clock second, messages per CPU second of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return count / (time.perf_counter() - wall), count / (time.process_time() - cpu)


def time_to_ready(repeats: int = 5) -> tuple[float, float, float]:
    """(first run's wall time, median wall time, median CPU time) of a fresh parsing process."""
    code = ("import time; c = time.process_time(); from handlers.parsing import load, parse; load(); "
            "parse('访视 张三 电话 正常', ['张三']); print(time.process_time() - c)")
    walls, cpus = [], []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code], check=True,
                              capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        cpus.append(float(done.stdout.strip()))
    return walls[0], statistics.median(walls[1:]), statistics.median(cpus[1:])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench parse", description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)

    import jieba

    from handlers.parsing import load, parse

    jieba.setLogLevel(logging.WARNING)
    rng = random.Random(20261122)
    names = roster(rng)
    batch = messages(rng, names, args.messages)
    texts = [t for t, _ in batch]
    today = dt.date(2026, 11, 25)

    jieba.initialize()
    load()
    jieba_runs, parse_runs = [], []
    for _ in range(args.repeats):  # interleaved, so both see the same machine load
        jieba_runs.append(_rates(lambda: [jieba.lcut(t) for t in texts], len(texts)))
        parse_runs.append(_rates(lambda: [parse(t, names, role=r, today=today) for t, r in batch],
                                 len(texts)))
    jieba_wall = statistics.median(r[0] for r in jieba_runs)
    jieba_cpu = statistics.median(r[1] for r in jieba_runs)
    parse_wall = statistics.median(r[0] for r in parse_runs)
    parse_cpu = statistics.median(r[1] for r in parse_runs)
    first, ready, ready_cpu = time_to_ready()
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"messages: {len(texts)}, roster: {len(names)} names, repeats: {args.repeats}, "
          f"load average: {load_avg:.1f} on {os.cpu_count()} CPUs")
    print(f"bare jieba.lcut: {jieba_wall:,.0f} msg/s wall, {jieba_cpu:,.0f} msg/s CPU (medians)")
    print(f"full parse:      {parse_wall:,.0f} msg/s wall, {parse_cpu:,.0f} msg/s CPU (medians)")
    print(f"ratio parse/jieba: {parse_wall / jieba_wall:.2f} wall, {parse_cpu / jieba_cpu:.2f} CPU")
    print(f"time to ready (fresh process, median of 5): {ready:.2f} s wall, {ready_cpu:.2f} s CPU; "
          f"first run: {first:.2f} s")
