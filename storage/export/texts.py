"""Chinese headers and labels of the exported ledgers, in one place for review."""

from __future__ import annotations

from storage import labels

CHANNELS, NO_CHANNEL, NEEDS, URGENCY, NEED_STATUSES = (
    labels.CHANNELS, labels.NO_CHANNEL, labels.NEEDS, labels.URGENCY, labels.NEED_STATUSES
)
STATUSES = labels.CONTACT_STATUSES
LEVELS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
YES, NO = "是", "否"
LIST_SEPARATOR = "、"

CONTACT_HEADERS = {
    "date": "日期", "county": "县(区)", "township": "乡镇(街道)", "village": "村(社区)",
    "person": "姓名", "channel": "方式", "status": "情况", "needs": "诉求", "official": "联系人",
    "note": "备注", "raw_text": "原话",
}
NEED_HEADERS = {
    "created_date": "登记日期", "person": "姓名", "village": "村", "category": "类别",
    "text": "内容", "urgency": "紧急程度", "status": "状态", "owner": "负责人",
    "resolved_date": "办结日期", "resolution": "办理结果",
}
# The 登记表's own fields first, in the form's order and with its names (seed 003 附件2), then the
# roster columns that make the export importable again.
REGISTER_HEADERS = {
    "poverty_monitoring": "纳入国家防返贫监测范围", "name": "姓名", "gender": "性别",
    "birth_date": "出生日期", "disability_category": "残疾类别", "disability_level": "残疾等级",
    "certificate_no": "残疾人证号码", "address": "家庭地址", "phone": "联系电话",
    "family_members": "家庭成员情况", "policy_benefits": "惠残政策享受情况",
    "hardship_description": "家庭特殊困难情况", "pairing_name": "帮扶人姓名",
    "pairing_gender": "帮扶人性别", "pairing_phone": "帮扶人联系方式", "pairing_unit": "帮扶人单位",
    "pairing_position": "帮扶人职务", "pairing_rank": "帮扶人职级",
    "planned_measures": "拟帮扶措施", "annual_progress": "年度帮扶工作落实情况",
    "county": "县(区)", "township": "乡镇(街道)", "village": "村(社区)", "dibao": "低保",
    "tekun": "特困", "multi_disabled": "一户多残", "elderly_carer": "以老养残",
    "living_alone": "独居", "special_hardship": "特殊困难", "guardian": "监护人",
    "guardian_phone": "监护人电话", "member_phone": "专职委员手机",
    "pairing_start": "帮扶开始日期",
}
SHEET_TITLES = {"contacts": "访视台账", "needs": "诉求台账", "register": "结对帮扶登记表"}

UNKNOWN_REGION = "找不到名为“{name}”的地区"
WROTE = "已导出 {count} 行到 {path}"
