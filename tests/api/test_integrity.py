"""The integrity register (职称评审诚信档案库): offices record 失信 with its period, and the
engine's `integrity_record` comes from the register, at submission and at each level,
never from what the applicant declares.

桂工信职办〔2023〕6号 一（一）: “5. 记入职称评审诚信档案库，仍在记录期限的。”（不得申报）
“申报后出现上述情形的，评审结果不予确认。”
长工信〔2022〕139号 十（二）: “……一经查实，取消当年评审资格，并记入职称评审诚信档案库，
纳入全国信用信息共享平台，记录期限为3年”."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.api.factories import (
    FACTS,
    as_read,
    auth,
    complete_unit_step,
    make_campaign,
    make_tree,
    new_draft,
    post,
    submit,
    submitted,
    token,
)
from tests.api.test_review_chain_e2e import UNIT_REVIEW

PROBLEM = "urn:zhicheng:problem:"
CLAUSE = "桂工信职办〔2023〕6号 一（一）5"
FINDING = {"conduct": "提供虚假学历证书", "basis": "经查实，所附学历证书系伪造"}


def _today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


async def _first_filed_second_drafted(client, label: str, **second_facts):
    """An applicant whose first declaration is filed (where the office finds 失信) and whose
    second one, same level and year, waits as a draft."""
    tree = await make_tree(client, label=label, supervisor=False, county=False)
    campaign = await make_campaign(client)
    applicant = token("applicant", sub=f"{label}-{uuid.uuid4().hex[:6]}")
    first = await new_draft(client, tree, campaign, applicant)
    facts = {**FACTS, **second_facts}
    second = await new_draft(client, tree, campaign, applicant, applicant_facts=facts)
    assert (await submit(client, first, applicant)).status_code == 200
    return tree, applicant, first, second


async def _withdraw(client, did: str, applicant: str) -> None:
    r = await as_read(client, f"/v1/declarations/{did}/withdrawals", applicant, {"reason": "撤回"})
    assert r.status_code == 200, r.text


async def test_an_entry_recorded_by_an_office_blocks_submission_with_the_clause(client) -> None:
    tree, applicant, first, second = await _first_filed_second_drafted(client, "失信在期")
    office = tree.tokens["series_office"]
    r = await post(client, f"/v1/declarations/{first}/integrity-records", office, FINDING)
    assert r.status_code == 201, r.text
    entry = r.json()
    today = _today()
    # 记录期限为3年, counted from the day of the finding.
    assert entry["recorded_on"] == today.isoformat()
    assert entry["until"] == _years_before(today, -3).isoformat()
    assert entry["in_force"] is True and entry["ended_at"] is None
    # Recorded in the audit trail, with the period and its clause.
    r = await client.get(f"/v1/declarations/{first}/audit", headers=auth(office))
    rows = [e for e in r.json() if e["action"] == "integrity_recorded"]
    assert len(rows) == 1
    assert "记录期限为3年" in rows[0]["reason"] and "提供虚假学历证书" in rows[0]["reason"]

    await _withdraw(client, first, applicant)
    r = await submit(client, second, applicant)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == PROBLEM + "declaration-incomplete"
    blocked = [e for e in problem["errors"] if e.get("clause") == CLAUSE]
    assert len(blocked) == 1 and "诚信档案库" in blocked[0]["message"]
    blocker = next(b for b in problem["eligibility"]["blockers"] if b["id"] == "integrity_record")
    assert blocker["source"] == "integrity_register"
    register = problem["eligibility"]["integrity_register"]
    assert [e["id"] for e in register["entries"]] == [entry["id"]]
    assert register["clause"]["ref"] == CLAUSE


async def test_an_expired_entry_does_not_block_and_the_applicants_word_does_not_count(
    client,
) -> None:
    # The applicant declares an integrity record the register does not hold (in force):
    # the register's answer replaces the declared one.
    declared = {"kind": "integrity_record", "until": "2099-12-31"}
    tree, applicant, first, second = await _first_filed_second_drafted(
        client, "失信过期", sanctions=[declared]
    )
    office = tree.tokens["committee_office"]
    # Found more than three years ago: the period is over.
    recorded_on = _years_before(_today() - timedelta(days=1), 3)
    body = {**FINDING, "recorded_on": recorded_on.isoformat()}
    r = await post(client, f"/v1/declarations/{first}/integrity-records", office, body)
    assert r.status_code == 201, r.text
    assert r.json()["in_force"] is False
    assert date.fromisoformat(r.json()["until"]) < _today()

    await _withdraw(client, first, applicant)
    r = await submit(client, second, applicant)
    assert r.status_code == 200, r.text
    eligibility = r.json()["eligibility"]
    assert not [b for b in eligibility["blockers"] if b["id"] == "integrity_record"]
    register = eligibility["integrity_register"]
    assert register["source"] == "integrity_register"
    assert register["entries"] == []
    assert register["declared_overridden"] == [declared]
    assert register["checked_on"] == _today().isoformat()


async def test_an_entry_added_after_submission_blocks_the_next_levels_approval(client) -> None:
    tree, _campaign, applicant, did = await submitted(
        client, label="申报后失信", supervisor=False, county=False
    )
    url = f"/v1/declarations/{did}"
    unit, series = tree.tokens["unit_reviewer"], tree.tokens["series_office"]
    defence_at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    review = {**UNIT_REVIEW, "defence_at": defence_at.isoformat(), "defence_place": "会议室"}
    r = await client.put(url + "/unit-review", json=review, headers=auth(unit))
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, unit)
    r = await post(client, url + "/approvals", unit)
    assert r.status_code == 200 and r.json()["status"] == "series_office_review", r.text

    # The unit may not write the register; the series office of the chain may.
    r = await post(client, url + "/integrity-records", unit, FINDING)
    assert r.status_code == 403
    r = await post(client, url + "/integrity-records", series, FINDING)
    assert r.status_code == 201, r.text
    entry = r.json()

    r = await post(client, url + "/approvals", series, {"comment": "同意"})
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["type"] == PROBLEM + "integrity-record-in-force"
    assert problem["clause"] == CLAUSE
    assert "申报后出现上述情形的，评审结果不予确认" in problem["detail"]
    assert "提供虚假学历证书" in problem["detail"]

    # The applicant sees what is recorded about them.
    r = await client.get(url + "/integrity-records", headers=auth(applicant))
    assert r.status_code == 200 and [e["id"] for e in r.json()] == [entry["id"]]

    # The finding withdrawn, the entry ends (once), and the level may act again.
    end = f"{url}/integrity-records/{entry['id']}/end"
    r = await post(client, end, series, {"reason": "复查撤销认定"})
    assert r.status_code == 200, r.text
    assert r.json()["in_force"] is False and r.json()["ended_at"]
    r = await post(client, end, series, {"reason": "再次终止"})
    assert r.status_code == 409
    assert r.json()["type"] == PROBLEM + "integrity-record-ended"
    r = await post(client, url + "/approvals", series, {"comment": "同意"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "committee_office_review"
    r = await client.get(url + "/audit", headers=auth(applicant))
    actions = [e["action"] for e in r.json()]
    assert actions.count("integrity_recorded") == 1 and actions.count("integrity_ended") == 1


async def test_an_office_outside_the_chain_cannot_see_or_write(client) -> None:
    tree, _campaign, _applicant, did = await submitted(
        client, label="诚信他链", supervisor=False, county=False
    )
    other = await make_tree(client, label="诚信别处", supervisor=False, county=False)
    url = f"/v1/declarations/{did}/integrity-records"
    r = await post(client, url, other.tokens["series_office"], FINDING)
    assert r.status_code == 404
    future = {**FINDING, "recorded_on": (_today() + timedelta(days=2)).isoformat()}
    r = await post(client, url, tree.tokens["series_office"], future)
    assert r.status_code == 422
    assert r.json()["type"] == PROBLEM + "integrity-record-dates"
