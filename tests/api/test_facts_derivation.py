"""The derivation of facts from the sections, on dates the stack's clock cannot be:
桂工信职办〔2023〕6号 二（二）2（3）: “对具有等待期的论文发表材料，可凭用稿通知先行申报，并于
开评月的上月月底前将论文公开发表的材料按规定程序补充报送至评委会所在职改办。” and 五（二）:
“2023年11月为自治区工艺美术系列职改办组织评审、复核与二次公示阶段。”"""

from __future__ import annotations

import copy
from datetime import date

from services.api.declarations import facts as derivation
from tests.api.factories import ARTS_FACTS, ARTS_SECTIONS

GX_WAITING = (
    "对具有等待期的论文发表材料，可凭用稿通知先行申报，并于开评月的上月月底前"
    "将论文公开发表的材料按规定程序补充报送至评委会所在职改办"
)
GX_EVALUATION_MONTH = "2023年11月为自治区工艺美术系列职改办组织评审、复核与二次公示阶段"


def test_a_waiting_item_is_pending_until_its_date_then_overdue() -> None:
    """004 二（二）2（3） and 五（二）, on the derivation itself (a date before 2023-10-31
    cannot be today on this stack): filed in August 2023 the 用稿通知 paper counts and is
    pending with its due date; on 2023-11-01 it is overdue."""
    sections = copy.deepcopy(ARTS_SECTIONS)
    sections["papers"].append(
        {"title": "壮锦纹样", "journal": "装饰", "published_on": "2023-06-01", "stage": "accepted"}
    )
    derived = derivation.derive(
        ARTS_FACTS,
        sections,
        region_code="450206",
        series="arts_crafts",
        level="deputy_senior",
        year=2023,
        today=date(2023, 8, 20),
    )
    assert derived.applicant["papers"] == 2
    [pending] = derived.pending
    assert pending["due_on"] == "2023-10-31"
    assert GX_WAITING in pending["clause"] and GX_EVALUATION_MONTH in pending["clause"]
    eligibility = {"facts_source": derived.source()}
    assert derivation.overdue(eligibility, date(2023, 10, 31)) == []
    assert derivation.overdue(eligibility, date(2023, 11, 1)) == [pending]


GX_TRANSFER = "资历、年限、业绩成果等可以从取得下一级职称起算"


def test_a_transfer_counts_items_from_the_lower_title() -> None:
    """004 一（二）2: “职称转评……资历、年限、业绩成果等可以从取得下一级职称起算。” A 高级工程师
    of 2021 transferring to 高级工艺美术师: a paper of 2018, after the 工艺美术师 of 2014,
    counts; the same paper in a promotion is refused as not 任现职以来."""
    sections = copy.deepcopy(ARTS_SECTIONS)
    sections["current_title"] = {
        "series": "engineering",
        "level": "deputy_senior",
        "title_name": "高级工程师",
        "obtained_on": "2021-01-01",
    }
    sections["papers"] = [{"title": "壮锦", "journal": "装饰", "published_on": "2018-05-01"}]
    titles = [
        {"series": "arts_crafts", "level": "intermediate", "obtained_on": "2014-05-01"},
        {"series": "engineering", "level": "deputy_senior", "obtained_on": "2021-01-01"},
    ]
    typed = {**ARTS_FACTS, "titles": titles}
    found = {}
    for mode in ("transfer", "promotion"):
        sections["basic_info"] = {**sections["basic_info"], "declaration_mode": mode}
        found[mode] = derivation.derive(
            typed,
            sections,
            region_code="450206",
            series="arts_crafts",
            level="deputy_senior",
            year=2023,
            today=date(2023, 8, 20),
        )
    assert found["transfer"].applicant["papers"] == 1
    assert not [f for f in found["transfer"].findings if f["rule"] == "since_current_title"]
    assert found["promotion"].applicant["papers"] == 0
    [refused] = [f for f in found["promotion"].findings if f["rule"] == "since_current_title"]
    assert refused["section"] == "papers"
    assert GX_TRANSFER in derivation.SEEDS["guangxi-arts_crafts"].transfer_from_lower


def test_the_work_history_is_continuous_where_000_says_so() -> None:
    """000 四（一）7-1: “……工作简历从参加工作填起，各时期前后时间一般应连续不中断。” A year
    missing from 主要经历 is flagged (a flag: “一般”); 004 does not say it, so no flag."""
    sections = copy.deepcopy(ARTS_SECTIONS)
    sections["main_experience"] = [
        {"start_on": "2005-07-01", "end_on": "2010-06-30", "employer": "甲厂", "work": "设计"},
        {"start_on": "2011-07-01", "employer": "乙厂", "work": "设计"},
    ]
    out = {}
    for region, series in (("450206", "engineering"), ("450206", "arts_crafts")):
        derived = derivation.derive(
            ARTS_FACTS,
            sections,
            region_code=region,
            series=series,
            level="deputy_senior",
            year=2023,
            today=date(2023, 8, 20),
        )
        out[series] = [f for f in derived.findings if f["rule"] == "history_gap"]
    [gap] = out["engineering"]
    assert gap["severity"] == "flag" and "2010-06-30至2011-07-01" in gap["message"]
    assert "各时期前后时间一般应连续不中断" in gap["clause"]
    assert out["arts_crafts"] == []


def test_a_second_title_is_left_to_the_reviewers() -> None:
    """002 一（二）1（3）: “申报方式：正常申报均为晋升，第二职称和转评详见说明。” The 说明 is not
    among the seeds, so a second title's older paper is not refused on its date: a flag
    says the reviewers decide."""
    sections = copy.deepcopy(ARTS_SECTIONS)
    sections["papers"] = [{"title": "旧作", "journal": "装饰", "published_on": "2010-05-01"}]
    sections["basic_info"] = {**sections["basic_info"], "declaration_mode": "second_title"}
    derived = derivation.derive(
        ARTS_FACTS,
        sections,
        region_code="450200",
        series="engineering",
        level="deputy_senior",
        year=2022,
        today=date(2022, 7, 1),
    )
    assert not [f for f in derived.findings if f["rule"] == "since_current_title"]
    [flag] = [f for f in derived.findings if f["rule"] == "second_title"]
    assert flag["severity"] == "flag" and "第二职称和转评详见说明" in flag["clause"]
