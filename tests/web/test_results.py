"""After the committee, in a real browser: 复核, the results posting (二次公示), objections,
结果确认 and 批复 at the committee office's desk; the public's pages without a sign-in; the
applicant's result and certificate on a phone with JavaScript off.

What comes before the pages goes through the public API with real uploads (`through_api`):
three declarations walked the chain and paid, eleven experts approved, a session drawn,
opened, voted in secret and closed (the walk of tests/api/test_results_e2e.py). Then the
office opens a 复核 with its reason, the experts re-vote (through the API), and the office
closes it and publishes the posting; the public reads it and its exports and files an
objection on the page, with a phone proved by SMS code; the office handles it at the desk.

Confirmation and 批复 wait for the posting's last day: they happen on "the same site days
later", a second gateway process whose clock runs ahead (CLOCK_OFFSET, a test-only
setting) and a web process in front of it. There the office confirms and approves with a
批复文号, the applicants sign in with their SMS code and read their results, one downloads
the certificate, and the public verification answers genuine, then unknown for another
name, and at last a Chinese 429 once the address has asked too often.

Seeds: 004_… 五（二）“评审、复核与二次公示阶段”; 002_… 二、1 “公示期不能少于5个工作日（双休日
和节假日不计入公示时间）”; 004_… 五（三）“对公示无异议的进行确认结果，并按评审批复审核权限进行批复”.
"""

from __future__ import annotations

import io
import random
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from tests.api.factories import (
    OPS,
    Tree,
    make_campaign,
    make_org,
    new_draft,
    post,
    token,
    verified_applicant,
)
from tests.api.test_committee_e2e import PASSWORD as EXPERT_PASSWORD
from tests.api.test_committee_e2e import (
    closed_ballot_session,
    decide,
    make_expert,
    walk_to_paid,
)
from tests.api.test_payments import KEY as PAYMENT_KEY
from tests.conftest import Stack
from tests.web.browsing import PASSWORD, PHONE, alerts, press, seen, shot, staff_signed_in
from tests.web.conftest import SMS_IP_PER_HOUR, login_code

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

CHINA = timezone(timedelta(hours=8))
PANEL = 11  # a prefecture committee's minimum
CONFIRMATION = "桂职办〔2026〕21号"
APPROVAL = "柳工职称〔2026〕31号"
REASON = "申报人对评审结果提出复核申请，经审核同意复核"
OBJECTION = "该申报人论文存在代写嫌疑，请核查。"


def _window() -> tuple[date, date, int]:
    """The posting's first and last day (next Monday to the Monday after: five working days
    even with a holiday in the week), and the days to "the day after its last day"."""
    today = datetime.now(CHINA).date()
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    ends = monday + timedelta(days=7)
    return monday, ends, (ends - today).days + 1


