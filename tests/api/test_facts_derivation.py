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
