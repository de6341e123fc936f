"""Turning a queued message into a template message or a customer-service text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scheduler import texts
from storage.masking import mask_text

TEMPLATE_VALUE_MAX = 20


@dataclass(frozen=True)
class TemplateKeywords:
    """The template's keyword names for a title, a one-line summary and a date."""

    title: str = "thing1"
    summary: str = "thing2"
    date: str = "time3"


def short(value: str) -> str:
    """One line of at most 20 characters: what WeChat shows of a template value, cut by us."""
    return " ".join(str(value).split())[:TEMPLATE_VALUE_MAX]


def _counts(message: dict) -> dict[str, int]:
    statuses = [p.get("status") for p in message.get("persons", [])]
    return {"overdue": statuses.count("overdue"), "due_soon": statuses.count("due_soon")}


def _need_line(need: dict) -> str:
    return texts.NEED_LINE.format(
        person=need["person"], category=need["category"],
        urgency=texts.URGENCY.get(need["urgency"], need["urgency"]), created=need["created"],
    )


def summary(message: dict) -> str:
    return mask_text(_summary(message))


def _summary(message: dict) -> str:
    kind = message["kind"]
    if "text" in message:  # pushes written by the conversation (new need, need update)
        return message.get("summary") or message["text"]
    if kind == "digest":
        return texts.DIGEST_SUMMARY.format(**_counts(message))
    if kind == "festival":
        return texts.FESTIVAL_SUMMARY.format(**message["festival"],
                                             count=len(message.get("persons", [])))
    if kind in ("need_followup", "need_escalation"):
        return texts.NEED_SUMMARY.format(person=message["needs"][0]["person"])
    if kind == "pairing_review":
        return texts.REVIEW_SUMMARY.format(count=len(message["persons"]))
    report = message["report"]
    done = sum(c["done"] for c in report["coverage"])
    total = sum(c["total"] for c in report["coverage"])
    return texts.REPORT_SUMMARY.format(quarter=report["quarter"], done=done, total=total)


def full_text(message: dict) -> str:
    """The pushed text; never a full phone or ID number (a household's words may hold one)."""
    return mask_text(_full_text(message))


def _full_text(message: dict) -> str:
    kind = message["kind"]
    if "text" in message:
        return message["text"]
    if kind == "digest":
        lines = [texts.DIGEST_HEAD.format(**_counts(message))]
        lines += [
            texts.DIGEST_LINE.format(
                name=p["name"], rule=p["rule"], status=texts.STATUS[p["status"]],
                last=p["last_contact"] or texts.NEVER,
                visit=texts.DIGEST_VISIT.format(day=p["last_visit"] or texts.NEVER)
                if "last_visit" in p else "",
            )
            for p in message["persons"]
        ]
    elif kind == "festival":
        persons = message.get("persons", [])
        lines = [texts.FESTIVAL.format(**message["festival"], count=len(persons)),
                 "、".join(texts.FESTIVAL_PERSON[p["kind"]].format(name=p["name"])
                          for p in persons)]
    elif kind in ("need_followup", "need_escalation"):
        head = texts.NEED_FOLLOWUP if kind == "need_followup" else texts.NEED_ESCALATION
        lines = [head] + [_need_line(n) for n in message["needs"]]
    elif kind == "pairing_review":
        lines = [texts.REVIEW] + [texts.REVIEW_LINE.format(**p) for p in message["persons"]]
    else:
        report = message["report"]
        done = sum(c["done"] for c in report["coverage"])
        total = sum(c["total"] for c in report["coverage"])
        lines = [texts.REPORT.format(quarter=report["quarter"], done=done, total=total)]
        if report["late_units"]:
            lines.append(texts.REPORT_LATE.format(units="、".join(report["late_units"])))
        if report.get("pairing_quota_short"):
            names = "、".join(texts.REPORT_QUOTA_ITEM.format(**c)
                             for c in report["pairing_quota_short"])
            lines.append(texts.REPORT_QUOTA.format(names=names))
    return "\n".join(lines)


def template_data(message: dict, keywords: TemplateKeywords, day: dt.date) -> dict[str, str]:
    return {
        keywords.title: short(message.get("title") or texts.TITLE.get(message["kind"], "连心")),
        keywords.summary: short(summary(message)),
        keywords.date: short(day.isoformat()),
    }
