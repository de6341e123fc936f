"""Every Chinese sentence the conversation sends, in one place for review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from storage import labels

CHANNEL = {
    "home_visit": "入户走访",
    "phone": "电话联系",
    "wechat": "微信联系",
    "video": "视频联系",
    "sms": "短信联系",
    None: "联系",
}
STATUS = {**labels.CONTACT_STATUSES, "normal": "情况正常", "unreachable": "未联系上"}
NEED = labels.NEEDS
NEED_STATUS = labels.NEED_STATUSES
WEEKDAY = "一二三四五六日"


def day(d: dt.date, today: dt.date | None = None) -> str:
    """"12月3日（周四）"; with the year when `today` is given and the date is in another year."""
    year = f"{d.year}年" if today is not None and d.year != today.year else ""
    return f"{year}{d.month}月{d.day}日（周{WEEKDAY[d.weekday()]}）"


def short_day(d: dt.date | None, today: dt.date | None = None) -> str:
    """"11月3日"; with the year when it is not `today`'s year."""
    if d is None:
        return NEVER
    if today is not None and d.year != today.year:
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.month}月{d.day}日"


def year_day(d: dt.date, today: dt.date) -> str:
    """"11月1日", with the year when it is not this year's ("2025年12月1日")."""
    return short_day(d) if d.year == today.year else f"{d.year}年{short_day(d)}"


def needs_list(codes: Iterable[str]) -> str:
    return "、".join(NEED.get(c, c) for c in codes)


# --- binding -------------------------------------------------------------------------------
UNBOUND = (
    "您好，这里是“连心”残疾人联系服务平台。\n"
    "工作人员：请发送“绑定 六位数字”（绑定码向乡镇残联索取）。\n"
    "残疾人家属：请扫描联系卡上的二维码，或发送“绑定”加联系卡上的 12 位绑定码。"
)
WELCOME = "欢迎关注“连心”。\n" + UNBOUND.split("\n", 1)[1]
UNBOUND_KEPT = "您说的情况已记下。绑定后会请您确认，再转给负责的工作人员。"
UNBOUND_URGENT = "如有危险请立即拨打 120 或 110！"
UNBOUND_STILL_KEPT = "您之前说的情况已记下，绑定后即可转给负责的工作人员。"
ASK_FILE_KEPT = "您绑定前说过：{words}。要把它登记为{name}的诉求吗？回复“是”登记，回复“否”不登记。"
KEPT_NOT_FILED = "好的，没有登记。有困难可以随时直接发文字或语音。"
BIND_BAD_CODE = "绑定码“{code}”无效或已过期。请核对后重发（还可再试{left}次），或向乡镇残联重新索取。"
BIND_LOCKED = "绑定码错误次数太多，已暂停绑定一小时。请核对联系卡或向村残协专职委员、乡镇残联确认后再试。"
BIND_NO_CODE = "请发送“绑定”加绑定码，例如“绑定 123456”（工作人员）或联系卡上的 12 位码。"
BIND_OFFICIAL_OK = "绑定成功：{name}（{unit}）。\n现在可以直接发访视记录，例如“张三 电话 正常”。发“帮助”查看用法。"
BIND_OFFICIAL_AGAIN = "您已绑定为{name}，无需重复绑定。发“帮助”查看用法。"
BIND_HOUSEHOLD_OK = (
    "绑定成功：您已关联{name}。\n有困难或需要帮助，直接发文字或语音即可，我们会转给负责的工作人员。"
    "发“进度”可查看办理情况。"
)
BIND_HOUSEHOLD_AGAIN = "您已关联{name}，无需重复绑定。有需要请直接发文字或语音。"

# --- officials -----------------------------------------------------------------------------
HELP_OFFICIAL = (  # {a} {b} {c}: names from the official's own list
    "用法（一条消息记一次联系，可写几个人）：\n"
    "· 记录：{a} 入户 正常 / 昨天 电话 {b} 没人接 / {c} 上门 需要轮椅\n"
    "· 查询：逾期、待访、查询 {a}、本月统计、上个月统计\n"
    "· 撤销：发“撤销”撤回刚才那条消息记的（30分钟内）\n"
    "· 办结诉求：已解决 {a} 轮椅"
)
HELP_NAMES = ("林娟", "姜文斌", "常卫东")  # the demo county's, for an official with no list yet


def help_official(names: Iterable[str]) -> str:
    """The help with examples on names the official really has (three, repeated if fewer)."""
    picked = list(dict.fromkeys(names))[:3] or list(HELP_NAMES)
    a, b, c = (picked * 3)[:3]
    return HELP_OFFICIAL.format(a=a, b=b, c=c)
