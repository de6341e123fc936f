"""The one Chinese name of every stored code (channel, status, need category …).

Chat replies, pushes, the dashboard and the exported ledgers all use these, so a 诉求 has the
same name wherever an official or a household meets it.
"""

from __future__ import annotations

CHANNELS = {"home_visit": "入户", "phone": "电话", "wechat": "微信", "video": "视频", "sms": "短信"}
NO_CHANNEL = "未说明"
CONTACT_STATUSES = {"normal": "正常", "concern": "有困难", "urgent": "紧急", "unreachable": "未联系上"}
NEEDS = {
    "rehabilitation": "康复",
    "assistive_device": "辅具",
    "medical": "就医",
    "employment": "就业",
    "education": "上学",
    "subsistence": "生活救助",
    "subsidy": "补贴",
    "housing": "住房",
    "care": "照料",
    "safety": "安全隐患",
    "psychological": "心理疏导",
    "certificate": "办证",
    "other": "其他",
    "complaint": "投诉",  # a household's complaint about a worker: a ticket for the township
}
NEED_STATUSES = {"open": "待办理", "in_progress": "办理中", "resolved": "已办结", "referred": "已转介", "withdrawn": "已撤回"}
URGENCY = {"normal": "一般", "urgent": "紧急"}
