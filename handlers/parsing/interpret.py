"""From one normalised message to a ParseResult: the order in which the parser decides."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from handlers.parsing import channels, dates, intents, lexicon, names, split, tokenizer
from handlers.parsing.lexicon import Hit
from handlers.parsing.needs import Assessment, assess
from handlers.parsing.result import ParseResult
from handlers.parsing.text import normalize

# What may surround a bare name in a question about that person: "王五情况", "看看钱七", "老周呢".
_QUERY_RESIDUE = re.compile(
    r"^(?:查|查询|查看|看看|看一下|看下)?\s*(?:的)?\s*(?:最近|近期|现在)?\s*"
    r"(?:情况|近况|记录|信息|资料|档案|怎么样了?|咋样了?)?\s*[呢吗啊呀?]*$"
)


_QUESTION = re.compile(r"(?:[?呢吗]|没有|没|进度|进展|怎么样了?)[?]*$")
_RECENT = re.compile(r"本周|这周|这一周|今天|近期|最近")


class Message:
    """The normalised message: its jieba tokens (segmented once, only if asked), its roster names."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.unnamed = text  # the text with roster names blanked out, for dates
        self._spans: list[tuple[int, int]] | None = None
        self._starts: dict[int, int] = {}

    def spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            self._spans = tokenizer.spans(self.text)
            self._starts = dict(self._spans)
        return self._spans

    def whole_token(self, start: int, end: int) -> bool:
        self.spans()
        return self._starts.get(start) == end


def _mask(text: str, mentions: Sequence[names.Mention]) -> str:
    for m in mentions:
        text = text[: m.start] + "\0" * (m.end - m.start) + text[m.end :]
    return text


Who = tuple[str | None, tuple[str, ...], str | None]


def _who(mentions: Sequence[names.Mention]) -> Who:
    """(roster name, candidates, name as written when it is not a roster name to accept)."""
    if not mentions:
        return None, (), None
    first = mentions[0]
    return (first.person, (), None) if first.person else (None, first.names, first.written)


def _only_names(text: str, mentions: Sequence[names.Mention]) -> bool:
    """A message that is just a name (张三? / 老胡呢): asking about that person."""
    rest = _mask(text, mentions).replace("\0", "")
    return bool(_QUERY_RESIDUE.match(rest.strip(" ,.?!;:")))


def _within(hits: Sequence[Hit], start: int, end: int) -> list[Hit]:
    return [h for h in hits if start <= h.start < end]


def _contact(
    text: str, start: int, end: int, hits: Sequence[Hit], seg: Message,
    who: Who, today: dt.date, previous: ParseResult | None,
    found: Assessment | None = None, date: dt.date | bool | None = False,
) -> ParseResult:
    """One contact from text[start:end]; `found` and `date` when the caller already knows them."""
    found = found or assess(text, hits, seg.whole_token)
    if date is False:
        date = dates.find_date(seg.unnamed[start:end], today)
    assert date is None or isinstance(date, dt.date)
    channel = channels.channel(text, hits, start, end)
    if previous is not None:
        date = date or previous.date
        channel = channel or previous.channel
    return ParseResult(
        intent="contact", person=who[0], candidates=who[1], channel=channel,
        status=found.status, needs=found.needs, date=date or today, text=text[start:end], name=who[2],
    )


_SEVERITY = {"normal": 0, "concern": 1, "urgent": 2, "unreachable": 3}


def _merge_same_person(records: list[ParseResult]) -> list[ParseResult]:
    """"电话联系了张三和李四，张三正常，李四想办残疾证": one record per person, facts combined."""
    merged: list[ParseResult] = []
    seen: dict[tuple[str | None, tuple[str, ...], str | None], int] = {}
    for r in records:
        key = (r.person, r.candidates, r.name)
        if key == (None, (), None) or key not in seen:
            seen.setdefault(key, len(merged))
            merged.append(r)
            continue
        old = merged[seen[key]]
        if r.intent == "plan":  # "张三 电话 正常，下次再去张三家": the contact stands, the plan adds nothing
            continue
        if old.intent == "plan":
            merged[seen[key]] = r
            continue
        merged[seen[key]] = ParseResult(
            intent="contact", person=r.person, candidates=r.candidates,
            channel=old.channel or r.channel, date=old.date or r.date,
            status=max(old.status, r.status, key=_SEVERITY.__getitem__),
            needs=tuple(sorted(set(old.needs) | set(r.needs))), text=old.text, name=r.name,
        )
    return merged


