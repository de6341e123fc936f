"""Every Chinese word the dashboard shows from Python (templates hold their own static labels)."""

from __future__ import annotations

from storage import labels

LOGIN_FAILED = "用户名或密码不对，或尝试太频繁（请过几分钟再试）。"
LOGIN_REQUIRED = "请先登录。"
LOGGED_OUT = "已退出。"
CSRF_REFUSED = "页面已过期或表单来源不明，请刷新页面后重新提交。"
NOT_FOUND = "没有找到，或不在您的管辖范围内。"
FORBIDDEN = "无权查看。"
LINK_EXPIRED = "链接已失效（有效期 7 天），请等下一条提醒消息里的新链接。"

PERIODS = {"month": "本月", "quarter": "本季度", "year": "本年"}

STATUS = {"done": "已完成", "due_soon": "即将到期", "due": "未到期", "overdue": "逾期"}

CHANNELS: dict[str | None, str] = {key: label for key, label in labels.CHANNELS.items()}
CHANNELS[None] = labels.NO_CHANNEL

CONTACT_STATUS = labels.CONTACT_STATUSES

NEED_CATEGORIES = labels.NEEDS

NEED_STATUS = labels.NEED_STATUSES
URGENCY = labels.URGENCY

NEED_CHANGED = "诉求 #{id} 已更新。"
NEED_BAD_TRANSITION = "不能从“{old}”改为“{new}”。"
NEED_NOTE_EMPTY = "备注不能为空。"
NEED_OWNER_OUT_OF_SCOPE = "负责人不在您的管辖范围内。"

# Pushed to the household's WeChat (kind need_update) when staff change a need.
HOUSEHOLD_NEED_STATUS = "您反映的“{category}”诉求：{status}。"
HOUSEHOLD_NEED_OWNER = "负责人：{owner}。"
HOUSEHOLD_NEED_NOTE = "说明：{note}"

ROLES = {"village_member": "专职委员", "cadre": "帮扶干部", "township": "乡镇", "county": "县"}
ASSIGNMENT_KINDS = {"jurisdiction": "属地联系", "pairing": "结对帮扶"}
LEVELS = {"county": "县", "township": "乡镇", "village": "村(社区)"}

# Pairing quota by rank (seed 003: 处级 ≥4 households, 科级 ≥2, others ≥1).
QUOTA_MET = "达标"
QUOTA_SHORT = "差 {n} 户"

IMPORT_NOTHING_WRITTEN = "有 {bad} 行有错误，未写入任何数据。改正后重新上传，或勾选“跳过错误行”。"
IMPORT_SKIPPED = "跳过了 {bad} 行有错误的行（见下表）。"
IMPORT_NO_FILE = "请选择要上传的 CSV 或 XLSX 文件。"
IMPORT_BAD_TYPE = "只能上传 CSV 或 XLSX 文件。"

CARD_SCAN_OR_SEND = "扫码或发送：{text}"
CARD_NO_OFFICIAL = "（尚未安排）"
IMPORT_OUT_OF_SCOPE = "第 {row} 行 区域：“{where}”不在您的管辖范围内"

HOUSEHOLD_NEED_TITLE = "诉求办理进展"
LINKS_REVOKED = "已作废：此前发出的待联系名单链接都不能再打开。"