UNKNOWN_OFFICIAL = "没看懂这条消息。记录联系请写“姓名 方式 情况”，例如“张三 电话 正常”。发“帮助”查看更多用法。"
SMALL_TALK = {
    "greeting": "{name}您好！记访视直接发“姓名 方式 情况”，例如“{example} 入户 正常”；发“帮助”查看全部用法。",
    "thanks": "不客气，辛苦了！有需要随时发消息。",
    "ack": "好的。有需要随时发消息，发“帮助”查看用法。",
}
NO_PERSON = "没看出是哪位。请写上对方姓名，例如“张三 入户 正常”。"
NOT_IN_ROSTER = "没在您负责的名单中找到这个人。{suggest}请核对姓名后重发。"
SUGGEST = "您是不是要找：{names}？"
EMPTY_ROSTER = "您名下还没有负责的残疾人，请联系乡镇残联核对名单。"
ASK_WHICH = "这条记录是哪一位？请回复序号：\n{options}\n回复 0 取消。"
PENDING_CANCELLED = "已取消，这条没有记录。"
PENDING_BAD_CHOICE = "请回复列表中的序号（1–{n}），或回复 0 取消。"
ASK_DUPLICATE = "{day}{name}已有一条{channel}记录。是重复发送吗？\n回复“是”不再记录，回复“否”另记一条。"
DUPLICATE_SKIPPED = "好的，没有重复记录。"
DUPLICATE_ANSWER = "请回复“是”（重复，不记）或“否”（另记一条）。"
LOGGED = "已记录：{day} {name}，{channel}，{status}。"
LOGGED_UNREACHABLE = "已记录：{day} {name}，{channel}未联系上（不计入联系次数），请改日再联系。"
LOGGED_NEEDS = "诉求：{needs}（已登记待办，编号 {ids}）。"
LOGGED_URGENT = "紧急情况已同时报告乡镇残联。"
UNDO_HINT = "记错了请发“撤销”（30分钟内）。"
MULTI_LOGGED = "共记录 {n} 条："
MULTI_SKIPPED = "未记录：“{text}”，{why}请单独重发。"
FUTURE_DATE = "{day}还没到，是不是写错了？这条没有记录，请核对日期后重发。"
PLAN_NOT_LOGGED = "这是计划，还没有联系，所以没有记录。联系之后发“{example}”即可记录。"
NAME_NOT_ON_LIST = "“{name}”不在您的名单中。{where}{suggest}"
NAME_ELSEWHERE = "此人在{village}的名单上。"
NAME_CHECK = "请核对姓名后重发。"
ASK_NAME_FIX = "您写的是“{written}”，名单中有：\n{options}\n是这位吗？请回复序号，回复 0 取消。"
MULTI_UNKNOWN = "未记录：“{name}”不在您的名单中。{where}{suggest}"
MULTI_PLAN = "未记录：“{text}”是计划，还没有联系。"
MULTI_FUTURE = "未记录：{name}，{day}还没到，是不是写错了？"

UNDO_ROW = "{day} {name}，{channel}"
UNDO_OK = "已撤销：{row}。"
UNDO_OK_SEVERAL = "已撤销刚才那条消息记的 {n} 条记录："
UNDO_NEEDS = "随之登记的 {n} 条诉求也已撤销。"
UNDO_NONE = "没有可撤销的记录（只能撤销自己30分钟内的最后一条）。"
UNDO_TOO_LATE = "最后一条记录（{day} {name}）已超过30分钟，不能撤销。如需更正请联系乡镇残联。"

RESOLVE_OK = "已办结：{name}的{needs}诉求。{notified}"
RESOLVE_NOTIFIED = "已通知家属。"
RESOLVE_NONE = "{name}没有待办的{needs}诉求。发“查询 {name}”可查看待办诉求。"
RESOLVE_WHICH = "{name}有多条待办诉求，办结的是哪一条？请回复序号：\n{options}\n回复“全部”办结全部，回复 0 取消。"
RESOLVE_NEED_ROW = "{i}. #{id} {category}：{text}"
RESOLVE_WHO = "要办结的是哪一位的诉求？请回复序号：\n{options}\n回复 0 取消。"
RESOLVE_CANCELLED = "已取消，没有办结任何诉求。"
RESOLVE_NO_PERSON = "请写明是谁的诉求，例如“已解决 张三 轮椅”。"
HOUSEHOLD_NEED_RESOLVED = "您好，{name}的{needs}诉求已办结。如仍有困难，请直接回复说明。"

