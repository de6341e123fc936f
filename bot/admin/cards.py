"""联系卡 (seed 003 附件3) for a village, as one PDF: per person, the household's card (the
official's contacts and a QR code to bind WeChat) and the worker's card (the person's contacts)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from bot.admin import texts

FONT = "STSong-Light"  # a CID font every PDF reader has; no font file to ship
CARDS_PER_PAGE = 3


@dataclass(frozen=True)
class Card:
    person_name: str
    category: str
    person_phone: str
    difficulty: str
    official_name: str
    unit: str
    department: str
    office_phone: str
    mobile: str
    qr_text: str


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _qr_image(text: str) -> ImageReader:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=6, border=2)
    out.seek(0)
    return ImageReader(out)


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Split text into lines that fit `width` (CJK text has no spaces to break at)."""
    lines, line = [], ""
    for ch in text:
        if line and pdfmetrics.stringWidth(line + ch, FONT, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line or not lines else lines


def _lines(c: Canvas, x: float, y: float, rows: list[tuple[str, str]], width: float) -> None:
    for label, value in rows:
        c.setFont(FONT, 11)
        c.drawString(x, y, f"{label}：")
        c.setFont(FONT, 12)
        for i, part in enumerate(_wrap(value or "", 12, width - 20 * mm)[:2]):
            c.drawString(x + 20 * mm, y - i * 5.5 * mm, part)
            if i:
                y -= 5.5 * mm
        y -= 7.5 * mm


def render_cards(title: str, cards: list[Card]) -> bytes:
    _font()
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle(title)
    page_w, page_h = A4
    margin = 12 * mm
    card_h = (page_h - 2 * margin) / CARDS_PER_PAGE
    half = (page_w - 2 * margin) / 2
    for i, card in enumerate(cards):
        slot = i % CARDS_PER_PAGE
        if i and slot == 0:
            c.showPage()
        top = page_h - margin - slot * card_h
        c.setDash(3, 3)
        c.rect(margin, top - card_h + 2 * mm, half - 2 * mm, card_h - 4 * mm)
        c.rect(margin + half + 2 * mm, top - card_h + 2 * mm, half - 2 * mm, card_h - 4 * mm)
        c.setDash()
        x = margin + 4 * mm
        c.setFont(FONT, 13)
        c.drawString(x, top - 9 * mm, "结对帮扶联系卡（帮扶对象家庭留存）")
        _lines(c, x, top - 18 * mm, [
            ("姓    名", card.official_name), ("工作单位", card.unit), ("工作部门", card.department),
            ("办公电话", card.office_phone), ("移动手机", card.mobile),
        ], half - 36 * mm)
        qr = 30 * mm
        c.drawImage(_qr_image(card.qr_text), margin + half - qr - 5 * mm, top - 14 * mm - qr, qr, qr)
        c.setFont(FONT, 9)
        c.drawString(x, top - card_h + 7 * mm,
                     texts.CARD_SCAN_OR_SEND.format(text=card.qr_text) + f"（{card.person_name}家）")
        x2 = margin + half + 6 * mm
        c.setFont(FONT, 13)
        c.drawString(x2, top - 9 * mm, "结对帮扶联系卡（残疾人工作者留存）")
        _lines(c, x2, top - 18 * mm, [
            ("姓    名", card.person_name), ("残疾类别", card.category),
            ("联系电话", card.person_phone), ("主要困难", card.difficulty),
        ], half - 8 * mm)
    if not cards:
        c.setFont(FONT, 14)
        c.drawString(margin, page_h - 30 * mm, "该村（社区）没有需要制卡的残疾人。")
    c.showPage()
    c.save()
    return out.getvalue()
