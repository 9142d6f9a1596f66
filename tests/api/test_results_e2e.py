"""The results stage end to end on the real stack, through the public API only, continuing
the committee's path (tests/api/test_committee_e2e.py): declarations walked the chain and
paid, a drawn panel voted in secret, the session closed; then 复核 of one declaration, the
results posting (二次公示) across a holiday with its exports checked against the original,
and an objection filed online with a phone proved by SMS code and handled by the office;
confirmation is refused while the objection is open and again while the posting runs.
An office then records 失信 found on one passed declaration in the integrity register.

The posting must run five working days from today, so what follows its last day is
walked through "the same gateway days later": a second app over the same stack whose
clock runs ahead by CLOCK_OFFSET (a test-only setting, refused in production), not a
patched clock. Through it: objections are closed, the authority the campaign names
confirms (the declaration in the register is not confirmed), 批复 with a document number
moves each declaration to approved or rejected with one SMS each, certificates are issued
only there, verified in public (genuine, revoked after a revocation, unknown otherwise;
a tampered PDF fails), and the certificate and 评审表 PDFs are read back as text.

The seeds this rests on:
- `004_…` 五（二）: "2023年11月为自治区工艺美术系列职改办组织评审、复核与二次公示阶段。评审完成后的
  二次公示将在广西壮族自治区工业和信息化厅网站职称改革专栏进行。"
- `002_…` 二、1: "公示期不能少于5个工作日（双休日和节假日不计入公示时间）"
- `004_…` 五（三）: "对公示无异议的进行确认结果，并按评审批复审核权限进行批复"
- `004_…` 一（一）: "申报后出现上述情形的，评审结果不予确认。" (上述情形 5: "记入职称评审诚信
  档案库，仍在记录期限的")
- `004_…` 五（四）: "职称证书数据归集与核发阶段"
"""

from __future__ import annotations

import hashlib
import io
import random
import uuid
from datetime import date, timedelta

import httpx
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from services.api.certificates import pdf as certificate_pdf
from services.api.config import ApiSettings
from services.api.main import build_app
from services.api.models import AuditEntry
from services.api.results import approval, certs, exports
from services.kit.outbox import Notification
from tests.api.factories import (
    LOGIN_CODE,
    OPS,
    Tree,
    auth,
    make_campaign,
    make_org,
    post,
    token,
)
from tests.api.test_committee_e2e import (
    SEED_004,
    approved_experts,
    chain_to_paid,
    closed_ballot_session,
)
from tests.api.test_payments import KEY, callback, db, pay, payment  # noqa: F401 (fixtures)
from tests.conftest import Stack
from tests.support import running

SEED_RECHECK = "2023年11月为自治区工艺美术系列职改办组织评审、复核与二次公示阶段"
SEED_POSTING_DAYS = "公示期不能少于5个工作日（双休日和节假日不计入公示时间）"
SEED_CONFIRM = "对公示无异议的进行确认结果，并按评审批复审核权限进行批复"
SEED_NOT_CONFIRMED = "申报后出现上述情形的，评审结果不予确认。"
SEED_REGISTER = "记入职称评审诚信档案库，仍在记录期限的"
SEED_CERT = "职称证书数据归集与核发阶段"
FINDING = {"conduct": "提供虚假业绩证明", "basis": "经评委会所在职改办核查属实"}
CONFIRMATION = "桂职办〔2026〕7号"
APPROVAL = "柳工职称〔2026〕9号"
OCTETS = {"Content-Type": "application/octet-stream"}
PANEL = 11  # a prefecture committee's minimum (人社部令第40号, the committee's setting)


def _seed(name: str) -> str:
    return (SEED_004.parent / name).read_text(encoding="utf-8")


async def _sms_code(client: httpx.AsyncClient, own: httpx.AsyncClient, phone: str) -> str:
    r = await own.post("/v1/auth/sms-codes", json={"phone": phone})
    assert r.status_code == 202, r.text
    app = client._transport.app
    async with app.state.sessionmaker() as session:
        query = select(Notification.params).where(
            Notification.phone == "+86" + phone, Notification.event == LOGIN_CODE
        )
        return list((await session.exec(query)).all())[-1]["code"]


def _next_monday(on: date) -> date:
    return on + timedelta(days=(7 - on.weekday()) % 7 or 7)