def _contacts(
    text: str, mentions: list[names.Mention], hits: list[Hit], seg: Message, today: dt.date,
    raw: str, found: Assessment, date: dt.date | None,
) -> ParseResult:
    records: list[ParseResult] = []
    parts = split.parts(text, mentions) if len(mentions) >= 2 else []
    if sum(len(p.people) for p in parts) >= 2:
        for part in parts:
            part_hits = _within(hits, part.start, part.end)
            first: ParseResult | None = None
            planned = _is_plan(text[part.start:part.end], [
                Hit(h.start - part.start, h.end - part.start, h.word, h.entry) for h in part_hits])
            for person in part.people or (None,):
                who = _who([person]) if person else (None, (), None)
                if planned:  # "…；明天再去李四家": this person's part is a plan, never a contact
                    records.append(ParseResult("plan", person=who[0], candidates=who[1],
                                               text=text[part.start:part.end], name=who[2]))
                    continue
                record = _contact(text, part.start, part.end, part_hits, seg, who, today,
                                  records[-1] if records and records[-1].intent == "contact" else None)
                records.append(record)
                first = first or record
    records = _merge_same_person(records)
    if len(records) >= 2:
        top = next((r for r in records if r.intent == "contact"), records[0])
        return ParseResult(
            intent=top.intent, person=top.person, candidates=top.candidates, channel=top.channel,
            status=top.status, needs=top.needs, date=top.date, records=tuple(records), text=raw,
            name=top.name,
        )
    single = _contact(text, 0, len(text), hits, seg, _who(mentions), today, None, found, date)
    return ParseResult(**{**single.__dict__, "text": raw})


def interpret(raw: str, roster: Sequence[str], role: str, today: dt.date) -> ParseResult:
    household = role == "household"
    text = normalize(raw)
    if text and text.strip("? ") == "":
        return ParseResult("help", text=raw)
    if not text:
        return ParseResult("unknown", text=raw)
    is_bind, code = intents.bind(text)
    if is_bind and code:
        return ParseResult("bind", bind_code=code, text=raw)
    # "如何绑定" asks how, it does not bind; "轮椅怎么用" is about a wheelchair, not about us.
    if intents.is_help(text) and (
        intents.is_exact_help(text) or not any(h.entry.need for h in lexicon.scan(text))
    ):
        return ParseResult("help", text=raw)
    if is_bind:
        return ParseResult("bind", text=raw)
    if intents.is_undo(text):
        return ParseResult("undo", text=raw)
    if intents.is_reply_token(text):
        return ParseResult("unknown", text=raw)

    seg = Message(text)
    index = names.index(tuple(roster))
    mentions = names.find_named(text, index, seg.spans, tokenizer.is_word)
    hits = lexicon.scan(_mask(text, mentions))
    if not mentions and index.names and not household:
        blocked = [(h.start, h.end) for h in hits] + dates.date_spans(text)
        mentions = names.find_sound_alike(text, index, blocked, tokenizer.is_word)
    if not household:
        known = [(m.start, m.end) for m in mentions]
        blocked = [(h.start, h.end) for h in hits] + dates.date_spans(text)
        unknown = names.find_unknown(text, known, blocked, tokenizer.is_word)
        if unknown:
            mentions = sorted([*mentions, *unknown], key=lambda m: m.start)
            hits = lexicon.scan(_mask(text, mentions))
    who = _who(mentions)
    seg.unnamed = _mask(text, mentions)

    if household:
        return _household(text, raw, hits, seg, who, today)

    resolve_at = intents.resolve_rest(text)
    if resolve_at is not None:
        needs = tuple(sorted({h.entry.need for h in hits if h.entry.need and h.start >= resolve_at}))
        return ParseResult("resolve", person=who[0], candidates=who[1], needs=needs, text=raw, name=who[2])

    found = assess(text, hits, seg.whole_token)
    date = dates.find_date(seg.unnamed, today)
    contact_words = channels.mentions_contact(text, hits)
    if mentions:
        if intents.starts_with_query_verb(text) or (
            intents.asks_about_person(text)
            and (not found.signals or (not contact_words and _QUESTION.search(text)))
        ):
            return ParseResult("query", person=who[0], candidates=who[1], query="person", text=raw, name=who[2])
        if not (found.signals or contact_words or date) and _only_names(text, mentions):
            return ParseResult("query", person=who[0], candidates=who[1], query="person", text=raw, name=who[2])
    else:
        kind = intents.query_kind(text)
        if kind is None and "情况" in text and (intents.period(text) or _RECENT.search(text) or contact_words):
            kind = "stats"
        if kind is None and intents.period(text) and intents.starts_with_query_verb(text):
            kind = "stats"
        if kind is not None or (intents.starts_with_query_verb(text) and not hits):
            period = intents.period(text) if kind == "stats" else None
            return ParseResult("query", query=kind, period=period, text=raw)
        needs_named = any(h.entry.need for h in hits)
        if not (contact_words or found.status == "unreachable" or needs_named):
            return ParseResult("unknown", text=raw)
    if _is_plan(text, hits):
        channel = next((h.entry.channel for h in hits if h.entry.channel), None)
        if channel is None and channels.mentions_contact(text, []):
            channel = "home_visit"  # 去…家
        return ParseResult("plan", person=who[0], candidates=who[1], channel=channel, text=raw, name=who[2])
    return _contacts(text, mentions, hits, seg, today, raw, found, date)


