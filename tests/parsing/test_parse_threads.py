"""Concurrent parses with different rosters agree with serial ones (jieba is only read)."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from handlers.parsing import load, parse

TODAY = dt.date(2026, 11, 25)
ROSTERS = [
    ["张三", "李四", "王五"],
    ["王春梅", "王五", "胡志强"],
    ["刘德明", "李小燕", "李四"],
    [],
]
MESSAGES = [
    "访视 张三 电话 正常", "老王 上门 正常", "刘德民 入户 房子漏雨", "小燕 电话 想做康复",
    "老胡家看了下，轮椅坏了", "章三 电话 关机", "李大爷 微信 正常", "张三 电话 正常；李四 入户 要轮椅",
    "国庆节前去王五家看了看", "胡志祥 电话 低保已经办好了",
]


def test_threads_with_different_rosters_match_serial_results():
    load()
    jobs = [(m, r) for _ in range(20) for r in ROSTERS for m in MESSAGES]
    serial = [parse(m, r, today=TODAY) for m, r in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda job: parse(job[0], job[1], today=TODAY), jobs))
    assert threaded == serial
    # A name is only a person for the roster that holds it.
    assert parse("访视 张三 电话 正常", ROSTERS[1], today=TODAY).person is None
    assert parse("访视 张三 电话 正常", ROSTERS[0], today=TODAY).person == "张三"


def test_parsing_leaves_jiebas_default_tokenizer_alone():
    import jieba

    before = (jieba.dt.initialized, len(jieba.dt.FREQ))
    load()
    parse("刘德民 入户 房子漏雨", ["刘德明"], today=TODAY)
    assert (jieba.dt.initialized, len(jieba.dt.FREQ)) == before