async def _expert(client, committee: str, office: str, username: str, label: str) -> str:
    """An expert account whose username the test knows (it signs in at the desk), applied
    to the office's pool as make_expert does; its id."""
    body = {"username": username, "password": EXPERT_PASSWORD, "role": "expert"}
    r = await post(client, "/v1/staff-accounts", office, {**body, "org_id": committee})
    assert r.status_code == 201, r.text
    r = await client.post(
        "/v1/auth/staff-logins", json={"username": username, "password": EXPERT_PASSWORD}
    )
    application = {
        "name": "专家00",
        "series": "engineering",
        "specialties": ["机械工程"],
        "title": "正高级工程师",
        "region_code": "450200",
        "employer_name": f"{label}外单位0",
    }
    r = await post(client, "/v1/experts/applications", r.json()["access_token"], application)
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture(scope="module")
def closed(through_api) -> dict:
    """A closed session of three declarations (11, 5 and 4 votes to agree of 11; 8 pass),
    all reached through the public API, and the office's account to sign in with."""
    label = f"结果网页{uuid.uuid4().hex[:4]}"
    username = f"office-{uuid.uuid4().hex[:8]}"

    async def walk(client) -> dict:
        committee = await make_org(client, "committee_office", f"{label}评委会所在职改办", None)
        series = await make_org(client, "series_office", f"{label}系列职改办", committee)
        sup = await make_org(client, "supervisor", f"{label}主管部门", series)
        body = {"username": username, "password": PASSWORD, "role": "committee_office"}
        r = await post(client, "/v1/staff-accounts", OPS, {**body, "org_id": committee})
        assert r.status_code == 201, r.text
        r = await client.post(
            "/v1/auth/staff-logins", json={"username": username, "password": PASSWORD}
        )
        office = r.json()["access_token"]
        campaign = await make_campaign(client)
        dids, phones = [], []
        for i in range(3):
            unit = await make_org(client, "unit", f"{label}申报单位{i}", sup, region="450206")
            tree = Tree(committee, series, None, sup, unit)
            tree.tokens = {
                "unit_reviewer": token("unit_reviewer", unit, sub=f"{label}-unit-{i}"),
                "supervisor": token("supervisor", sup, sub=f"{label}-sup"),
                "series_office": token("series_office", series, sub=f"{label}-series"),
                "committee_office": office,
            }
            applicant, phone = await verified_applicant(client)
            did = await new_draft(client, tree, campaign, applicant)
            chain = ["unit_reviewer", "supervisor", "series_office", "committee_office"]
            await walk_to_paid(client, tree, did, applicant, chain)
            dids.append(did)
            phones.append(phone)

        # The pool: one expert who signs in at the desk, ten more from the committee's factory.
        voter = f"expert-{uuid.uuid4().hex[:10]}"
        experts = {await _expert(client, committee, office, voter, label): ""}
        for n in range(1, PANEL):
            tok, expert_id = await make_expert(
                client, committee, office, name=f"专家{n:02d}", employer_name=f"{label}外单位{n}"
            )
            experts[expert_id] = tok
        for expert_id in experts:
            await decide(client, office, expert_id, "approve")
        r = await client.post(
            "/v1/auth/staff-logins", json={"username": voter, "password": EXPERT_PASSWORD}
        )
        experts[next(iter(experts))] = r.json()["access_token"]
        plans = dict(zip(dids, (11, 5, 4), strict=True))
        sid, closed = await closed_ballot_session(client, office, campaign, experts, plans)
        passed = {t["declaration_id"]: t["outcome"]["passed"] for t in closed}
        assert [passed[d] for d in dids] == [True, False, False]
        return {
            "sid": sid,
            "dids": dids,
            "phones": phones,
            "username": username,
            "voter": voter,
            "experts": list(experts.values())[1:],
        }

    return through_api(walk)


@pytest.fixture(scope="module")
def later_url(stack: Stack, uvicorn_service, web_rules_url: str, documents_url: str) -> str:
    """The same site days later: a gateway whose clock runs to the day after the posting's
    last day, no sweeps of its own (they would act on other tests' rows days early), and a
    web process in front of it. Days later, the one-code-a-minute throttle of a phone that
    asked for a code during the setup is long over: its interval is off here, else the
    applicants' sign-in would depend on how fast the walk before it ran."""
    *_, days = _window()
    env = stack.env(
        RULES_URL=web_rules_url,
        DOCUMENTS_URL=documents_url,
        PAYMENT_CALLBACK_KEY=PAYMENT_KEY,
        CLOCK_OFFSET=f"P{days}D",
        PAYMENT_SWEEP_INTERVAL="0",
        RETURN_SWEEP_INTERVAL="0",
        REMINDER_SWEEP_INTERVAL="0",
        RADAR_SWEEP_INTERVAL="0",
        AUDIT_CHECKPOINT_INTERVAL="0",
        SMS_PHONE_INTERVAL_SECONDS="0",
        SMS_IP_PER_HOUR=SMS_IP_PER_HOUR,
    )
    gateway = uvicorn_service("services.api.main:app", env)
    return uvicorn_service("services.web.main:app", {**stack.env(), "GATEWAY_URL": gateway})


