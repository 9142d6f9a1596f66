"""Evidence per entry and 长治's plagiarism rate, decided without HTTP or a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.api.declarations.evidence import missing_evidence, rules_for, stale_references
from services.api.declarations.plagiarism import LIMIT_PERCENT, QUOTE, plagiarism_items

# The policy seeds sit in shared/ beside the repository (or beside its worktrees' folder).
_HERE = Path(__file__).resolve()
SEED_003 = next(
    (
        p
        for up in _HERE.parents[3:5]
        if (p := up / "shared" / "seeds" / "003_abb6e7983df217bd.txt").exists()
    ),
    _HERE,
)
LIUZHOU = rules_for("guangxi-engineering-2022", "engineering")


def _doc(section: str, index: int, kind: str, material: str = "achievements") -> dict:
    return {
        "document_id": f"{section}-{index}-{kind}",
        "kind": material,
        "document_kind": kind,
        "item": {"section": section, "index": index},
    }


def test_each_achievement_and_award_carries_its_own_proof() -> None:
    # 002 一（二）7「将工作业绩证明材料上传至指定位置」;
    # 8「扫描上传取得现职称以来获得的专业技术奖或荣誉证书原件」.
    sections = {
        "achievements": [{"name": "底盘研制"}, {"name": "变速箱改型"}],
        "awards": [{"name": "市科技进步奖"}],
    }
    attachments = [_doc("achievements", 1, "achievement_proof")]
    items = missing_evidence(sections, attachments, LIUZHOU)
    assert [(i["section"], i["item"]["index"], i["document_kinds"]) for i in items] == [
        ("achievements", 0, ["achievement_proof"]),
        ("awards", 0, ["award_certificate"]),
    ]
    assert (
        items[0]["message"]
        == "业绩《底盘研制》缺少：业绩证明材料（申报系统操作注意事项 一（二）7）。"
    )
    # A proof of the wrong kind, or for another entry, does not count.
    wrong = [_doc("achievements", 0, "award_certificate"), _doc("awards", 1, "award_certificate")]
    assert len(missing_evidence(sections, attachments + wrong, LIUZHOU)) == 2
    done = [
        *attachments,
        _doc("achievements", 0, "achievement_proof"),
        _doc("awards", 0, "award_certificate"),
    ]
    assert missing_evidence(sections, done, LIUZHOU) == []


def test_the_paper_rules_follow_the_policy() -> None:
    sections = {"papers": [{"title": "壮锦纹样"}]}
    arts = missing_evidence(sections, [], rules_for("guangxi-arts-crafts-2023", "arts_crafts"))
    # 桂工信职办〔2023〕6号: 学术成果（附期刊封面、目录、版权页、全文等）:
    # no 新闻出版署 screenshot asked.
    assert arts[0]["document_kinds"] == [
        "paper_cover",
        "paper_contents",
        "paper_copyright_page",
        "paper_full_text",
    ]
    # 长治's papers travel in the bound dossier (五4 第六类), a material of its own.
    assert (
        missing_evidence(sections, [], rules_for("changzhi-engineering-2022", "engineering")) == []
    )
    # No eligibility answer: the series' Guangxi rules.
    assert rules_for(None, "engineering") == LIUZHOU


def test_a_document_for_an_entry_since_removed_is_named() -> None:
    sections = {"papers": [{"title": "只剩一篇"}]}
    stale = _doc("papers", 1, "paper_cover", "academic_output")
    items = stale_references(sections, [_doc("papers", 0, "paper_cover", "academic_output"), stale])
    assert [i["document_id"] for i in items] == [stale["document_id"]]
    assert "“任现职以来论文、著作情况”第2项已不存在" in items[0]["message"]


def test_changzhi_plagiarism_rate_decides_the_defence() -> None:
    # 长工信〔2022〕139号 七1, as the notice puts it:
    sentence = "低于 25% 的参与答辩，高于 25% 的取消答辩资格。"
    if SEED_003 != _HERE:
        assert sentence in SEED_003.read_text(encoding="utf-8")
    assert QUOTE in sentence and LIMIT_PERCENT == 25
    asked = {"plagiarism_check"}
    assert plagiarism_items({"plagiarism_check": {"rate_percent": 24.9}}, asked) == []
    for rate in (25, 25.0, 31.5):
        (item,) = plagiarism_items({"plagiarism_check": {"rate_percent": rate}}, asked)
        assert item["kind"] == "eligibility" and item["section"] == "plagiarism_check"
        assert f"抄袭率为{rate:g}%" in item["message"] and "不能参加答辩" in item["message"]
        assert "长工信〔2022〕139号 七1" in item["message"]
    (unrecorded,) = plagiarism_items({}, asked)
    assert unrecorded["kind"] == "section" and "抄袭率检测" in unrecorded["message"]
    # Where the policy does not ask for the check (柳州, 长治 助理级), no rate is judged.
    assert plagiarism_items({"plagiarism_check": {"rate_percent": 80}}, {"photo"}) == []


@pytest.mark.parametrize("rate", [-1, 100.5])
def test_the_recorded_rate_is_a_percentage(rate: float) -> None:
    from pydantic import ValidationError

    from services.api.declarations.sections import DeclarationSections

    with pytest.raises(ValidationError):
        DeclarationSections(plagiarism_check={"rate_percent": rate})
    assert DeclarationSections(plagiarism_check={"rate_percent": 12.5}).plagiarism_check
