"""Every field of every line of: the shared examples, our golden set (written before the parser
was tuned), and regressions.jsonl (probe messages written while tuning, each result reviewed by
hand; doubtful ones were left out rather than frozen)."""

from __future__ import annotations

import pytest

from handlers.parsing import load, parse
from tests.parsing.cases import GOLDEN, LOCAL_EXAMPLES, REGRESSIONS, compare, load_cases


@pytest.fixture(scope="module", autouse=True)
def _loaded():
    load()


def _ids(cases):
    return [f"{i}:{c[0][:24]}" for i, c in enumerate(cases)]


EXAMPLE_CASES = load_cases(LOCAL_EXAMPLES)
GOLDEN_CASES = load_cases(GOLDEN)
REGRESSION_CASES = load_cases(REGRESSIONS)


@pytest.mark.parametrize(("text", "role", "roster", "today", "expect"), EXAMPLE_CASES, ids=_ids(EXAMPLE_CASES))
def test_examples(text, role, roster, today, expect):
    assert compare(parse(text, roster, role=role, today=today).to_json(), expect) == {}


@pytest.mark.parametrize(("text", "role", "roster", "today", "expect"), GOLDEN_CASES, ids=_ids(GOLDEN_CASES))
def test_golden(text, role, roster, today, expect):
    assert compare(parse(text, roster, role=role, today=today).to_json(), expect) == {}


@pytest.mark.parametrize(("text", "role", "roster", "today", "expect"), REGRESSION_CASES, ids=_ids(REGRESSION_CASES))
def test_regressions(text, role, roster, today, expect):
    assert compare(parse(text, roster, role=role, today=today).to_json(), expect) == {}


def test_golden_set_is_large_and_covers_every_code():
    assert len(GOLDEN_CASES) >= 400
    seen = {code for *_, e in GOLDEN_CASES for code in e.get("needs", [])}
    assert seen == {"rehabilitation", "assistive_device", "medical", "employment", "education",
                    "subsistence", "subsidy", "housing", "care", "safety", "psychological",
                    "certificate"}
    assert {e["intent"] for *_, e in GOLDEN_CASES} == {
        "contact", "need", "query", "undo", "help", "bind", "resolve", "unknown"}
    assert {e.get("channel") for *_, e in GOLDEN_CASES} >= {"home_visit", "phone", "wechat", "video", "sms", None}
