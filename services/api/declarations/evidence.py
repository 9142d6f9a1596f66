"""Evidence per item: each paper, achievement and award carries its own proof.

申报系统操作注意事项 (柳州) 一（二）5（2）: 扫描上传在期刊发表的论文必须同时附上该期刊……
在国家新闻出版署门户网站上的查询结果截图、期刊封面、目录、版权页及全文; 7: 将工作业绩证明材料
上传至指定位置; 8: 扫描上传取得现职称以来获得的专业技术奖或荣誉证书原件.

One upload no longer covers a whole section: an attachment proves the entry its `item`
reference names (`{"section": "papers", "index": 0}`), and only as the document kind it
was uploaded as (`document_kind`, the document service's kind code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.api.declarations.sections import SECTION_TITLES


@dataclass(frozen=True)
class SectionEvidence:
    section: str
    material: str  # the eligibility material these documents belong to
    label: str  # what one item is called, e.g. 论文
    title_field: str  # the item's field that names it in a message
    kinds: tuple[tuple[str, str], ...]  # (document kind, what a person calls it), in order
    clause: str


LIUZHOU_PAPERS = SectionEvidence(
    "papers",
    "academic_output",
    "论文",
    "title",
    (
        ("journal_lookup_screenshot", "国家新闻出版署期刊查询结果截图"),
        ("paper_cover", "期刊封面"),
        ("paper_contents", "目录"),
        ("paper_copyright_page", "版权页"),
        ("paper_full_text", "全文"),
    ),
    "申报系统操作注意事项 一（二）5（2）",
)
LIUZHOU_ACHIEVEMENTS = SectionEvidence(
    "achievements",
    "achievements",
    "业绩",
    "name",
    (("achievement_proof", "业绩证明材料"),),
    "申报系统操作注意事项 一（二）7",
)
LIUZHOU_AWARDS = SectionEvidence(
    "awards",
    "achievements",
    "奖励",
    "name",
    (("award_certificate", "获奖证书或荣誉证书原件扫描件"),),
    "申报系统操作注意事项 一（二）8",
)
# 桂工信职办〔2023〕6号 二（二）2（3）: 学术成果（附期刊封面、目录、版权页、全文等）;
# 2（2）业绩成果 needs 充分佐证材料 (the pack's material names say so).
ARTS_PAPERS = SectionEvidence(
    "papers",
    "academic_output",
    "论文",
    "title",
    (
        ("paper_cover", "期刊封面"),
        ("paper_contents", "目录"),
        ("paper_copyright_page", "版权页"),
        ("paper_full_text", "全文"),
    ),
    "桂工信职办〔2023〕6号 二（二）2（3）",
)
ARTS_ACHIEVEMENTS = SectionEvidence(
    "achievements",
    "achievements",
    "业绩",
    "name",
    (("achievement_proof", "佐证材料"),),
    "桂工信职办〔2023〕6号 二（二）2（2）",
)

# By policy pack. 长治's papers and proofs travel in the bound paper dossier (五4 第六、七、九类),
# whose upload is a material of its own, so it has no per-item rules here.
BY_POLICY: dict[str, tuple[SectionEvidence, ...]] = {
    "guangxi-engineering-2022": (LIUZHOU_PAPERS, LIUZHOU_ACHIEVEMENTS, LIUZHOU_AWARDS),
    "guangxi-arts-crafts-2023": (ARTS_PAPERS, ARTS_ACHIEVEMENTS),
    "changzhi-engineering-2022": (),
}
# Without an eligibility answer (no policy known): the series' Guangxi rules.
BY_SERIES: dict[str, tuple[SectionEvidence, ...]] = {
    "engineering": BY_POLICY["guangxi-engineering-2022"],
    "arts_crafts": BY_POLICY["guangxi-arts-crafts-2023"],
}


def rules_for(policy_id: str | None, series: str) -> tuple[SectionEvidence, ...]:
    if policy_id is not None and policy_id in BY_POLICY:
        return BY_POLICY[policy_id]
    return BY_SERIES.get(series, ())


def _ref(attachment: dict[str, Any]) -> tuple[str, int] | None:
    item = attachment.get("item")
    if not isinstance(item, dict):
        return None
    section, index = item.get("section"), item.get("index")
    if not isinstance(section, str) or not isinstance(index, int):
        return None
    return section, index


def _entries(sections: dict[str, Any], section: str) -> list[Any]:
    entries = sections.get(section)
    return entries if isinstance(entries, list) else []


def _name(entry: Any, rule: SectionEvidence, index: int) -> str:
    title = entry.get(rule.title_field) if isinstance(entry, dict) else None
    return f"《{title}》" if title else f"第{index + 1}项"


def missing_evidence(
    sections: dict[str, Any],
    attachments: list[dict[str, Any]],
    rules: tuple[SectionEvidence, ...],
) -> list[dict[str, Any]]:
    """One entry per item that lacks any of its documents, naming what it lacks."""
    have: set[tuple[str, int, str]] = set()
    for a in attachments:
        ref = _ref(a)
        if ref is not None and a.get("document_kind"):
            have.add((*ref, a["document_kind"]))
    out = []
    for rule in rules:
        for index, entry in enumerate(_entries(sections, rule.section)):
            lacking = [(k, zh) for k, zh in rule.kinds if (rule.section, index, k) not in have]
            if not lacking:
                continue
            out.append(
                {
                    "kind": "evidence",
                    "section": rule.section,
                    "item": {"section": rule.section, "index": index},
                    "material": rule.material,
                    "document_kinds": [k for k, _ in lacking],
                    "clause": rule.clause,
                    "message": f"{rule.label}{_name(entry, rule, index)}缺少："
                    + "、".join(zh for _, zh in lacking)
                    + f"（{rule.clause}）。",
                }
            )
    return out


def covered_materials(
    sections: dict[str, Any], rules: tuple[SectionEvidence, ...]
) -> frozenset[str]:
    """Materials the per-item rules judge for these sections (a section with items), so
    the material-level check does not ask for them a second time."""
    return frozenset(r.material for r in rules if _entries(sections, r.section))


def stale_references(
    sections: dict[str, Any], attachments: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Attachments that name an item the section no longer has (an item was removed)."""
    out = []
    for a in attachments:
        ref = _ref(a)
        if ref is None:
            continue
        section, index = ref
        if 0 <= index < len(_entries(sections, section)):
            continue
        out.append(
            {
                "kind": "evidence",
                "section": section,
                "item": {"section": section, "index": index},
                "document_id": a.get("document_id"),
                "message": f"有一份材料对应的“{SECTION_TITLES.get(section, section)}”"
                f"第{index + 1}项已不存在，"
                "请删除该材料或重新指定其对应条目。",
            }
        )
    return out