QUERY_NONE_OVERDUE = "目前没有逾期的人。发“待访”看本期还要联系谁。"
QUERY_NONE_TODO = "本期要联系的人都已完成。"
QUERY_OVERDUE_HEAD = "逾期（共 {n} 人，逾期久的在前）："
QUERY_TODO_HEAD = "待访（共 {n} 人，先到期的在前）："
QUERY_DUE_ROW = "{i}. {name}｜{rule}｜{state}｜最近联系：{last}"
QUERY_DUE_VISIT = "，最近入户：{visit}"
QUERY_MORE = "……另有 {n} 人，完整名单：{url}"
OVERDUE_DAYS = "逾期{days}天"
DUE_SOON_DAYS = "{days}天内到期"
NEVER = "无记录"
QUERY_PERSON_HEAD = "{name}（{village}）"
QUERY_PERSON_CONTACTS = "最近联系：{rows}"
QUERY_PERSON_NO_CONTACTS = "最近联系：无记录"
QUERY_PERSON_NEEDS = "待办诉求：{rows}"
QUERY_PERSON_NO_NEEDS = "待办诉求：无"
QUERY_PERSON_NEXT = "下次应联系：{rows}"
QUERY_PERSON_NEXT_ROW = "{rule}，{state}"
QUERY_PERSON_NONE = "没找到要查询的人。请写“查询 姓名”，例如“查询 张三”。"
STATE_DONE = "本期已完成"
STATE_DUE = "{end}前"
QUERY_STATS = "{period}（{start}—{end}）：记录 {total} 次，成功联系 {ok} 次，其中入户 {home} 次，涉及 {persons} 人。"
PERIOD = {
    "month": "本月", "quarter": "本季度", "year": "本年",
    "last_month": "上月", "last_quarter": "上季度", "last_year": "去年",
}
PROGRESS_ROW = "{rule}：已完成 {done}/{total} 户"
PROGRESS_NO_PAIRING_RULE = "结对 {n} 户：本县政策未规定联系次数（山东、岳阳政策有）"

# --- households ----------------------------------------------------------------------------
HELP_HOUSEHOLD = (
    "有困难或需要帮助，直接发文字或语音告诉我们，例如“轮椅坏了想换一个”。\n"
    "发“进度”查看办理情况。紧急情况请先拨打 120 或 110。"
)
NEED_ACK = "已收到：{name}的诉求（{needs}，编号 {ids}）。已转给{owner}，会尽快联系您。发“进度”查看办理情况。"
NEED_ACK_URGENT = (
    "已收到紧急诉求：{name}，{needs}（编号 {ids}）。已立即通知{owner}和乡镇残联。"
    "危及生命请立即拨打 120 或 110！"
)
NEED_OWNER_FALLBACK = "乡镇残联"
HOUSEHOLD_WHICH = "您关联了多位家人，这件事是关于谁的？请回复序号：\n{options}"
HOUSEHOLD_UNKNOWN = "您好，有困难或需要帮助可以直接发文字或语音告诉我们。发“进度”查看办理情况。"
HOUSEHOLD_NO_NEEDS = "您还没有提交过诉求。有困难请直接发文字或语音告诉我们。"
HOUSEHOLD_PROGRESS_HEAD = "您的诉求办理情况："
HOUSEHOLD_PROGRESS_ROW = "{i}. {date} {name} {category}：{status}"
COMPLAINT_ACK = (
    "已收到您反映的问题（投诉，编号 {ids}）。已转给{handler}核实处理，不会只交给被反映的工作人员。"
    "发“进度”查看办理情况。"
)
COMPLAINT_HANDLER_FALLBACK = "乡镇残联"
WITHDRAW_OK = "已撤回：{name}的诉求（{needs}，编号 {ids}）。如有需要请重新发送。"
WITHDRAW_NONE = "您没有可以撤回的诉求。发“进度”查看办理情况。"
WITHDRAW_TOO_LATE = (
    "{name}的诉求（{needs}，编号 {ids}）已提交超过30分钟，不能自己撤回。"
    "如不再需要，请直接告诉负责的{who}，或回复说明情况。"
)
WITHDRAW_HANDLED = "{name}的诉求（{needs}，编号 {ids}）已有工作人员在办理，不能自己撤回。如不再需要，请直接告诉{who}。"
PUSH_NEED_WITHDRAWN = "诉求已撤回：{name}家属撤回了刚才的诉求（{needs}，编号 {ids}），不用再办理。"
HOUSEHOLD_BIND_ANOTHER = "如需关联另一位家人，请扫描其联系卡上的二维码或发送卡上的绑定码。"

# --- media ---------------------------------------------------------------------------------
VOICE_EMPTY = "抱歉，没听清这段语音。请再说一遍，或者直接打字发送。"
IMAGE = "收到图片，谢谢。图片暂时无法自动识别，请用文字简单说明情况。"
LOCATION = "收到位置信息。请用文字说明需要什么帮助。"
LINK = "收到链接。请用文字说明需要什么帮助。"
VIDEO = "收到视频。视频暂时无法自动识别，请用文字简单说明情况。"
UNSUPPORTED = "暂时只能处理文字和语音消息，请用文字说明。"

# --- pushes --------------------------------------------------------------------------------
PUSH_NEW_NEED = "新诉求：{village}{name}，{needs}。原话：{text}"
PUSH_URGENT_NEED = "紧急诉求：{village}{name}，{needs}。原话：{text}"
PUSH_COMPLAINT = "投诉：{village}{name}家反映工作人员的问题，请乡镇残联核实处理。原话：{text}"
PUSH_COMPLAINT_TITLE = "投诉"
APOLOGY = "抱歉，系统暂时出了点问题，请稍后再发一次。"
SPOOLED = "已收到，稍后处理。"  # the database is away: the message is kept and answered by push