async def test_results_end_to_end(
    pay,  # noqa: F811
    db,  # noqa: F811
    stack: Stack,
    rules_url: str,
    documents_url: str,
) -> None:
    seed_004 = SEED_004.read_text(encoding="utf-8")
    for sentence in (SEED_RECHECK, SEED_CONFIRM, SEED_NOT_CONFIRMED, SEED_REGISTER, SEED_CERT):
        assert sentence in seed_004, sentence
    assert SEED_POSTING_DAYS in _seed("002_c357e6c04b2c59bf.txt")
    client = pay
    label = f"结果{uuid.uuid4().hex[:4]}"
    committee = await make_org(client, "committee_office", f"{label}评委会所在职改办", None)
    series = await make_org(client, "series_office", f"{label}系列职改办", committee)
    sup = await make_org(client, "supervisor", f"{label}主管部门", series)
    # A unit whose name a spreadsheet would take for a formula: it must stay text.
    units = [
        await make_org(client, "unit", f"{label}申报单位甲", sup, region="450206"),
        await make_org(client, "unit", f'=HYPERLINK("x"){label}', sup, region="450206"),
        await make_org(client, "unit", f"{label}申报单位丙", sup, region="450206"),
    ]
    office_tok = token("committee_office", committee, sub=f"{label}-committee")
    other_office = token("committee_office", uuid.uuid4(), sub=f"{label}-other")
    campaign = await make_campaign(client)
    dids: list[str] = []
    for i, unit in enumerate(units):
        tree = Tree(committee, series, None, sup, unit)
        tree.tokens = {
            "unit_reviewer": token("unit_reviewer", unit, sub=f"{label}-unit-{i}"),
            "supervisor": token("supervisor", sup, sub=f"{label}-sup"),
            "series_office": token("series_office", series, sub=f"{label}-series"),
            "committee_office": office_tok,
        }
        chain = ["unit_reviewer", "supervisor", "series_office", "committee_office"]
        dids.append(await chain_to_paid(client, tree, campaign, chain))

    # The committee: 11 experts, a session, the draw, all present, the secret ballot.
    experts = await approved_experts(client, committee, office_tok, label, PANEL)
    panel = list(experts)
    plans = {dids[0]: 11, dids[1]: 5, dids[2]: 10}  # agree votes of 11; 8 needed (2/3)
    sid, closed = await closed_ballot_session(client, office_tok, campaign, experts, plans)
    s = f"/v1/committee-sessions/{sid}"
    tallies = {t["declaration_id"]: t["outcome"] for t in closed}
    assert [tallies[d]["passed"] for d in dids] == [True, False, True]

    # 复核 of the declaration that failed: reopened with a reason, If-Match its version.
    url = f"/v1/declarations/{dids[1]}"
    r = await post(client, url + "/rechecks", office_tok, {"reason": "申报人提出复核申请"})
    assert r.status_code == 428, r.text
    d_etag = (await client.get(url, headers=auth(OPS))).headers["ETag"]
    r = await post(
        client, url + "/rechecks", other_office, {"reason": "别处职改办"}, **{"If-Match": d_etag}
    )
    assert r.status_code in (403, 404), r.text
    r = await post(client, url + "/rechecks", office_tok, {"reason": "x"}, **{"If-Match": d_etag})
    assert r.status_code == 422 and "reason" in r.text  # a reason, not a letter
    reason = "申报人对评审结果提出复核申请，经审核同意复核"
    r = await post(
        client, url + "/rechecks", office_tok, {"reason": reason}, **{"If-Match": d_etag}
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["previous"]["passed"] is False and r.json()["outcome"] is None
    d_etag = r.headers["ETag"]
    r = await post(
        client, url + "/rechecks", office_tok, {"reason": reason}, **{"If-Match": d_etag}
    )
    assert r.json()["type"].endswith("recheck-open"), r.text
    # A posting cannot go out while a 复核 is open.
    monday = _next_monday(date.today())
    window = {"starts_on": monday.isoformat(), "ends_on": (monday + timedelta(days=7)).isoformat()}
    r = await post(client, s + "/results-posting", office_tok, window)
    assert r.json()["type"].endswith("recheck-open"), r.text
    # The re-vote: sealed ballots of the experts present, one each.
    rc = f"/v1/rechecks/{rid}"
    for k, expert_id in enumerate(panel):
        choice = "agree" if k < 9 else "abstain"
        r = await post(client, rc + "/ballots", experts[expert_id], {"choice": choice})
        assert r.status_code == 201, r.text
        assert choice not in r.text
    r = await post(client, rc + "/ballots", experts[panel[0]], {"choice": "disagree"})
    assert r.json()["type"].endswith("recheck-already-voted"), r.text
    r = await post(client, rc + "/ballots", office_tok, {"choice": "agree"})
    assert r.status_code == 403
    # A vote-only session is re-voted, never re-scored: no marks, no adjustments, no grade.
    r = await post(client, rc + "/marks", experts[panel[0]], {"material": "80", "live": "80"})
    assert r.status_code == 409 and r.json()["type"].endswith("session-not-scored"), r.text
    adjustment = {"item": "papers", "points": "1", "reason": "表决制不调整"}
    r = await post(client, rc + "/adjustments", office_tok, adjustment)
    assert r.json()["type"].endswith("session-not-scored"), r.text
    r = await client.get(rc, headers=auth(office_tok))
    assert r.json()["outcome"] is None and r.json()["status"] == "open"
    rc_etag = r.headers["ETag"]
    r = await post(client, rc + "/closing", office_tok)
    assert r.status_code == 428
    r = await post(
        client, rc + "/closing", office_tok, {"grade": "excellent"}, **{"If-Match": rc_etag}
    )
    assert r.json()["type"].endswith("session-not-scored"), r.text
    r = await post(client, rc + "/closing", office_tok, **{"If-Match": rc_etag})
    assert r.status_code == 200, r.text
    outcome = r.json()["outcome"]
    assert (outcome["agree"], outcome["disagree"], outcome["abstain"]) == (9, 0, 2)
    assert outcome["passed"] is True and r.json()["status"] == "closed"
    r = await post(client, rc + "/ballots", experts[panel[10]], {"choice": "agree"})
    assert r.json()["type"].endswith("recheck-closed"), r.text
    r = await client.get(s + "/tallies", headers=auth(office_tok))
    assert {t["declaration_id"]: t["outcome"]["passed"] for t in r.json()}[dids[1]] is True
    trail = (await client.get(url + "/audit", headers=auth(OPS))).json()
    actions = [row["action"] for row in trail]
    assert actions.count("recheck_ballot_cast") == PANEL
    assert actions[-1] == "recheck_closed" and "recheck_opened" in actions
    opened = next(row for row in trail if row["action"] == "recheck_opened")
    assert reason in opened["reason"]
    r = await client.get(url, headers=auth(OPS))
    assert r.json()["status"] == "evaluated"
    await _recheck_lists(client, url, rid, reason, office_tok, other_office, experts, panel)

    # The posting runs across a holiday: ops marks the Wednesday a holiday on the work
    # calendar, so five working days from Monday end the next Monday, not on Friday.
    holiday = monday + timedelta(days=2)
    r = await client.get(f"/v1/work-calendar/days/{holiday}", headers=auth(OPS))
    assert r.status_code == 200 and r.json()["workday"] is True, r.text
    try:
        r = await post(
            client,
            "/v1/work-calendar/days",
            OPS,
            {"day": holiday.isoformat(), "kind": "holiday", "name": "测试假日"},
        )
        assert r.status_code in (200, 201), r.text
        pid, ends = await _posting_and_objections(client, db, s, sid, dids, office_tok, monday)
    finally:
        await post(
            client,
            "/v1/work-calendar/days",
            OPS,
            {"day": holiday.isoformat(), "kind": "workday"},
        )

    # After the committee, while the posting runs, the office finds 失信 on a passed
    # declaration and records it in the integrity register (记录期限3年).
    r = await post(client, f"/v1/declarations/{dids[2]}/integrity-records", office_tok, FINDING)
    assert r.status_code == 201 and r.json()["in_force"] is True, r.text

    # The same gateway days later: the day after the posting's last day.
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=documents_url,
        payment_callback_key=KEY,
        payment_sweep_interval=0,
        # Days ahead on the shared database: no sweep may act on other tests' rows by
        # this clock (a return of theirs would lapse days early).
        return_sweep_interval=0,
        reminder_sweep_interval=0,
        radar_sweep_interval=0,
        clock_offset=timedelta(days=(ends - date.today()).days + 1),
    )
    async with running(build_app(settings)) as later:
        await _confirmation_and_approval(later, db, pid, dids, office_tok, ends)

    r = await client.get("/v1/audit/verification", headers=auth(OPS))
    assert r.status_code == 200 and r.json()["first_broken_seq"] is None, r.text


