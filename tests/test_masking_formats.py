"""One masking function for every way people write phone and ID numbers (issue #16, hole 7)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.render import full_text
from storage.masking import mask_text

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("written", [
    "13987654321", "139-8765-4321", "139 8765 4321", "+8613911112222", "+86 139 1111 2222",
    "86-139-1111-2222", "１３９８７６５４３２１", "１３９－８７６５－４３２１",
])
def test_mobile_numbers_in_any_format_are_masked(written):
    masked = mask_text(f"家属电话{written}，请联系")
    digits = re.sub(r"\D", "", masked.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    assert "****" in masked
    assert len(digits) <= 9  # at most the first three and last four survive (and 86)


@pytest.mark.parametrize("written", [
    "430626196511277519", "430626 19651127 751X", "43062619651127751x", "4306261965112775191 1",
    "４３０６２６１９６５１１２７７５１Ｘ", "43062619651127751X12",
])
def test_id_numbers_in_any_format_are_masked(written):
    masked = mask_text(f"身份证 {written} 已核")
    assert "19651127" not in masked.replace(" ", "") and "****" in masked


def test_dates_amounts_and_short_numbers_are_left_alone():
    text = "2026-12-05 补贴1200元，编号 1234567，11月20日"
    assert mask_text(text) == text


def test_a_push_masks_the_household_s_words():
    message = {"kind": "need", "text": "轮椅坏了，联系139 8765 4321", "title": "新诉求"}
    assert "8765 4321" not in full_text(message) and "139****4321" in full_text(message)


SEPARATORS = st.sampled_from(["", " ", "-", "－", "　", "."])


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), SEPARATORS, st.booleans(),
       st.booleans())
def test_no_mobile_survives_any_separator(number, sep, full_width, prefixed):
    written = f"{number[:3]}{sep}{number[3:7]}{sep}{number[7:]}"
    if full_width:
        written = written.translate(FULL_WIDTH)
    if prefixed:
        written = "+86 " + written
    masked = mask_text(f"电话：{written}。").translate(
        str.maketrans("０１２３４５６７８９", "0123456789"))
    assert number not in re.sub(r"\D", "", masked)


@given(st.from_regex(r"[1-6][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])[0-9]{3}[0-9X]",
                     fullmatch=True), SEPARATORS)
def test_no_id_survives_any_separator(number, sep):
    written = f"{number[:6]}{sep}{number[6:14]}{sep}{number[14:]}"
    masked = mask_text(f"证号{written}")
    assert number[6:14] not in re.sub(r"[^0-9X]", "", masked)
