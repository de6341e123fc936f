"""Properties of the parser over arbitrary text: total, deterministic, blind to padding."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.parsing import load, parse
from handlers.parsing.result import INTENTS

ROSTER = ["张三", "李四", "王五", "王春梅", "司马红", "刘德明", "胡志强", "李小燕"]
TODAY = dt.date(2026, 11, 25)

# Chinese-heavy text with the vocabulary's characters, digits, punctuation and emoji mixed in.
chinese = st.text(
    alphabet=st.sampled_from(list("张三李四王五春梅刘德明胡志强小燕老电话微信视频入户上门访视正常没人接关机"
                                  "轮椅低保补贴残疾证漏雨着火摔倒昨天前周一二三号月日.:/-，。；！？ 　\n0123456789😀【】")),
    max_size=60,
)
anything = st.text(max_size=2048)
padding = st.text(alphabet=st.sampled_from(list(" \u3000\n\t,.;:!~、。，；：！…")), max_size=5)


@pytest.fixture(scope="module", autouse=True)
def _loaded():
    load()


@settings(max_examples=200, deadline=None)
@given(st.one_of(anything, chinese), st.sampled_from(["official", "household"]))
def test_never_raises_and_stays_in_contract(text, role):
    result = parse(text, ROSTER, role=role, today=TODAY)
    out = result.to_json()
    assert out["intent"] in INTENTS
    assert out["person"] is None or out["person"] in ROSTER
    assert out["needs"] == sorted(set(out["needs"]))
    assert out["date"] is None or out["date"] <= TODAY.isoformat()


@settings(max_examples=150, deadline=None)
@given(st.one_of(anything, chinese))
def test_deterministic(text):
    assert parse(text, ROSTER, today=TODAY) == parse(text, ROSTER, today=TODAY)


@settings(max_examples=200, deadline=None)
@given(chinese, padding, padding, st.sampled_from(["official", "household"]))
def test_surrounding_whitespace_and_punctuation_do_not_matter(text, before, after, role):
    core = text.strip(" \u3000\n\t,.;:!~、。，；：！…")
    plain = parse(core, ROSTER, role=role, today=TODAY).to_json()
    padded = parse(before + core + after, ROSTER, role=role, today=TODAY).to_json()
    assert padded == plain
