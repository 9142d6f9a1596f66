"""Acceptance: a 柳州 副高 declaration from draft to accepted on the real stack.

Unit (defence, deliberation, posting across the 2022 National Day holiday, recommendation),
supervisor, county office (one return, one resubmission), series office, committee office;
then every audit row, every outbox row, and each relayed exactly once to the Redis queue.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import openpyxl
from arq import create_pool
from arq.connections import RedisSettings
from sqlmodel import select

from services.api.chain.submission import content_hash
from services.api.models import DeclarationSnapshot
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import Notification, job_id, relay
from services.kit.queue import NOTIFY_QUEUE
from services.kit.sms_templates import by_day, daytime
from services.notify.sms.templates import get_template
from tests.api.factories import (
    FACTS,
    OPS,
    SECTIONS,
    auth,
    complete_unit_step,
    evidence_for,
    make_campaign,
    make_tree,
    post,
    submission,
    upload_materials,
    verified_applicant,
    wanted_materials,
)
from tests.conftest import Stack

UNIT_REVIEW = {
    "defence_on": "2022-09-20",
    "deliberation_on": "2022-09-26",
    "panel": ["甲", "乙", "丙", "丁", "戊"],
    "posting_start_on": "2022-09-28",
    "posting_end_on": "2022-10-11",
    "recommendation": {
        "moral_character": "遵纪守法，作风正派，职业道德良好",
        "work_results": "主持完成某型底盘研制，成效显著",
        "professional_level": "熟练掌握机械设计理论，专业基础扎实",
        "competence": "能独立解决复杂技术问题，指导助理工程师",
        "work_attitude": "工作认真负责，积极主动",
        "agree": True,
        "recommended_on": "2022-10-12",
    },
}


async def test_liuzhou_deputy_senior_walks_the_whole_chain(client, stack: Stack) -> None:
    tree = await make_tree(client, label="柳州e2e")
    t = tree.tokens
    campaign = await make_campaign(client)
    # Signed in with an SMS code: notices go to that phone, not to the one in the form.
    applicant, phone = await verified_applicant(client)
    assert phone != SECTIONS["basic_info"]["phone"]

    # A draft with nothing filled in: submission lists every missing item at once.
    r = await post(
        client,
        "/v1/declarations",
        applicant,
        {
            "campaign_id": campaign["id"],
            "unit_org_id": tree.unit,
            "level": "deputy_senior",
            "specialty": "eng-mechanical",
            "applicant_facts": FACTS,
        },
    )
    assert r.status_code == 201, r.text
    declaration = r.json()
    did = declaration["id"]
    url = f"/v1/declarations/{did}"
    r = await submission(client, url + "/submissions", applicant)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == "urn:zhicheng:problem:declaration-incomplete"
    sections = {e["section"] for e in problem["errors"] if e["kind"] == "section"}
    assert {"basic_info", "education", "papers", "main_experience", "achievements"} <= sections
    materials = wanted_materials(problem["errors"])

    # The materials are uploaded as scans; their attachments name the documents.
    attachments = await upload_materials(client, did, applicant, materials)
    assert {a["kind"] for a in attachments} >= set(materials)

    # Fill it in (If-Match required; a stale one is 412).
    r = await client.patch(url, json={"sections": SECTIONS}, headers=auth(applicant))
    assert r.status_code == 428
    body = {"sections": SECTIONS, "attachments": attachments}
    r = await client.patch(url, json=body, headers=auth(applicant, **{"If-Match": '"99"'}))
    assert r.status_code == 412
    r = await client.patch(
        url, json=body, headers=auth(applicant, **{"If-Match": r.json()["current_etag"]})
    )
    assert r.status_code == 200, r.text
    # Each paper and achievement brings its own scans (002 一（二）5（2）、7), each uploaded
    # for its entry; the attachments then name the entry they prove.
    docs = await evidence_for(client, did, applicant, SECTIONS)
    r = await client.get(url, headers=auth(applicant))
    proved = {
        (a["item"]["section"], a["document_kind"]) for a in r.json()["attachments"] if "item" in a
    }
    assert ("papers", "paper_cover") in proved and ("achievements", "achievement_proof") in proved
    assert len(proved) == len(docs)
    r = await submission(client, url + "/submissions", applicant, key="submit-1")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "unit_review"
    assert r.json()["eligibility"]["eligible"] is True
    # The same key and body replays the first answer; another body with it is refused.
    again = await submission(client, url + "/submissions", applicant, key="submit-1")
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == r.json()
    other = await submission(client, url + "/submissions", applicant, {"x": 1}, key="submit-1")
    assert other.status_code == 422
    assert other.json()["type"] == "urn:zhicheng:problem:idempotency-key-reused"

    # Unit review: four working days across National Day are not enough under the strict rule.
    ur = url + "/unit-review"
    short = {**UNIT_REVIEW, "posting_end_on": "2022-10-10"}
    r = await client.put(ur, json=short, headers=auth(t["unit_reviewer"]))
    assert r.status_code == 422, r.text
    assert r.json()["posting_working_days"] == 4
    bad = {
        **UNIT_REVIEW,
        "defence_on": "2022-09-27",
        "panel": ["甲", "乙", "丙", "丁"],
        "recommendation": {**UNIT_REVIEW["recommendation"], "competence": "同意推荐"},
    }
    r = await client.put(ur, json=bad, headers=auth(t["unit_reviewer"]))
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"defence_on", "panel", "recommendation.competence"} <= fields
    defence_at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    r = await client.put(
        ur,
        json={**UNIT_REVIEW, "defence_at": defence_at.isoformat(), "defence_place": "厂部会议室"},
        headers=auth(t["unit_reviewer"]),
    )
    assert r.status_code == 200, r.text
    assert r.json()["posting_working_days"] == 5

    # The unit's posting list, CSV and XLSX.
    r = await client.get(
        f"/v1/campaigns/{campaign['id']}/posting-list", headers=auth(t["unit_reviewer"])
    )
    assert r.status_code == 200 and "韦工" in r.text and "汽车底盘轻量化设计" in r.text
    r = await client.get(
        f"/v1/campaigns/{campaign['id']}/posting-list?format=xlsx", headers=auth(t["unit_reviewer"])
    )
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in sheet[3]][1:3] == ["韦工", "副高级"]

    await complete_unit_step(client, did, t["unit_reviewer"])
    for role, status in (("unit_reviewer", "supervisor_review"), ("supervisor", "county_review")):
        r = await post(client, url + "/approvals", t[role], {"comment": "材料齐全"})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status

    # The county office returns it with one complete list and a deadline.
    deadline = (datetime.now(UTC) + timedelta(days=4)).replace(microsecond=0)
    items = [
        {"section": "papers", "message": "论文缺期刊目录页"},
        {"section": "awards", "message": "请补充获奖证书扫描件"},
    ]
    r = await post(
        client,
        url + "/returns",
        t["county_office"],
        {"items": items, "deadline_at": deadline.isoformat()},
    )
    assert r.status_code == 201, r.text
    assert r.json()["n"] == 1
    r = await post(
        client,
        url + "/returns",
        t["county_office"],
        {"items": items, "deadline_at": deadline.isoformat()},
    )
    assert r.status_code == 409
    r = await client.get(url + "/progress", headers=auth(applicant))
    progress = r.json()
    assert progress["status"] == "returned"
    assert progress["open_return"]["items"] == items
    assert [s["kind"] for s in progress["steps"]] == [
        "unit",
        "supervisor",
        "county_office",
        "series_office",
        "committee_office",
    ]

    r = await client.get(url, headers=auth(applicant))
    awards = {
        "awards": [
            {"name": "柳州市科技进步奖", "awarded_on": "2021-12-01", "issuer": "柳州市人民政府"}
        ]
    }
    r = await client.patch(
        url, json={"sections": awards}, headers=auth(applicant, **{"If-Match": r.headers["etag"]})
    )
    assert r.status_code == 200, r.text
    # The award brings its own certificate (002 一（二）8): without it, no resubmission.
    r = await submission(client, url + "/submissions", applicant)
    assert r.status_code == 422, r.text
    lacking = [e for e in r.json()["errors"] if e["kind"] == "evidence"]
    assert [(e["item"], e["document_kinds"]) for e in lacking] == [
        ({"section": "awards", "index": 0}, ["award_certificate"])
    ]
    await evidence_for(client, did, applicant, awards)
    r = await submission(client, url + "/submissions", applicant)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "county_review"  # back at the level that returned it
    # The certificate came after the unit's step: the county office that returned the
    # declaration checks its original before passing it up.
    r = await post(client, url + "/approvals", t["county_office"])
    assert r.status_code == 409 and r.json()["type"].endswith("originals-unchecked"), r.text
    [certificate] = r.json()["document_ids"]
    r = await client.put(
        f"{url}/original-checks/{certificate}",
        json={"seen_original": True},
        headers=auth(t["county_office"]),
    )
    assert r.status_code == 200, r.text

    expected = [
        ("county_office", "series_office_review"),
        ("series_office", "committee_office_review"),
        ("committee_office", "accepted"),
    ]
    for role, status in expected:
        r = await post(client, url + "/approvals", t[role])
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status
    r = await post(client, url + "/payment-notices", t["committee_office"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "payment_due"

    # Every audit row, in order, and the chain verifies.
    r = await client.get(url + "/audit", headers=auth(applicant))
    # The unit's own records (its materials, 原件核实, its pledge) come before its approval.
    unit_records = ("unit_material_filed", "original_checked", "unit_pledge_signed")
    entries = [e for e in r.json() if e["action"] not in unit_records]
    kept = [e["action"] for e in r.json() if e["action"] in unit_records]
    assert kept.count("unit_material_filed") == 4
    # The unit's pledge ends its records; the county office's check of the certificate
    # that came after its return is the last.
    assert kept[-2:] == ["unit_pledge_signed", "original_checked"]
    # One per applicant document: the materials, each entry's evidence, the certificate.
    assert kept.count("original_checked") == len(body["attachments"]) + len(docs) + 1
    trail = [(e["action"], e["from_status"], e["to_status"]) for e in entries]
    assert trail == [
        ("created", None, "draft"),
        ("submitted", "draft", "submitted"),
        ("entered_review", "submitted", "unit_review"),
        ("unit_review_recorded", "unit_review", "unit_review"),
        ("approved", "unit_review", "supervisor_review"),
        ("approved", "supervisor_review", "county_review"),
        ("returned", "county_review", "returned"),
        ("resubmitted", "returned", "county_review"),
        ("approved", "county_review", "series_office_review"),
        ("approved", "series_office_review", "committee_office_review"),
        ("approved", "committee_office_review", "accepted"),
        ("payment_due", "accepted", "payment_due"),
    ]
    actors = [e["actor_role"] for e in entries]
    assert actors[4:7] == ["unit_reviewer", "supervisor", "county_office"]
    assert all(e["reason"] or e["action"] == "created" for e in r.json())
    r = await client.get("/v1/audit/verification", headers=auth(OPS))
    assert r.json()["intact"] is True and r.json()["rows"] >= len(trail) + len(kept)

    # The unit's recommendation was later returned by a higher level: 100% → rectify.
    r = await client.get(
        f"/v1/campaigns/{campaign['id']}/unit-quality", headers=auth(t["series_office"])
    )
    [quality] = r.json()
    assert (quality["recommended"], quality["with_problems"], quality["flag"]) == (1, 1, "rectify")

    # Every outbox row, and each relayed to the queue exactly once.
    engine = make_engine(stack.database_url)
    maker = make_sessionmaker(engine)
    async with maker() as session:
        rows = (
            await session.exec(
                select(Notification)
                .where(Notification.declaration_id == uuid.UUID(did))
                .order_by(Notification.created_at)
            )
        ).all()
        snapshots = (
            await session.exec(
                select(DeclarationSnapshot)
                .where(DeclarationSnapshot.declaration_id == uuid.UUID(did))
                .order_by(DeclarationSnapshot.n)
            )
        ).all()
    by_key = {n.dedupe_key.split(":", 2)[2]: n for n in rows}
    immediate = {
        # Each submission's receipt: the first, and the resubmission after the return.
        "submitted:1": ("declaration.submitted", "DECLARATION_SUBMITTED"),
        "submitted:2": ("declaration.resubmitted", "DECLARATION_SUBMITTED"),
        f"defence:{defence_at.isoformat()}": ("declaration.defence_scheduled", "DEFENCE_SCHEDULED"),
        "returned:1": ("declaration.returned", "DECLARATION_RETURNED"),
        "accepted": ("declaration.accepted", "DECLARATION_ACCEPTED"),
        "payment_due": ("declaration.payment_due", "PAYMENT_DUE"),
    }
    reminders = {
        # A return's one reminder, 2 days before its deadline (in the daytime).
        "returned:1:reminder:2d": ("declaration.correction_reminder", "cancelled", 2),
        "payment_due:reminder:3d": ("declaration.payment_reminder", "created", 3),
        "payment_due:reminder:1d": ("declaration.payment_reminder", "created", 1),
    }
    assert set(by_key) == set(immediate) | set(reminders)
    for key, (event, template) in immediate.items():
        n = by_key[key]
        assert (n.event, n.template_code, n.send_after) == (event, template, None)
        assert n.phone == "+86" + phone and n.enqueued_at is not None
        assert n.params["name"] == "韦工"
    for key, (event, status, days) in reminders.items():
        n = by_key[key]
        assert (n.event, n.status, n.enqueued_at) == (event, status, None)
        # Never at night: a reminder that would fall at night waits for 08:00 (北京时间).
        assert n.send_after == by_day(n.not_after - timedelta(days=days))
        assert daytime(n.send_after)
    assert by_key["returned:1"].params["deadline"].startswith(f"{deadline.year}年")
    assert by_key["accepted"].params["title"] == "高级工程师"
    # The receipts name who acts next: the unit first, then the county office that
    # returned it; each cites the route's clause.
    first, again = by_key["submitted:1"].params, by_key["submitted:2"].params
    assert (first["what"], first["step"]) == ("申报", "审核推荐")
    assert first["unit"].startswith("柳州e2e用人单位")
    assert (again["what"], again["step"]) == ("补正材料", "审核")
    assert again["unit"].startswith("柳州e2e县区职改办")
    assert first["clause"] and first["title"] == again["title"] == "高级工程师"
    assert by_key[f"defence:{defence_at.isoformat()}"].params["place"] == "厂部会议室"
    assert by_key["payment_due"].params["amount"] == "380"
    # Every notice renders with the notify worker's filed template.
    texts = [get_template(n.template_code).render(n.params) for n in rows]
    assert any("退回" in t and "一次性补正" in t for t in texts)
    assert [s.n for s in snapshots] == [1, 2]
    assert all(content_hash(s.content) == s.sha256 for s in snapshots)
    assert (
        "awards" in snapshots[1].content["sections"]
        and "awards" not in snapshots[0].content["sections"]
    )

    redis = await create_pool(RedisSettings.from_dsn(stack.redis_url))
    try:
        queued = {m.decode() for m in await redis.zrange(NOTIFY_QUEUE, 0, -1)}
        mine = {m for m in queued if any(str(n.id) in m for n in rows)}
        # Each immediate notice exactly once; reminders wait for their time (the worker's cron).
        assert mine == {job_id(by_key[k].id, 0) for k in immediate}
        # A second relay (a retry, the sweeper) queues nothing more.
        assert await relay(maker, redis, ids=[n.id for n in rows]) == 0
        assert await redis.zcard(NOTIFY_QUEUE) == len(queued)
    finally:
        await redis.aclose()
        await engine.dispose()
