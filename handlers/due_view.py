"""The due/overdue verdicts (`storage.rules`, through `storage.due`) as the chat shows them."""

from __future__ import annotations

from handlers import texts
from handlers.context import Turn
from storage.due import RuleStatus, person_rule_status, progress, unjudged
from storage.rules import period_bounds


def _rule_period(turn: Turn, rule_id: str) -> str | None:
    for rules in turn.deps.rules_by_county.values():
        for rule in rules:
            if rule.id == rule_id:
                return rule.period
    return None


def state_text(turn: Turn, row: RuleStatus) -> str:
    if row.status == "overdue":
        return texts.OVERDUE_DAYS.format(days=row.days_overdue)
    if row.status == "done":
        return texts.STATE_DONE
    period = _rule_period(turn, row.rule_id)
    if period is None:
        return row.status
    end = period_bounds(period, turn.today)[1]
    if row.status == "due_soon":
        return texts.DUE_SOON_DAYS.format(days=(end - turn.today).days + 1)
    return texts.STATE_DUE.format(end=texts.short_day(end, turn.today))


def last_text(turn: Turn, row: RuleStatus) -> str:
    """最近联系 (any successful contact), and 最近入户 where the rule needs home visits."""
    text = texts.short_day(row.last_contact, turn.today)
    if row.home_visit_only:
        text += texts.QUERY_DUE_VISIT.format(visit=texts.short_day(row.last_visit, turn.today))
    return text


def official_due(turn: Turn, official_id: int, statuses: tuple[str, ...]) -> list[RuleStatus]:
    return person_rule_status(turn.session, turn.deps.rules_by_county, turn.today,
                              official_id=official_id, statuses=statuses)


def person_rules(turn: Turn, official_id: int, person_id: int) -> list[RuleStatus]:
    return person_rule_status(turn.session, turn.deps.rules_by_county, turn.today,
                              official_id=official_id, person_id=person_id)


def progress_line(turn: Turn) -> str | None:
    """e.g. "每季度入户：已完成 12/15 户" for each rule of the official's persons."""
    official = turn.identity.official
    if official is None or not turn.deps.rules_by_county:
        return None
    rows = progress(turn.session, turn.deps.rules_by_county, turn.today, official.id)
    parts = [texts.PROGRESS_ROW.format(rule=p.rule_label, done=p.done, total=p.total) for p in rows]
    if official.role == "cadre":  # a cadre's pairings may fall under a preset without a quota
        paired = unjudged(turn.session, turn.deps.rules_by_county, turn.today, official.id)
        if paired.get("pairing"):
            parts.append(texts.PROGRESS_NO_PAIRING_RULE.format(n=paired["pairing"]))
    return "；".join(parts) or None