def _applicant(browser, url: str, stack: Stack, phone: str):
    ctx = browser.new_context(base_url=url, **PHONE)
    page = ctx.new_page()
    page.goto("/login")
    page.get_by_label("手机号码").fill(phone)
    press(page, page.get_by_role("button", name="获取短信验证码"))
    page.get_by_label("短信验证码").fill(login_code(stack, phone))
    press(page, page.get_by_role("button", name="登录"))
    seen(page.get_by_role("heading", name="我的申报"), alerts(page))
    return ctx, page


def test_recheck_posting_approval_and_the_certificate(
    browser,
    web_url: str,
    later_url: str,
    closed: dict,
    through_api,
    stack: Stack,
    artefacts: Path,
) -> None:
    monday, ends, _ = _window()
    dids = closed["dids"]
    desk, page = staff_signed_in(browser, web_url, closed["username"])

    # The office's closed sessions, and this one's tallies.
    press(page, page.get_by_role("link", name="评审结果", exact=True))
    press(page, page.get_by_role("link", name="评审结果与公示"))
    seen(page.get_by_role("heading", name="表决结果"))
    assert page.locator("#tally-h + table tbody tr").count() == 3

    # 复核 of the second declaration (5 of 11 agreed), with its reason.
    row = page.locator(f"form:has(input[name=declaration_id][value='{dids[1]}'])")
    row.get_by_label("复核理由").fill(REASON)
    press(page, row.get_by_role("button", name="启动复核"))
    seen(page.get_by_role("heading", name="复核 · 复核中"), alerts(page))
    seen(page.get_by_text(REASON))
    rid = page.url.rsplit("/", 1)[1]
    shot(page, artefacts, "desk-17-recheck-open")

    # The panel re-votes in secret: one expert on this page (once only), ten through the
    # API; 9 agree, 2 abstain.
    expert, epage = staff_signed_in(browser, web_url, closed["voter"], EXPERT_PASSWORD)
    epage.goto(f"/office/rechecks/{rid}")
    seen(epage.get_by_role("heading", name="复核 · 不记名投票"), alerts(epage))
    assert REASON not in epage.content()  # the 复核 is the office's to read
    press(epage, epage.get_by_role("button", name="同意", exact=True))
    seen(epage.get_by_text("已投票（不记名）。"), alerts(epage))
    assert "同意" not in epage.locator(".alert.ok").inner_text().replace("已投票", "")
    shot(epage, artefacts, "desk-18-recheck-ballot")
    epage.goto(f"/office/rechecks/{rid}")
    press(epage, epage.get_by_role("button", name="不同意"))
    seen(epage.locator(".alert.error"), alerts(epage))
    expert.close()

    async def revote(client) -> None:
        for k, tok in enumerate(closed["experts"]):
            body = {"choice": "agree" if k < 8 else "abstain"}
            r = await post(client, f"/v1/rechecks/{rid}/ballots", tok, body)
            assert r.status_code == 201, r.text

    through_api(revote)
    press(page, page.get_by_role("button", name="复核闭会并统计"))
    seen(page.get_by_text("复核已闭会"), alerts(page))
    assert page.locator("#recheck-outcome").inner_text().startswith("通过（同意 9")
    shot(page, artefacts, "desk-19-recheck-closed")

    # The posting: four days are refused with the rule; then Monday to the Monday after.
    press(page, page.get_by_role("link", name="评审会的评审结果"))
    # The session's table names the 复核 and its new result.
    row = page.locator("#tally-h + table tbody tr", has=page.locator(f"[value='{dids[1]}']"))
    assert row.locator("td").nth(1).inner_text() == "通过"
    link = row.get_by_role("link", name="复核已结束")
    assert link.get_attribute("href") == f"/office/rechecks/{rid}"
    page.get_by_label("公示开始日期").fill(monday.isoformat())
    page.get_by_label("公示结束日期").fill((monday + timedelta(days=3)).isoformat())
    press(page, page.get_by_role("button", name="发布二次公示"))
    seen(page.locator(".alert.error").get_by_text("工作日"), alerts(page))
    page.get_by_label("公示结束日期").fill(ends.isoformat())
    press(page, page.get_by_role("button", name="发布二次公示"))
    seen(page.get_by_role("heading", name="公示名单"), alerts(page))
    pid = page.url.rsplit("/", 1)[1]
    rows = page.locator("#rows-h + table tbody tr")
    assert rows.count() == 3 and "通过" in rows.first.inner_text()
    # Not before the posting's last day.
    press(page, page.get_by_role("button", name="确认评审结果"))
    seen(page.locator(".alert.error").get_by_text(ends.isoformat()), alerts(page))
    shot(page, artefacts, "desk-20-results-posting")

    # The public, with no sign-in: the list, the posting (names masked), its exports.
    public = browser.new_context(base_url=web_url, **PHONE)
    ppage = public.new_page()
    ppage.goto("/")
    assert ppage.url.endswith("/login")
    press(ppage, ppage.get_by_role("link", name="评审结果公示"))
    press(ppage, ppage.get_by_role("link", name=page.locator("h1").inner_text()).first)
    names = ppage.locator(".posting-rows .who strong").all_inner_texts()
    assert names == ["1. 韦*", "2. 韦*", "3. 韦*"], names
    assert "韦工" not in ppage.content()
    digest = ppage.locator("code.hash").inner_text()
    pdf = ppage.request.get(ppage.get_by_role("link", name="下载 PDF").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert digest in text.replace("\n", "") and "评审结果公示" in text
    xlsx = ppage.request.get(ppage.get_by_role("link", name="下载 XLSX").get_attribute("href"))
    assert xlsx.ok
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.body())).active
    assert any(digest in str(c.value) for r in sheet.iter_rows() for c in r if c.value)

    # An objection to row 1, under a name and a phone proved by an SMS code; a wrong code
    # is refused with what was written kept.
    objector = "137" + f"{random.randrange(10**8):08d}"
    ppage.get_by_label("对哪一位（序号）").select_option("1")
    ppage.get_by_label("异议内容与事实依据").fill(OBJECTION)
    ppage.get_by_label("您的姓名").fill("林先生")
    ppage.get_by_label("手机号码").fill(objector)
    press(ppage, ppage.get_by_role("button", name="获取短信验证码"))
    seen(ppage.get_by_text("验证码已发送"), alerts(ppage))
    code = login_code(stack, objector)
    ppage.get_by_label("短信验证码").fill("000001" if code == "000000" else "000000")
    press(ppage, ppage.get_by_role("button", name="提交异议"))
    seen(ppage.locator(".alert.error").get_by_text("验证码"), alerts(ppage))
    assert ppage.get_by_label("异议内容与事实依据").input_value() == OBJECTION
    ppage.get_by_label("短信验证码").fill(code)
    press(ppage, ppage.get_by_role("button", name="提交异议"))
    seen(ppage.get_by_text("异议已受理"), alerts(ppage))
    shot(ppage, artefacts, "phone-13-public-posting")
    public.close()

    # The objection, handled at the desk.
    page.reload()
    seen(page.get_by_text(OBJECTION))
    assert objector not in page.content()  # the phone masked
    page.get_by_label("处理结论").select_option("dismissed")
    page.get_by_label("核查和处理情况").fill("经核查，论文系本人独立完成，异议不成立。")
    press(page, page.get_by_role("button", name="记录处理情况"))
    seen(page.get_by_text("异议处理情况已记录。"), alerts(page))
    assert "异议不成立：经核查" in page.locator(".objection-handled").inner_text()
    desk.close()

    # The same site days later: confirmation (the document number the rule asks for
    # first refused for its absence), then 批复 with its number.
    desk, page = staff_signed_in(browser, later_url, closed["username"])
    page.goto(f"/office/results-postings/{pid}")
    press(page, page.get_by_role("button", name="确认评审结果"))
    seen(page.locator(".alert.error"), alerts(page))
    assert "文号" in page.locator(".alert.error").inner_text()
    page.get_by_label("确认文件文号（如须）").fill(CONFIRMATION)
    press(page, page.get_by_role("button", name="确认评审结果"))
    seen(page.get_by_text("评审结果已确认。"), alerts(page))
    assert CONFIRMATION in page.locator("#confirmation").inner_text()
    page.get_by_label("批复文号").fill(APPROVAL)
    page.get_by_label("批复日期").fill((ends + timedelta(days=1)).isoformat())
    press(page, page.get_by_role("button", name="批复并签发证书"))
    seen(page.get_by_text("证书已签发"), alerts(page))
    assert APPROVAL in page.locator("#approval").inner_text()
    shot(page, artefacts, "desk-21-results-approved")
    desk.close()

    # The applicant whose 复核 passed reads the result and downloads the certificate.
    phone_ctx, phone = _applicant(browser, later_url, stack, closed["phones"][1])
    phone.goto(f"/declarations/{dids[1]}/progress")
    result = phone.locator("#result").inner_text()
    assert result == f"评审通过（批复文号：{APPROVAL}）", result
    cid = phone.locator(".result dd.hash").inner_text()
    number = phone.locator(".result dd").first.inner_text()
    shot(phone, artefacts, "phone-15-result-passed")
    link = phone.get_by_role("link", name="下载电子证书（PDF）").get_attribute("href")
    certificate = phone.request.get(link)
    assert certificate.ok and certificate.headers["content-type"] == "application/pdf"
    assert certificate.body().startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(certificate.body())).pages)
    text = text.replace("\n", "").replace(" ", "")
    for expected in ("韦工", number, APPROVAL):
        assert expected in text, expected
    phone_ctx.close()

    # The applicant whose declaration did not pass reads that, with the same number.
    phone_ctx, phone = _applicant(browser, later_url, stack, closed["phones"][2])
    phone.goto(f"/declarations/{dids[2]}/progress")
    assert phone.locator("#result").inner_text() == f"本次评审未通过（批复文号：{APPROVAL}）"
    assert phone.get_by_role("link", name="下载电子证书（PDF）").count() == 0
    shot(phone, artefacts, "phone-16-result-not-passed")
    phone_ctx.close()

    # Public verification, no sign-in: by the 证书编号 printed on the certificate, genuine;
    # unknown for another name or another number; by the QR code's id as well; and past
    # the address's limit, a 429 in Chinese.
    public = browser.new_context(base_url=later_url, **PHONE)
    ppage = public.new_page()
    ppage.goto("/public/certificates/verification")
    ppage.get_by_label("证书编号").fill(number)
    ppage.get_by_label("持证人姓名").fill("韦工")
    press(ppage, ppage.get_by_role("button", name="核验"))
    assert ppage.locator("#verdict").inner_text() == "真实有效", alerts(ppage)
    shot(ppage, artefacts, "phone-17-verified")
    ppage.get_by_label("持证人姓名").fill("韦二")
    press(ppage, ppage.get_by_role("button", name="核验"))
    assert ppage.locator("#verdict").inner_text() == "未查到此证书"
    ppage.goto("/public/certificates/verification?id=12345&name=韦工")
    assert ppage.locator("#verdict").inner_text() == "未查到此证书"
    ppage.goto(f"/public/certificates/verification?id={cid}&name=韦工")
    assert ppage.locator("#verdict").inner_text() == "真实有效"
    statuses = []
    for _ in range(70):
        answer = ppage.goto(f"/public/certificates/verification?id={cid}&name=韦工")
        statuses.append(answer.status)
        if answer.status == 429:
            break
    assert statuses[-1] == 429, statuses
    assert "请稍后再试" in ppage.locator(".alert.error").inner_text()
    shot(ppage, artefacts, "phone-18-verify-limited")
    public.close()