async def _recheck_lists(client, url, rid, reason, office_tok, other_office, experts, panel):
    """A declaration's 复核, listed newest first for the office and ops; not for the
    applicant, an expert (the session closed: the declaration is no longer before them) or
    another office."""
    listing = url + "/rechecks"
    r = await client.get(listing, headers=auth(office_tok))
    assert r.status_code == 200, r.text
    [first] = r.json()
    assert (first["id"], first["status"], first["reason"]) == (rid, "closed", reason)
    assert first["previous"]["passed"] is False and first["outcome"]["passed"] is True
    assert first == (await client.get(f"/v1/rechecks/{rid}", headers=auth(office_tok))).json()
    assert (await client.get(listing, headers=auth(OPS))).json() == [first]
    owner = await _applicant(client, url.rsplit("/", 1)[1])
    r = await client.get(listing, headers=auth(owner))
    assert r.status_code == 403, r.text
    for outsider in (experts[panel[0]], other_office, token("applicant")):
        r = await client.get(listing, headers=auth(outsider))
        assert r.status_code == 404, r.text
        assert r.json()["type"].endswith("declaration-not-found"), r.text
    # A second 复核 of the same declaration comes first in the list, open, then closed.
    d_etag = (await client.get(url, headers=auth(OPS))).headers["ETag"]
    again = "评审会后收到补充的业绩证明，再次复核"
    r = await post(client, listing, office_tok, {"reason": again}, **{"If-Match": d_etag})
    assert r.status_code == 201, r.text
    second = r.json()["id"]
    r = await client.get(listing, headers=auth(office_tok))
    assert [(rc["id"], rc["status"]) for rc in r.json()] == [(second, "open"), (rid, "closed")]
    assert r.json()[0]["reason"] == again and r.json()[0]["outcome"] is None
    rc = f"/v1/rechecks/{second}"
    for k, expert_id in enumerate(panel):
        choice = "agree" if k < 9 else "abstain"
        r = await post(client, rc + "/ballots", experts[expert_id], {"choice": choice})
        assert r.status_code == 201, r.text
    rc_etag = (await client.get(rc, headers=auth(office_tok))).headers["ETag"]
    r = await post(client, rc + "/closing", office_tok, **{"If-Match": rc_etag})
    assert r.status_code == 200 and r.json()["outcome"]["passed"] is True, r.text
    r = await client.get(listing, headers=auth(OPS))
    assert [(rc["id"], rc["status"]) for rc in r.json()] == [(second, "closed"), (rid, "closed")]


