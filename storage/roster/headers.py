"""Column headers: the 登记表's names and the variants hand-kept sheets use, mapped to fields."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u3000\xa0*＊:：]+")

REGION_HEADERS = {
    "county": ("县(区)", ["县", "区", "县区", "县(市、区)", "县(市区)", "县(市)", "区县", "县(区、市)"]),
    "township": ("乡镇(街道)", ["乡镇", "街道", "乡(镇)", "乡镇街道", "乡镇(街道办)", "镇(街道)"]),
    "village": ("村(社区)", ["村", "社区", "村社区", "村(居)", "村(居委会)", "村(居)委会", "村居"]),
}

# field -> (the header as the 登记表 names it, accepted variants)
PERSON_HEADERS: dict[str, tuple[str, list[str]]] = {
    "name": ("姓名", ["残疾人姓名"]),
    "gender": ("性别", []),
    "birth_date": ("出生日期", ["出生年月", "出生年月日", "生日"]),
    "category": ("残疾类别", ["残疾类型", "类别"]),
    "level": ("残疾等级", ["等级", "残疾级别"]),
    "certificate_no": (
        "残疾人证号",
        ["残疾证号", "残疾人证号码", "残疾证号码", "证号", "身份证号", "身份证号码", "公民身份号码"],
    ),
    "address": ("家庭地址", ["地址", "住址", "家庭住址", "现住址"]),
    "phone": ("联系电话", ["电话", "手机", "手机号", "手机号码", "联系方式", "本人电话"]),
    **REGION_HEADERS,
    "dibao": ("低保", ["是否低保", "纳入低保", "低保户"]),
    "tekun": ("特困", ["是否特困", "特困供养", "特困人员"]),
    "multi_disabled": ("一户多残", ["是否一户多残"]),
    "elderly_carer": ("以老养残", ["是否以老养残"]),
    "living_alone": ("独居", ["是否独居", "独居(事实无人照料)", "事实无人照料"]),
    "poverty_monitoring": (
        "防返贫监测",
        ["纳入防返贫监测", "纳入国家防返贫监测范围", "是否纳入防返贫监测", "防返贫监测对象"],
    ),
    "special_hardship": ("特殊困难", ["是否特殊困难", "特殊困难家庭"]),
    "guardian_name": ("监护人", ["监护人姓名"]),
    "guardian_phone": ("监护人电话", ["监护人手机", "监护人联系电话", "监护人手机号"]),
    "member_phone": ("专职委员手机", ["专职委员电话", "专职委员手机号", "专职委员联系电话"]),
    "pairing_phone": (
        "帮扶人手机",
        ["帮扶人电话", "帮扶人手机号", "帮扶人联系方式", "帮扶干部手机", "帮扶责任人手机"],
    ),
    "pairing_start": ("帮扶开始日期", ["结对日期", "结对开始日期", "帮扶日期"]),
    "family_members": ("家庭成员情况", []),
    "policy_benefits": ("惠残政策享受情况", []),
    "hardship_description": ("家庭特殊困难情况", []),
    "planned_measures": ("拟帮扶措施", []),
    "annual_progress": ("年度帮扶工作落实情况", []),
}
PERSON_REQUIRED = ("name", "county", "township", "village")

OFFICIAL_HEADERS: dict[str, tuple[str, list[str]]] = {
    "name": ("姓名", []),
    "gender": ("性别", []),
    "phone": ("手机", ["手机号", "手机号码", "电话", "联系电话", "联系方式"]),
    "role": ("角色", ["身份", "人员类别", "类别"]),
    "unit": ("单位", ["工作单位", "所在单位"]),
    "position": ("职务", []),
    "rank": ("职级", ["级别"]),
    **REGION_HEADERS,
}
OFFICIAL_REQUIRED = ("name", "phone", "role", "county")


def normalize_header(header: str) -> str:
    """Drop spaces and marks, fold full-width brackets and letters (NFKC), lower-case Latin."""
    folded = unicodedata.normalize("NFKC", str(header or ""))
    return _SPACES.sub("", folded).lower()


def map_headers(
    headers: list[str], spec: dict[str, tuple[str, list[str]]], required: tuple[str, ...]
) -> tuple[dict[str, int], list[str]]:
    """Field -> column index, and the 登记表 names of missing required columns.

    The first column that matches a field wins, so an export's extra columns never override
    the ones an importer expects.
    """
    lookup: dict[str, str] = {}
    for field, (label, variants) in spec.items():
        for name in (label, *variants):
            lookup.setdefault(normalize_header(name), field)
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        found = lookup.get(normalize_header(header))
        if found and found not in columns:
            columns[found] = index
    return columns, [spec[f][0] for f in required if f not in columns]
