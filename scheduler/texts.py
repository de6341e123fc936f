"""Every Chinese sentence the scheduler sends or prints, in one place for review."""

from __future__ import annotations

from storage import labels

STATUS = {"overdue": "逾期", "due_soon": "临期", "due": "待访", "done": "已完成"}
URGENCY = labels.URGENCY

TITLE = {
    "digest": "访视提醒",
    "festival": "节日问候提醒",
    "need_followup": "诉求待跟进",
    "need_escalation": "诉求督办",
    "pairing_review": "结对到期复核",
    "quarterly_report": "季度联系通报",
}

DIGEST_HEAD = "今日访视提醒：逾期{overdue}人，临期{due_soon}人。"
DIGEST_LINE = "{name}（{rule}，{status}，最近联系{last}{visit}）"
DIGEST_VISIT = "，最近入户{day}"
NEVER = "无记录"
DIGEST_SUMMARY = "逾期{overdue}人 临期{due_soon}人"
FESTIVAL = "{date}是{name}，请问候以下{count}户残疾人家庭："
FESTIVAL_PERSON = {"pairing": "{name}（结对）", "jurisdiction": "{name}"}
FESTIVAL_SUMMARY = "{name} {date} 问候{count}户"
NEED_LINE = "{person}：{category}（{urgency}，{created}登记）"
NEED_FOLLOWUP = "以下诉求已多日未处理，请跟进："
NEED_ESCALATION = "以下诉求超期未处理，请督办："
NEED_SUMMARY = "{person}的诉求未处理"
REVIEW = "以下结对已满期，请复核："
REVIEW_LINE = "{name}（帮扶人{cadre}，自{since}）"
REVIEW_SUMMARY = "{count}个结对待复核"
REPORT = "{quarter}联系通报：已联系{done}/{total}。"
REPORT_LATE = "滞后单位：{units}"
REPORT_QUOTA = "结对户数不足：{names}"
REPORT_QUOTA_ITEM = "{name}（{rank}，{pairings}/{quota}户）"
REPORT_SUMMARY = "{quarter} 已联系{done}/{total}"
MORE = "详情请点开查看。"
