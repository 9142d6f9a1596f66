"""长治's plagiarism check of the review paper, judged before submission.

长工信〔2022〕139号 七1: 「申报人需在送审材料前，将送审论文发送至长治市工信局中评委专用
邮箱……在国内主流数据库网站上进行抄袭率检测，低于 25% 的参与答辩，高于 25% 的取消答辩资格。」
The notice leaves exactly 25 % unsaid; only a rate below it admits to the defence (the
pack's material: 低于25%方可参加答辩), so 25 % and above is refused. The check applies
where the eligibility answer asks for the `plagiarism_check` material (长治, 中级); the
applicant records the result in the `plagiarism_check` section and uploads the report as
that material.
"""

from __future__ import annotations

from typing import Any

MATERIAL = "plagiarism_check"
LIMIT_PERCENT = 25.0
CLAUSE = "长工信〔2022〕139号 七1"
QUOTE = "低于 25% 的参与答辩，高于 25% 的取消答辩资格"


def plagiarism_items(sections: dict[str, Any], material_ids: set[str]) -> list[dict[str, Any]]:
    if MATERIAL not in material_ids:
        return []
    check = sections.get("plagiarism_check")
    if not check or check.get("rate_percent") is None:
        return [
            {
                "kind": "section",
                "section": "plagiarism_check",
                "clause": CLAUSE,
                "message": "请填写“送审论文抄袭率检测”结果：送审论文须在送审材料前发送至市工信局"
                f"中评委专用邮箱进行抄袭率检测（{CLAUSE}）。",
            }
        ]
    rate = float(check["rate_percent"])
    if rate < LIMIT_PERCENT:
        return []
    return [
        {
            "kind": "eligibility",
            "section": "plagiarism_check",
            "clause": CLAUSE,
            "message": f"送审论文抄袭率为{rate:g}%，未低于25%，不能参加答辩"
            f"（{CLAUSE}：“{QUOTE}”）。",
        }
    ]
