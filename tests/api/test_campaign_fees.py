"""Campaign fees from the notices, and an office correcting its campaign before it opens."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta, timezone

from sqlmodel import select

from services.api.models import AuditEntry
from tests.api.factories import (
    OPS,
    auth,
    campaign_body,
    iso,
    make_org,
    make_tree,
    post,
    token,
)
from tests.api.test_payments import accepted, db, notice, pay

__all__ = ["db", "pay"]  # the fixtures, shared with test_payments

# Seed 003 (长工信〔2022〕139号) 八、评审收费, as printed (spaces around the numbers):
CHANGZHI_FEES = (
    "2022 年工程系列中初级专业技术职务任职资格评审、答辩费用收取，严格按照长治市物价局、"
    "财政局核定的收费标准（长发改费管发〔2016〕34 号文件）规定：中级专业技术职务每人 300 元，"
    "初级专业技术职务每人 260 元执行。"
)
# Seed 004 (桂工信职办〔2023〕6号) 六、评审收费 (一):
ARTS_FEES = (
    "按照自治区物价局、自治区财政厅桂价费〔2006〕359号文件规定收取。即正高级工艺美术师评审收费"
    "450元/人次, 高级工艺美术师评审收费380元/人次, 工艺美术师评审收费230元/人次, "
    "助理工艺美术师、工艺美术员评审收费150元/人次。"
)
# Titles → levels (DESIGN.md vocabulary): 中级 工程师; 初级 = 助理工程师 and 技术员.
CZ_LEVELS = {"中级": ["intermediate"], "初级": ["assistant", "technician"]}
ARTS_LEVELS = {
    "正高级工艺美术师": ["senior"],
    "高级工艺美术师": ["deputy_senior"],
    "工艺美术师": ["intermediate"],
    "助理工艺美术师、工艺美术员": ["assistant", "technician"],
}


def fees_in(sentence: str, pattern: str, levels: dict[str, list[str]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for title, amount in re.findall(pattern, sentence):
        for level in levels[title]:
            found[level] = int(amount)
    return found


def test_the_quoted_sentences_give_the_fees() -> None:
    assert fees_in(CHANGZHI_FEES, r"(中级|初级)专业技术职务每人 (\d+) 元", CZ_LEVELS) == {
        "intermediate": 300,
        "assistant": 260,
        "technician": 260,
    }
    titles = "|".join(sorted(ARTS_LEVELS, key=len, reverse=True))
    assert fees_in(ARTS_FEES, rf"(?:即|, )({titles})评审收费(\d+)元/人次", ARTS_LEVELS) == {
        "senior": 450,
        "deputy_senior": 380,
        "intermediate": 230,
        "assistant": 150,
        "technician": 150,
    }


async def test_seeded_campaigns_carry_the_notices_fees(pay) -> None:
    seeded = {c["code"]: c for c in (await pay.get("/v1/campaigns", headers=auth(OPS))).json()}
    arts = seeded["guangxi-2023-arts-crafts-senior"]
    # The seeded 工艺美术 campaign is the 正、副高级 one: 450 and 380 (230 and 150 are the
    # 中级 and 初级 fees, in the policy pack for the campaigns of those levels).
    assert arts["levels"] == ["senior", "deputy_senior"]
    assert arts["fees_yuan"] == {"senior": 450, "deputy_senior": 380}
    changzhi = seeded["changzhi-2022-engineering-intermediate-initial"]
    assert changzhi["fees_yuan"] == {"intermediate": 300, "assistant": 260, "technician": 260}
    assert changzhi["region_code"] == "140400"
    # “材料收审时间为7月25日至8月25日”
    window = changzhi["windows"]["submission"]
    beijing = timezone(timedelta(hours=8))
    opens, closes = (datetime.fromisoformat(window[k]) for k in ("opens_at", "closes_at"))
    assert opens.astimezone(beijing).isoformat().startswith("2022-07-25")
    assert closes.astimezone(beijing).isoformat().startswith("2022-08-25T23:59:59")
    assert "7月25日至8月25日" in window["basis"]
    # The committee is one the eligibility service resolves for every level it covers.
    for level in changzhi["levels"]:
        r = await pay.get(
            "/v1/committees",
            params={"region": "140400", "series": "engineering", "level": level},
            headers=auth(OPS),
        )
        assert r.status_code == 200, r.text
        assert changzhi["committee_code"] in {c["code"] for c in r.json()}
    # 柳州's fee is in none of the seeds: an office setting, unset.
    for code, campaign in seeded.items():
        if code.startswith("liuzhou-2022-engineering-"):
            assert campaign["fees_yuan"] == {} and campaign["fee_yuan"] is None


async def test_the_campaigns_fee_for_the_level_makes_the_order(pay) -> None:
    tree = await make_tree(pay, label="分级收费", supervisor=False, county=False)
    body = campaign_body()
    body["fees_yuan"] = {"deputy_senior": 420}
    r = await post(pay, "/v1/campaigns", OPS, body)
    assert r.status_code == 201, r.text
    did, applicant = await accepted(pay, tree, r.json())
    url = f"/v1/declarations/{did}"
    # 柳州's fee is in no seed: the policy's fee table leaves the submitted one empty.
    assert (await pay.get(url, headers=auth(applicant))).json()["fee_yuan"] is None
    assert (await notice(pay, tree, did))["amount_fen"] == 42000  # not fee_yuan's 380
    # Once the notice exists, the declaration's fee is the one it is asked to pay.
    assert (await pay.get(url, headers=auth(applicant))).json()["fee_yuan"] == 420
    body = campaign_body()
    body["fees_yuan"] = {"senior": 450}  # not a level of this campaign
    r = await post(pay, "/v1/campaigns", OPS, body)
    assert r.status_code == 422, r.text


def _future_windows(days: int = 10) -> dict:
    opens = datetime.now(UTC) + timedelta(days=days)
    basis = "测试批次（尚未开始）"
    return {
        "submission": {
            "opens_at": iso(opens),
            "closes_at": iso(opens + timedelta(days=30)),
            "basis": basis,
        },
        "payment": {
            "opens_at": iso(opens + timedelta(days=40)),
            "closes_at": iso(opens + timedelta(days=50)),
            "basis": basis,
        },
    }


async def test_the_office_corrects_its_campaign_before_it_opens(pay, db) -> None:
    office = await make_org(pay, "committee_office", "更正批次的职改办", None)
    other = await make_org(pay, "committee_office", "别的职改办", None)
    series = await make_org(pay, "series_office", "更正批次的系列职改办", office)
    unit = await make_org(pay, "unit", "某单位", series)
    body = campaign_body(windows_override={})
    body.update(windows=_future_windows(), office_org_id=office, fees_yuan={})
    r = await post(pay, "/v1/campaigns", OPS, body)
    assert r.status_code == 201, r.text
    campaign = r.json()
    assert campaign["office_org_id"] == office
    url = f"/v1/campaigns/{campaign['id']}"
    fix = {"fees_yuan": {"deputy_senior": 300}, "reason": "按收费文件更正"}

    # Only the office that runs it; ops and other offices may not.
    r = await pay.patch(url, json=fix, headers=auth(token("committee_office", other)))
    assert r.status_code == 403 and r.json()["type"].endswith("campaign-not-owned"), r.text
    r = await pay.patch(url, json=fix, headers=auth(OPS))
    assert r.status_code == 403, r.text
    # Nothing to correct, or a fee for a level the campaign does not have.
    mine = auth(token("committee_office", office))
    r = await pay.patch(url, json={"reason": "无需更正"}, headers=mine)
    assert r.status_code == 422, r.text
    r = await pay.patch(url, json={"fees_yuan": {"senior": 450}, "reason": "错级别"}, headers=mine)
    assert r.status_code == 422 and r.json()["type"].endswith("campaign-fee-level-invalid")

    new_close = iso(datetime.now(UTC) + timedelta(days=55))
    payment = {**campaign["windows"]["payment"], "closes_at": new_close}
    r = await pay.patch(
        url, json={**fix, "windows": {"payment": payment}, "fee_yuan": 260}, headers=mine
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["fees_yuan"] == {"deputy_senior": 300} and got["fee_yuan"] == 260
    assert datetime.fromisoformat(got["windows"]["payment"]["closes_at"]) == datetime.fromisoformat(
        new_close
    )
    assert got["windows"]["submission"] == campaign["windows"]["submission"]  # not sent: kept
    rows = (
        await db.exec(
            select(AuditEntry)
            .where(AuditEntry.action == "campaign_corrected")
            .where(AuditEntry.reason.contains(campaign["code"]))
        )
    ).all()
    [row] = rows
    assert row.actor_org == uuid.UUID(office) and "按收费文件更正" in row.reason
    assert "评审费 380元 → 260元" in row.reason and "缴费" in row.reason

    # A campaign already open is not corrected any more.
    body = campaign_body()
    body.update(code=f"test-open-{uuid.uuid4().hex[:8]}", office_org_id=office)
    r = await post(pay, "/v1/campaigns", OPS, body)
    assert r.status_code == 201, r.text
    r = await pay.patch(f"/v1/campaigns/{r.json()['id']}", json=fix, headers=mine)
    assert r.status_code == 409, r.text
    assert r.json()["type"] == "urn:zhicheng:problem:campaign-already-open"
    assert "已于" in r.json()["detail"]
    # A unit is not an office that can run a campaign.
    body = campaign_body()
    body["office_org_id"] = unit
    r = await post(pay, "/v1/campaigns", OPS, body)
    assert r.status_code == 422 and r.json()["type"].endswith("campaign-office-invalid")


async def test_the_campaigns_one_fee_fills_the_declaration(pay) -> None:
    """No fee for the level anywhere but the campaign's one fee: the notice fills it."""
    tree = await make_tree(pay, label="批次收费", supervisor=False, county=False)
    r = await post(pay, "/v1/campaigns", OPS, campaign_body(fee_yuan=250))
    assert r.status_code == 201, r.text
    did, applicant = await accepted(pay, tree, r.json())
    url = f"/v1/declarations/{did}"
    assert (await pay.get(url, headers=auth(applicant))).json()["fee_yuan"] is None
    order = await notice(pay, tree, did)
    after = (await pay.get(url, headers=auth(applicant))).json()
    assert after["status"] == "payment_due" and order["amount_fen"] == 25000
    assert after["fee_yuan"] == 250