async def _posting_and_objections(client, db, s, sid, dids, office_tok, monday) -> None:  # noqa: F811
    friday = monday + timedelta(days=4)
    r = await post(
        client,
        s + "/results-posting",
        office_tok,
        {"starts_on": monday.isoformat(), "ends_on": friday.isoformat()},
    )
    assert r.status_code == 422 and r.json()["type"].endswith("results-posting-too-short"), r.text
    assert "只有4个工作日" in r.json()["detail"]
    past = date.today() - timedelta(days=3)
    r = await post(
        client,
        s + "/results-posting",
        office_tok,
        {"starts_on": past.isoformat(), "ends_on": (past + timedelta(days=14)).isoformat()},
    )
    assert r.json()["type"].endswith("results-posting-start-invalid"), r.text
    ends = monday + timedelta(days=7)
    r = await post(
        client,
        s + "/results-posting",
        office_tok,
        {"starts_on": monday.isoformat(), "ends_on": ends.isoformat()},
    )
    assert r.status_code == 201, r.text
    posting = r.json()
    assert posting["working_days"] == 5
    pid = posting["id"]
    r = await post(
        client,
        s + "/results-posting",
        office_tok,
        {"starts_on": monday.isoformat(), "ends_on": ends.isoformat()},
    )
    assert r.json()["type"].endswith("results-posting-exists"), r.text

    # The public page, without a token: masked names, no ids, the result after 复核.
    r = await client.get(f"/v1/public/results-postings/{pid}")
    assert r.status_code == 200, r.text
    page = r.json()
    assert "declaration_id" not in r.text and "韦工" not in r.text
    assert [row["name"] for row in page["rows"]] == ["韦*"] * 3
    assert sorted(row["result"] for row in page["rows"]) == ["通过"] * 3
    assert {row["level"] for row in page["rows"]} == {"副高级"}
    assert {row["series"] for row in page["rows"]} == {"工程系列"}
    document = {
        "title": page["title"],
        "session_id": sid,
        "starts_on": page["starts_on"],
        "ends_on": page["ends_on"],
        "rows": page["rows"],
    }
    digest = hashlib.sha256(exports.canonical(document)).hexdigest()
    assert page["content_sha256"] == digest
    r2 = await client.get(
        f"/v1/public/results-postings/{pid}", headers={"If-None-Match": r.headers["ETag"]}
    )
    assert r2.status_code == 304
    r = await client.get("/v1/public/results-postings")
    assert pid in {p["id"] for p in r.json()}
    # The hash is in the audit chain.
    rows = (
        await db.exec(
            select(AuditEntry)
            .where(AuditEntry.action == "results_posting_published")
            .where(AuditEntry.reason.contains(sid))
            .execution_options(populate_existing=True)
        )
    ).all()
    assert len(rows) == 1 and digest in rows[0].reason

    # The exports print the hash; XLSX cells are text, never formulas.
    r = await client.get(f"/v1/public/results-postings/{pid}/export.xlsx")
    assert r.status_code == 200
    xlsx = r.content
    assert hashlib.sha256(xlsx).hexdigest() == page["xlsx_sha256"]
    sheet = load_workbook(io.BytesIO(xlsx)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in cells)
    assert any(str(c.value).startswith("=HYPERLINK") for c in cells)
    assert any(digest in str(c.value) for c in cells)
    r = await client.get(f"/v1/public/results-postings/{pid}/export.pdf")
    pdf = r.content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert digest in text.replace("\n", "") and "评审结果公示" in text
    # A copy checks against the original; an altered one does not.
    check = "/v1/public/results-postings/verification"
    for content, kind in ((xlsx, "xlsx"), (pdf, "pdf")):
        r = await client.post(check, content=content, headers=OCTETS)
        assert r.status_code == 200, r.text
        assert r.json() == {
            "matches": True,
            "posting_id": pid,
            "format": kind,
            "content_sha256": digest,
        }
    book = load_workbook(io.BytesIO(xlsx))
    book.active["G5"] = "未通过"
    tampered = io.BytesIO()
    book.save(tampered)
    for content in (tampered.getvalue(), pdf.replace(b"zhicheng", b"zhichenG", 1)):
        r = await client.post(check, content=content, headers=OCTETS)
        assert r.json()["matches"] is False

    # An objection online: a name and a phone proved by an SMS code.
    phone = "137" + f"{random.randrange(10**8):08d}"
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    transport = httpx.ASGITransport(app=client._transport.app, client=(address, 40000))
    target = next(row["no"] for row in page["rows"])
    objection = {
        "no": target,
        "content": "该申报人论文存在代写嫌疑，请核查。",
        "contact_name": "林先生",
        "phone": phone,
        "code": "000000",
    }
    objections = f"/v1/public/results-postings/{pid}/objections"
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as own:
        code = await _sms_code(client, own, phone)
        wrong = "000001" if code == "000000" else "000000"
        r = await own.post(objections, json={**objection, "code": wrong})
        assert r.status_code in (400, 401, 422) and "验证码" in r.json()["detail"], r.text
        r = await own.post(objections, json={**objection, "no": 99, "code": code})
        assert r.json()["type"].endswith("results-posting-row-unknown"), r.text
        r = await own.post(objections, json={**objection, "code": code})
        assert r.status_code == 201, r.text
        oid = r.json()["id"]
        r = await own.post(objections, json={**objection, "code": code})
        assert r.status_code in (400, 401, 422), r.text  # a code is used once
    listed = f"/v1/results-postings/{pid}/objections"
    r = await client.get(listed)
    assert r.status_code == 401
    r = await client.get(listed, headers=auth(office_tok))
    [found] = r.json()
    assert found["id"] == oid and found["status"] == "open"
    assert phone not in r.text and found["contact_phone"].endswith(phone[-4:])
    objected = found["declaration_id"]
    assert objected in dids
    # 对公示无异议的进行确认结果: not while an objection is open.
    office_view = f"/v1/results-postings/{pid}"
    r = await client.get(office_view, headers=auth(office_tok))
    assert r.status_code == 200 and r.json()["version"] == 1, r.text
    p_etag = r.headers["ETag"]
    confirmation = {"document_number": "桂职办〔2026〕1号"}
    r = await post(
        client, office_view + "/confirmation", office_tok, confirmation, **{"If-Match": p_etag}
    )
    assert r.json()["type"].endswith("objections-unresolved"), r.text
    assert "1条异议" in r.json()["detail"]
    handling = f"/v1/results-objections/{oid}/handling"
    decision = {"decision": "dismissed", "handling": "经核查，论文系本人独立完成，异议不成立。"}
    r = await post(client, handling, office_tok, decision)
    assert r.status_code == 428
    r = await post(client, handling, office_tok, decision, **{"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "dismissed"
    r = await post(client, handling, office_tok, decision, **{"If-Match": '"2"'})
    assert r.json()["type"].endswith("objection-already-handled"), r.text
    trail = (await client.get(f"/v1/declarations/{objected}/audit", headers=auth(OPS))).json()
    actions = [row["action"] for row in trail]
    assert "results_objection_received" in actions and "results_objection_handled" in actions
    assert phone not in str(trail)
    # Handled, but the posting still runs: no confirmation, no 批复 before it.
    r = await post(
        client, office_view + "/confirmation", office_tok, confirmation, **{"If-Match": p_etag}
    )
    assert r.json()["type"].endswith("results-posting-running"), r.text
    assert page["ends_on"] in r.json()["detail"]
    r = await post(
        client,
        office_view + "/approval",
        office_tok,
        {"document_number": "柳工职称〔2026〕9号", "approved_on": ends.isoformat()},
        **{"If-Match": p_etag},
    )
    assert r.json()["type"].endswith("results-not-confirmed"), r.text
    # Nothing to download or verify before 批复.
    r = await client.get(f"/v1/declarations/{dids[0]}/review-form.pdf", headers=auth(OPS))
    assert r.json()["type"].endswith("review-form-unavailable"), r.text
    r = await client.get(f"/v1/declarations/{dids[0]}/certificate", headers=auth(OPS))
    assert r.status_code == 404 and r.json()["type"].endswith("no-certificate"), r.text
    r = await client.get(f"/v1/declarations/{dids[0]}/result", headers=auth(OPS))
    assert r.status_code == 404, r.text
    assert r.json()["type"] == "urn:zhicheng:problem:result-not-yet", r.text
    r = await client.get(
        "/v1/public/certificates/verification",
        params={"certificate_id": str(uuid.uuid4()), "name": "韦工"},
    )
    assert r.status_code == 200 and r.json() == {"status": "unknown"}, r.text
    # No 复核 once the results are posted.
    url = f"/v1/declarations/{dids[0]}"
    d_etag = (await client.get(url, headers=auth(OPS))).headers["ETag"]
    r = await post(
        client, url + "/rechecks", office_tok, {"reason": "公示后复核"}, **{"If-Match": d_etag}
    )
    assert r.json()["type"].endswith("recheck-after-posting"), r.text
    return pid, ends


def _text(pdf: bytes) -> str:
    """A PDF's text with line breaks and spaces gone (wrapped cells rejoined)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "".join(page.extract_text() for page in pages).replace("\n", "").replace(" ", "")


async def _applicant(later: httpx.AsyncClient, did: str) -> str:
    """A token of the declaration's own applicant (the holder)."""
    r = await later.get(f"/v1/declarations/{did}", headers=auth(OPS))
    return token("applicant", sub=r.json()["applicant_sub"])


async def _confirmation_and_approval(later, db, pid, dids, office_tok, ends) -> None:  # noqa: F811
    """The posting is over: confirmation, 批复, SMS, certificates, verification, 评审表."""
    public = f"/v1/public/results-postings/{pid}"
    r = await later.post(
        public + "/objections",
        json={
            "no": 1,
            "content": "公示期后补充异议。",
            "contact_name": "林先生",
            "phone": "13700000000",
            "code": "000000",
        },
    )
    assert r.status_code == 409 and r.json()["type"].endswith("results-posting-closed"), r.text
    assert ends.isoformat() in r.json()["detail"]

    # 结果确认 by the authority the campaign names: 广西副高 → 自治区职改办, with its
    # confirmation document (桂职办〔2020〕113号).
    office_view = f"/v1/results-postings/{pid}"
    r = await later.get(office_view, headers=auth(office_tok))
    p_etag = r.headers["ETag"]
    r = await post(later, office_view + "/confirmation", office_tok, {}, **{"If-Match": p_etag})
    assert r.json()["type"].endswith("confirmation-document-required"), r.text
    body = {"document_number": CONFIRMATION}
    r = await post(later, office_view + "/confirmation", office_tok, body, **{"If-Match": p_etag})
    assert r.status_code == 200, r.text
    assert "自治区职改办" in r.json()["confirmation_authority"]
    assert r.json()["confirmation_document"] == CONFIRMATION
    p_etag = r.headers["ETag"]
    r = await post(later, office_view + "/confirmation", office_tok, body, **{"If-Match": p_etag})
    assert r.json()["type"].endswith("results-already-confirmed"), r.text
    # 申报后出现上述情形的，评审结果不予确认: the declaration in the register is withheld,
    # with the entry and the clause, in its audit trail; the others are not.
    for did in dids:
        trail = (await later.get(f"/v1/declarations/{did}/audit", headers=auth(OPS))).json()
        withheld = [e for e in trail if e["action"] == "results_not_confirmed"]
        if did != dids[2]:
            assert not withheld, did
            continue
        [entry] = withheld
        assert FINDING["conduct"] in entry["reason"]
        assert SEED_NOT_CONFIRMED in entry["reason"] and "桂工信职办〔2023〕6号" in entry["reason"]

    # Confirmed, not yet approved: the applicant has no result to read.
    owner = await _applicant(later, dids[0])
    r = await later.get(f"/v1/declarations/{dids[0]}/result", headers=auth(owner))
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem")
    assert r.json()["type"] == "urn:zhicheng:problem:result-not-yet", r.text
    assert "尚未批复" in r.json()["detail"] and "五（三）" in r.json()["detail"]

    # 批复 with its document number: approved or rejected, certificates for the approved.
    approved_on = ends + timedelta(days=1)
    decision = {"document_number": APPROVAL, "approved_on": approved_on.isoformat()}
    r = await post(later, office_view + "/approval", office_tok, decision)
    assert r.status_code == 428, r.text
    r = await post(later, office_view + "/approval", office_tok, decision, **{"If-Match": p_etag})
    assert r.status_code == 200, r.text
    done = r.json()
    assert sorted(done["approved"]) == sorted(dids[:2]) and done["rejected"] == [dids[2]]
    assert sorted(done["certificates"]) == sorted(dids[:2])
    assert done["posting"]["approval_number"] == APPROVAL
    # The approved list is published (主动公开) like the posting: the two approved only.
    publication = done["publication"]
    assert publication["kind"] == "publication" and APPROVAL in publication["title"]
    assert [row["result"] for row in publication["rows"]] == ["通过", "通过"]
    r = await later.get(f"/v1/public/results-postings/{publication['id']}")
    assert r.status_code == 200 and len(r.json()["rows"]) == 2, r.text
    r = await later.get(office_view, headers=auth(office_tok))
    r = await post(
        later, office_view + "/approval", office_tok, decision, **{"If-Match": r.headers["ETag"]}
    )
    assert r.json()["type"].endswith("results-already-approved"), r.text

    statuses = {}
    for did in dids:
        r = await later.get(f"/v1/declarations/{did}", headers=auth(OPS))
        statuses[did] = r.json()["status"]
    assert statuses == {dids[0]: "approved", dids[1]: "approved", dids[2]: "rejected"}
    # The result as 批复 recorded it, read by the applicant and the office alike.
    results = {}
    for did in dids:
        holder = await _applicant(later, did)
        r = await later.get(f"/v1/declarations/{did}/result", headers=auth(holder))
        assert r.status_code == 200, r.text
        results[did] = r.json()
        assert results[did]["outcome"] == statuses[did] and results[did]["posting_id"] == pid
        assert results[did]["document_number"] == APPROVAL
        assert results[did]["approved_on"] == approved_on.isoformat()
        r = await later.get(f"/v1/declarations/{did}/result", headers=auth(office_tok))
        assert r.status_code == 200 and r.json() == results[did], r.text
    assert results[dids[2]]["certificate"] is None
    r = await later.get(f"/v1/declarations/{dids[0]}/result", headers=auth(token("applicant")))
    assert r.status_code == 404 and r.json()["type"].endswith("declaration-not-found"), r.text
    trail = (await later.get(f"/v1/declarations/{dids[2]}/audit", headers=auth(OPS))).json()
    [rejected] = [e for e in trail if e["action"] == "results_rejected"]
    assert APPROVAL in rejected["reason"] and "评审结果不予确认" in rejected["reason"]
    assert SEED_NOT_CONFIRMED in rejected["reason"] and FINDING["conduct"] in rejected["reason"]

    # Exactly one SMS each, to the phone the applicant proved, in the outbox.
    query = (
        select(Notification)
        .where(Notification.declaration_id.in_([uuid.UUID(d) for d in dids]))
        .where(Notification.event.startswith("declaration.results_"))
        .execution_options(populate_existing=True)
    )
    notices = (await db.exec(query)).all()
    sent = sorted((str(n.declaration_id), n.template_code) for n in notices)
    expected = [(d, "RESULT_APPROVED") for d in dids[:2]] + [(dids[2], "RESULT_REJECTED")]
    assert sent == sorted(expected)
    assert all(n.phone and n.params["number"] == APPROVAL for n in notices)

    # Certificates, downloaded by their holder and read back.
    r = await later.get(f"/v1/declarations/{dids[2]}/certificate", headers=auth(OPS))
    assert r.status_code == 404 and r.json()["type"].endswith("no-certificate"), r.text
    issued = {}
    for did in dids[:2]:
        holder = await _applicant(later, did)
        r = await later.get(f"/v1/declarations/{did}/certificate", headers=auth(holder))
        assert r.status_code == 200, r.text
        assert r.json()["number"] == done["certificates"][did] and r.json()["revoked"] is False
        cid = r.json()["certificate_id"]
        assert results[did]["certificate"] == r.json()
        r = await later.get(f"/v1/declarations/{did}/certificate.pdf", headers=auth(holder))
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        issued[did] = (cid, r.content)
        text = _text(r.content)
        for expected_text in ("韦工", done["certificates"][did], APPROVAL, "工程系列柳州市"):
            assert expected_text in text, expected_text
        assert "定向使用" not in text  # not a 双定向 declaration
        r = await later.get(
            f"/v1/declarations/{did}/certificate.pdf", headers=auth(token("applicant"))
        )
        assert r.status_code == 404  # nobody else's to download
    numbers = [done["certificates"][d] for d in dids[:2]]
    assert len(set(numbers)) == 2

    await _verification(later, db, office_tok, dids[1], issued[dids[1]], issued[dids[0]])
    await _review_forms(later, dids)


async def _verification(later, db, office_tok, did, revoked, kept) -> None:  # noqa: F811
    """Public verification: genuine (with the QR's signature too), then revoked at once;
    unknown for a wrong name, id or signature, told nothing else; the PDF as issued checks,
    a tampered or truncated copy does not; rate-limited like the other public endpoints."""
    check = "/v1/public/certificates/verification"
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    transport = httpx.ASGITransport(app=later._transport.app, client=(address, 40000))
    octets = {"Content-Type": "application/pdf"}
    cid, original = revoked
    qr_id, signature = certificate_pdf.parse_qr_payload(
        PdfReader(io.BytesIO(original)).metadata["/Keywords"]
    )
    assert str(qr_id) == cid
    # The 证书编号 printed on the certificate verifies as the QR code's id does.
    number = (await later.get(f"/v1/declarations/{did}/certificate", headers=auth(OPS))).json()[
        "number"
    ]
    assert number in _text(original)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as public:
        # One key, not none or both.
        for params in ({"name": "韦工"}, {"certificate_id": cid, "number": number, "name": "韦工"}):
            r = await public.get(check, params=params)
            assert r.status_code == 422, r.text
            assert r.json()["type"].endswith("certificate-key-invalid"), r.text
            assert "证书编号" in r.json()["detail"]
        answers = []
        for params in (
            {"number": number, "name": "韦工"},
            {"number": number, "name": "韦二"},
            {"number": number + "0", "name": "韦工"},
            {"certificate_id": cid, "name": "韦工"},
            {"certificate_id": cid, "name": "韦 工", "sig": signature},
            {"certificate_id": cid, "name": "韦二"},
            {"certificate_id": str(uuid.uuid4()), "name": "韦工"},
            {"certificate_id": cid, "name": "韦工", "sig": signature[:-4] + "AAAA"},
        ):
            r = await public.get(check, params=params)
            assert r.status_code == 200 and set(r.json()) == {"status"}, r.text
            answers.append(r.json()["status"])
        assert answers == [
            *("genuine", "unknown", "unknown"),
            *("genuine", "genuine", "unknown", "unknown", "unknown"),
        ]
        pdf_check = f"/v1/public/certificates/{cid}/pdf-verification"
        r = await public.post(pdf_check, content=original, headers=octets)
        assert r.json() == {"status": "genuine"}, r.text
        at = original.index(b"re f") if b"re f" in original else len(original) // 2
        tampered = original[:at] + bytes([original[at] ^ 1]) + original[at + 1 :]
        # One byte of the drawing changed, the file cut short, the other certificate.
        for copy in (tampered, original[:-100], kept[1]):
            r = await public.post(pdf_check, content=copy, headers=octets)
            assert r.json() == {"status": "unknown"}, r.text
        r = await public.post(
            f"/v1/public/certificates/{uuid.uuid4()}/pdf-verification",
            content=original,
            headers=octets,
        )
        assert r.json() == {"status": "unknown"}

        # Revocation: not by an office that did not issue it; with a reason; once.
        body = {"reason": "弄虚作假，评审结果无效", "document_number": "柳工职称〔2026〕12号"}
        revocation = f"/v1/certificates/{cid}/revocation"
        stranger = token("committee_office", uuid.uuid4())
        r = await post(later, revocation, stranger, body)
        assert r.status_code == 404 and r.json()["type"].endswith("no-certificate"), r.text
        r = await post(later, revocation, office_tok, {"reason": "x"})
        assert r.status_code == 422
        r = await post(later, revocation, office_tok, body)
        assert r.status_code == 200 and r.json()["revoked"] is True, r.text
        r = await post(later, revocation, OPS, body)
        assert r.json()["type"].endswith("certificate-already-revoked"), r.text
        r = await public.get(check, params={"certificate_id": cid, "name": "韦工"})
        assert r.json() == {"status": "revoked"}  # at once
        r = await public.get(check, params={"certificate_id": cid, "name": "韦二"})
        assert r.json() == {"status": "unknown"}  # revoked is only told to the right name
        r = await public.post(pdf_check, content=original, headers=octets)
        assert r.json() == {"status": "revoked"}, r.text
        r = await public.get(check, params={"certificate_id": kept[0], "name": "韦工"})
        assert r.json() == {"status": "genuine"}

        # 30 a minute from one address.
        statuses = [
            (await public.get(check, params={"certificate_id": cid, "name": "韦工"})).status_code
            for _ in range(30)
        ]
        assert 429 in statuses and statuses[0] == 200
        r = await public.get(check, params={"certificate_id": cid, "name": "韦工"})
        assert r.status_code == 429 and "Retry-After" in r.headers
        assert r.headers["content-type"].startswith("application/problem+json")

    query = (
        select(AuditEntry.reason)
        .where(AuditEntry.action == "certificate.revoke")
        .where(AuditEntry.declaration_id == uuid.UUID(did))
        .execution_options(populate_existing=True)
    )
    rows = (await db.exec(query)).all()
    assert len(rows) == 1 and "弄虚作假" in rows[0], rows
    r = await later.get(f"/v1/declarations/{did}/result", headers=auth(OPS))
    assert r.json()["certificate"] == {"certificate_id": cid, "number": number, "revoked": True}


async def _review_forms(later, dids) -> None:
    """评审表: the declaration as reviewed, each level's opinion from its audit trail."""
    for did in dids:
        holder = await _applicant(later, did)
        r = await later.get(f"/v1/declarations/{did}/review-form.pdf", headers=auth(holder))
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf", r.text
        text = _text(r.content)
        for expected_text in ("韦工", APPROVAL, CONFIRMATION, "工程系列"):
            assert expected_text in text, expected_text
        trail = (await later.get(f"/v1/declarations/{did}/audit", headers=auth(OPS))).json()
        opinions = [e for e in trail if e["action"] in certs.OPINIONS]
        roles = {e["action"] for e in opinions}
        assert {"unit_review_recorded", "approved", "committee_evaluated"} <= roles, roles
        for entry in opinions:
            said = entry["reason"] or entry["action"]
            assert said.replace(" ", "") in text, said
        verdict = "评审结果未通过" if did == dids[2] else "评审结果通过"
        assert verdict in text
        if did == dids[1]:
            assert "复核" in text
        if did == dids[2]:
            assert "评审结果不予确认" in text and FINDING["conduct"] in text


def test_who_confirms_follows_the_seed() -> None:
    """`004_…` 五（三）: "高级职称评审结果按…（桂职办〔2020〕113号）等文件要求报自治区职改办"."""
    seed = SEED_004.read_text(encoding="utf-8")
    assert "桂职办〔2020〕113号）等文件要求报自治区职改办" in seed
    for level in ("deputy_senior", "senior"):
        who = approval.authority(region_code="450000", level=level, committee_name="某评委会")
        assert "自治区职改办" in who.name and who.document_required
        assert "113号" in who.basis
    who = approval.authority(region_code="450200", level="intermediate", committee_name="柳州中级")
    assert who.name == "柳州中级所在职改办" and not who.document_required
    who = approval.authority(region_code="140400", level="deputy_senior", committee_name="长治")
    assert not who.document_required
