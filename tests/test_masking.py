import logging

from storage.masking import MaskingFilter, mask_id, mask_phone, mask_text


def test_mask_phone_and_id():
    assert mask_phone("13812340001") == "138****0001"
    assert mask_id("43062619600211001341") == "430626**********1341"
    assert mask_id("43062619501225012X") == "430626********012X"


def test_mask_text_finds_numbers_in_free_text():
    s = mask_text("张三 证号43062619600211001341 电话15812340000 座机0730-1234567")
    assert "43062619600211001341" not in s and "15812340000" not in s and "1234567" not in s
    assert "158****0000" in s


def test_logging_filter_masks_formatted_args(caplog):
    logger = logging.getLogger("lianxin.test")
    with caplog.at_level(logging.INFO, logger="lianxin.test"):
        caplog.handler.addFilter(MaskingFilter())
        logger.info("from %s", "13812340001")
    assert "13812340001" not in caplog.text
    assert "138****0001" in caplog.text


def test_installed_masking_covers_every_handler(caplog):
    from storage.masking import install_log_masking

    install_log_masking()
    install_log_masking()  # idempotent
    with caplog.at_level(logging.INFO, logger="lianxin.any"):
        logging.getLogger("lianxin.any").info("证号 %s", "43062619600211001341")
    assert "43062619600211001341" not in caplog.text


# --- Numbers as people really write them (#16 hole 7) ----------------------------------------

import re  # noqa: E402

import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from storage.masking import normalise_number  # noqa: E402

SEPARATORS = [" ", "-", "－", "—", "–", "　", ".", "·", "/", " - ", "\u00a0", "\n"]
FULL = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
WORDS = st.sampled_from(["", "电话", "手机：", "身份证号", "，他儿子", "tel", "x", "号码是", "。", "（", "）"])


@pytest.mark.parametrize("written", [
    "139-8765-4321", "139 8765 4321", "+8613987654321", "86-139-8765-4321", "0086 13987654321",
    "（+86）139 8765 4321", "１３９８７６５４３２１", "１３９－８７６５－４３２１", "139.8765.4321",
    "tel13987654321", "13987654321x",
])
def test_mobile_formats_are_masked(written):
    masked = mask_text(f"请打{written}找他")
    assert "13987654321" not in normalise_number(masked)
    assert "139****4321" in masked


@pytest.mark.parametrize("written", [
    "430626 19651127 751X", "430626-19651127-751x", "43062619651127751x", "４３０６２６１９６５１１２７７５１Ｘ",
    "430626 1965 1127 751X", "43062619651127751X11",
])
def test_id_formats_are_masked(written):
    masked = mask_text(f"身份证{written}，住五里村")
    assert "19651127" not in normalise_number(masked)
    assert masked.startswith("身份证430626*") and masked.endswith("，住五里村")


def test_ordinary_numbers_stay():
    for text in ["3.5 斤米", "2026-11-20 上午", "轮椅 2 台，共 1200 元", "第 12 组 3 号", "3x5=15"]:
        assert mask_text(text) == text


def _split(digits: str, cuts: list[int]) -> list[str]:
    points = sorted({c % len(digits) for c in cuts if c % len(digits)})
    return [digits[a:b] for a, b in zip([0, *points], [*points, len(digits)], strict=True)]


@st.composite
def written_number(draw, digits: str) -> str:
    parts = _split(digits, draw(st.lists(st.integers(1, 40), max_size=10)))
    seps = [draw(st.sampled_from(SEPARATORS)) for _ in parts]
    text = "".join(p + s for p, s in zip(parts, seps, strict=True))[: -len(seps[-1])]
    if draw(st.booleans()):
        text = text.translate(FULL)
    if draw(st.booleans()):
        text = text.lower()
    return text


MOBILES = st.builds(lambda second, rest: f"1{second}{rest:09d}", st.integers(3, 9), st.integers(0, 10**9 - 1))
IDS = st.builds(lambda body, last: f"{body:017d}{last}", st.integers(10**16, 10**17 - 1),
                st.sampled_from("0123456789Xx"))


def _survives(number: str, masked: str) -> bool:
    """The number's digits in a row once separators and widths are taken away (stars and words
    stay, so two numbers never merge)."""
    folded = re.sub(r"[\s\-‐‑‒–—―−－.．·・/／()（）+＋]", "", masked).translate(
        str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX"))
    return number.upper() in folded


@settings(max_examples=300, deadline=None)
@given(st.data(), st.lists(st.one_of(MOBILES, IDS), min_size=1, max_size=3), st.booleans())
def test_no_mobile_or_id_survives_any_separator_format(data, numbers, country_code):
    pieces = []
    for number in numbers:
        written = data.draw(written_number(number))
        if country_code and len(number) == 11:
            written = data.draw(st.sampled_from(["+86", "86-", "+86 ", "0086"])) + written
        pieces += [data.draw(WORDS), written]
    pieces.append(data.draw(WORDS))
    # words between numbers keep them apart, as a person's sentence does
    text = "".join(p if i % 2 else (p or "，") for i, p in enumerate(pieces))
    masked = mask_text(text)
    for number in numbers:
        assert not _survives(number, masked), (text, masked)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=60))
def test_text_without_digits_is_unchanged(text):
    assert mask_text(text) == text
