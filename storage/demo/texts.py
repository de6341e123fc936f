"""Chinese output of `lianxin demo-data`."""

from __future__ import annotations

SKIPPED = "数据库里已有残疾人名单，未生成演示数据。"
NOT_EMPTY = "数据库里已有残疾人名单；演示数据只能填入空库（加 --if-empty 可跳过）。"
SUMMARY = (
    "已生成演示数据：{county} {townships} 个乡镇、{villages} 个村，残疾人 {persons} 人"
    "（未持证 {uncertified} 人，特殊困难 {hardship} 人），工作人员 {officials} 人，"
    "结对 {pairings} 对，联系记录 {contacts} 条（其中未联系上 {failed} 条），诉求 {needs} 件（未办结 {open_needs} 件）。"
)
TRY_BINDING = "试用：用专职委员 {name}（{village}）的手机号 {phone} 绑定公众号，例如 lianxin official bind-code {phone}"