# A contact still to come: 明天去看…, 下周打算去…家走访, 等会儿给…回个电话, 准备/计划/回头/改天….
_PLAN = re.compile(
    r"明天|明早|明晚|明儿|后天|下周|下个?星期|下个?礼拜|下个?月|下次|下回|改天|过几天|过两天|过些天|"
    r"等会儿?|等一会儿?|待会儿?|一会儿|回头|晚点|晚些|稍后|打算|准备|计划|将去|约好"
)
# What says it already happened: 了 (not 了解/为了/除了/了不起), 过 after a verb, a result word.
_DONE = re.compile(r"(?<![为除])了(?![解不])|[看打去问访]过")


_WITHDRAWN = re.compile(r"(?:不需要|不要|不用|用不着|用不上)了|先不要|暂时不要|不申请了|不办了")
_OUTCOMES = ("unreachable", "reached", "normal", "calm")


def _is_plan(text: str, hits: Sequence[Hit]) -> bool:
    """A contact still to come, not one made: a plan word comes before every contact word, and
    nothing says it has happened (了/过, an outcome such as 正常 or 没人接)."""
    plan = _PLAN.search(text)
    if plan is None or _DONE.search(text) or any(h.entry.status in _OUTCOMES for h in hits):
        return False
    said = [h.start for h in hits if h.entry.channel or h.entry.verb]
    return not said or plan.start() < min(said)


def _household(
    text: str, raw: str, hits: list[Hit], seg: Message,
    who: Who, today: dt.date,
) -> ParseResult:
    if intents.asks_progress(text):
        return ParseResult("query", person=who[0], candidates=who[1], query="progress", text=raw)
    found = assess(text, hits, seg.whole_token, household=True)
    concrete = bool(found.needs) or found.status == "urgent"
    # Thanks for help already given ("谢谢送来的轮椅，很好用") and a need taken back ("轮椅不需要了")
    # are not new needs.
    if found.status != "urgent" and (
        _WITHDRAWN.search(text) or (intents.thanks(text) and not intents.asking(text))
    ):
        return ParseResult("unknown", text=raw)
    if not concrete and (intents.thanks(text) or not (intents.asking(text) or found.status == "concern")):
        return ParseResult("unknown", text=raw)
    status = "urgent" if found.status == "urgent" else "concern"
    return ParseResult(
        intent="need", person=who[0], candidates=who[1], status=status, needs=found.needs,
        date=today, text=raw,
    )
