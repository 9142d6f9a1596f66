"""An applicant's whole journey as a WeChat mini-program makes it: `wx.login` and a phone
check, the public reference reads, a draft edited without PATCH (`wx.request` has none),
scans sent in `wx.uploadFile`'s multipart shape, the submission with If-Match, the
progress, and a scan downloaded through the object store's public address by a client
that can reach nothing else. The second test goes on to the end: a return for correction
answered (the named scan replaced in the same multipart shape), the resubmission, the fee
paid at the provider (tests/api/fakepay.py) and 缴费验证, and, after the chain, the
committee and the results posting done by staff through the API, the result read and the
certificate downloaded from the gateway."""

from __future__ import annotations

import copy
import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from services.api.config import ApiSettings
from services.api.main import build_app
from tests.api import fakepay, fakewechat
from tests.api.factories import (
    CATCH_ALL_KIND,
    FACTS,
    SECTIONS,
    auth,
    complete_unit_step,
    file_of_kind,
    kind_for,
    make_campaign,
    make_tree,
    post,
    wanted_evidence,
    wanted_materials,
)
from tests.api.test_auth_applicants import codes_sent, new_phone, no_codes_left_queued
from tests.api.test_auth_staff_wechat import wechat_url
from tests.api.test_committee_e2e import closed_ballot_session, decide, make_expert
from tests.api.test_mini_program import field, multipart
from tests.api.test_paying import fake, fakepay_url
from tests.api.test_public_links import public_documents_url, public_store
from tests.api.test_results_e2e import APPROVAL, CONFIRMATION, PANEL, _next_monday
from tests.api.test_review_chain_e2e import UNIT_REVIEW
from tests.conftest import Stack
from tests.public_proxy import OnlyTo
from tests.support import running

__all__ = [  # fixtures
    "fake",
    "fakepay_url",
    "no_codes_left_queued",
    "public_documents_url",
    "public_store",
    "wechat_url",
]
BOUNDARY = "----WeChatFormBoundaryJourney0123456789"


@pytest.fixture
async def gateway(stack: Stack, rules_url: str, public_documents_url: str, wechat_url: str):
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=public_documents_url,
        wechat_api_base=wechat_url,
        wechat_appid=fakewechat.APPID,
        wechat_secret=fakewechat.SECRET,
    )
    app = build_app(settings)
    async with running(app) as client:
        client.app = app
        yield client


class MiniProgram:
    """What a mini-program's JavaScript can send: wx.request (GET, POST, PUT, DELETE;
    never PATCH) and wx.uploadFile (multipart: the file in `file`, strings around it)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.token: str | None = None

    def _headers(self, **extra: str) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**auth, **extra}

    async def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        assert method in ("GET", "POST", "PUT", "DELETE"), f"wx.request has no {method}"
        headers = self._headers(**kwargs.pop("headers", {}))
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def upload(self, url: str, kind: str, tag: str, params=None) -> httpx.Response:
        name, content, _type = file_of_kind(kind, tag)
        suffix = name.rsplit(".", 1)[-1]
        temp = f"http://tmp/wx{uuid.uuid4().hex[:12]}.{suffix}"
        disposition = f'form-data; name="file"; filename="{temp}"'
        wx_file = (
            {"Content-Disposition": disposition, "Content-Type": "application/octet-stream"},
            content,
        )
        body = multipart(BOUNDARY, [field("kind", kind), wx_file])
        content_type = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        return await self.request("POST", url, content=body, params=params, headers=content_type)


async def test_an_applicant_goes_from_wx_login_to_progress_without_patch(
    gateway, public_store
) -> None:
    public, _hosts = public_store
    wx = MiniProgram(gateway)

    # Sign in: wx.login()'s code, then the phone check a new WeChat user passes once.
    phone = await wx_signs_in(wx, gateway, f"o{uuid.uuid4().hex}")
    me = (await wx.request("GET", "/v1/declarations")).json()
    assert me["items"] == [], me

    # What the front end shows before it asks anything: read, not hard-coded.
    kinds = {k["code"] for k in (await wx.request("GET", "/v1/kinds")).json()}
    assert "title_certificate" in kinds

    # The declaration: started, then edited by POST …/edits with the ETag it read.
    tree = await make_tree(gateway, label="小程序全程", supervisor=False, county=False)
    campaign = await make_campaign(gateway)
    body = {
        "campaign_id": campaign["id"],
        "unit_org_id": tree.unit,
        "level": "deputy_senior",
        "sections": SECTIONS,
        "applicant_facts": FACTS,
    }
    r = await wx.request(
        "POST", "/v1/declarations", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert r.status_code == 201, r.text
    did, tag = r.json()["id"], r.headers["etag"]
    url = f"/v1/declarations/{did}"
    sections = copy.deepcopy(SECTIONS)
    sections["basic_info"]["phone"] = phone
    r = await wx.request(
        "POST", url + "/edits", json={"sections": sections}, headers={"If-Match": tag}
    )
    assert r.status_code == 200, r.text

    # The submission says what is missing; every scan goes up as wx.uploadFile sends it.
    r = await wx_submits(wx, url)
    assert r.status_code == 200 and r.json()["status"] == "unit_review", r.text

    # Progress: where the file is and who has it next.
    r = await wx.request("GET", url + "/progress")
    assert r.status_code == 200 and r.json()["status"] == "unit_review"
    assert r.json()["steps"][0]["org_id"] == tree.unit

    # A scan downloaded from outside: the link names the public address, and a phone that
    # reaches only that address gets the stored bytes.
    docs = (await wx.request("GET", url + "/documents")).json()
    doc = docs[0]
    r = await wx.request("GET", f"{url}/documents/{doc['id']}/download")
    assert r.status_code == 200, r.text
    assert urlsplit(r.json()["url"]).netloc == urlsplit(public).netloc
    async with httpx.AsyncClient(transport=OnlyTo(public)) as phone_net:
        fetched = await phone_net.get(r.json()["url"])
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == doc["stored_sha256"]


@pytest.fixture
async def paying_gateway(
    stack: Stack, rules_url: str, public_documents_url: str, wechat_url: str, fakepay_url: str
):
    """The gateway of the journey above with a payment provider (tests/api/fakepay.py, a
    real local HTTP server) to pay through; `settings` for the same gateway days later."""
    settings = ApiSettings(
        **stack.settings_kwargs(),
        rules_url=rules_url,
        documents_url=public_documents_url,
        wechat_api_base=wechat_url,
        wechat_appid=fakewechat.APPID,
        wechat_secret=fakewechat.SECRET,
        payment_callback_key=fakepay.CALLBACK_KEY,
        payment_sweep_interval=0,
        payment_provider_url=fakepay_url,
        payment_provider_merchant_id=fakepay.MERCHANT_ID,
        payment_provider_app_id=fakepay.APP_ID,
        payment_provider_key=fakepay.PROVIDER_KEY,
        payment_notify_url="https://gateway.example/v1/payments/callback",
    )
    app = build_app(settings)
    async with running(app) as client:
        client.app, client.settings = app, settings
        yield client


async def wx_signs_in(wx: MiniProgram, gateway, openid: str, attempt: int = 0) -> str | None:
    """wx.login()'s code for `openid`; the first time, the phone check that binds it
    (then the phone proved, else None)."""
    code = f"code-{openid}.{attempt}"
    r = await wx.request("POST", "/v1/auth/wechat-logins", json={"code": code})
    assert r.status_code == 200, r.text
    if not r.json().get("phone_check_required"):
        wx.token = r.json()["tokens"]["access_token"]  # bound already: signed in at once
        return None
    phone = new_phone()
    r2 = await wx.request("POST", "/v1/auth/sms-codes", json={"phone": phone})
    assert r2.status_code == 202, r2.text
    code = (await codes_sent(gateway, phone))[-1]
    bind = {"ticket": r.json()["ticket"], "phone": phone, "code": code}
    r = await wx.request("POST", "/v1/auth/wechat-bindings", json=bind)
    assert r.status_code == 200, r.text
    wx.token = r.json()["access_token"]
    return phone


async def wx_submits(wx: MiniProgram, url: str, body: dict | None = None) -> httpx.Response:
    """Submit with If-Match; a declaration-incomplete answer is met by uploading, in
    wx.uploadFile's shape, every scan it names, then submitted again."""

    async def once() -> httpx.Response:
        current = await wx.request("GET", url)
        return await wx.request(
            "POST", url + "/submissions", json=body or {},
            headers={"If-Match": current.headers["etag"], "Idempotency-Key": uuid.uuid4().hex},
        )  # fmt: skip

    r = await once()
    if r.status_code != 422 or not r.json()["type"].endswith("declaration-incomplete"):
        return r
    errors = r.json()["errors"]
    for kind, item in wanted_evidence(errors):
        params = {"item_section": item["section"], "item_index": item["index"]}
        tag = f"{item['section']}/{item['index']}/{kind}"
        assert (await wx.upload(url + "/documents", kind, tag, params)).status_code == 201
    catch_all = {}
    for material in dict.fromkeys(wanted_materials(errors)):
        up = await wx.upload(url + "/documents", kind_for(material), material)
        assert up.status_code == 201, up.text
        if kind_for(material) == CATCH_ALL_KIND:
            catch_all[up.json()["id"]] = material
    if catch_all:
        current = await wx.request("GET", url)
        named = [
            {**a, "kind": catch_all.get(a["document_id"], a["kind"])}
            for a in current.json()["attachments"]
        ]
        r = await wx.request(
            "POST", url + "/edits", json={"attachments": named},
            headers={"If-Match": current.headers["etag"]},
        )  # fmt: skip
        assert r.status_code == 200, r.text
    return await once()


async def test_the_mini_program_answers_a_return_pays_and_downloads_its_certificate(
    paying_gateway, fake, stack: Stack
) -> None:
    """The rest of the journey, by the same client (no PATCH, wx.uploadFile, the gateway
    only): returned for correction by the unit, the named scan replaced and each item
    answered, resubmitted; the fee paid with the provider's code and 缴费验证; then, after
    the chain and the committee (staff, through the API: closed_ballot_session) and the
    results posting, on "the same gateway days later" (CLOCK_OFFSET, as
    tests/api/test_results_e2e.py): signed in again with wx.login, the result read and the
    certificate PDF downloaded, which the public verification answers genuine."""
    gateway = paying_gateway
    wx = MiniProgram(gateway)
    openid = f"o{uuid.uuid4().hex}"
    await wx_signs_in(wx, gateway, openid)

    label = f"小程序结果{uuid.uuid4().hex[:4]}"
    tree = await make_tree(gateway, label=label, supervisor=False, county=False)
    campaign = await make_campaign(gateway)
    body = {
        "campaign_id": campaign["id"],
        "unit_org_id": tree.unit,
        "level": "deputy_senior",
        "sections": SECTIONS,
        "applicant_facts": FACTS,
    }
    r = await wx.request(
        "POST", "/v1/declarations", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    url = f"/v1/declarations/{did}"
    r = await wx_submits(wx, url)
    assert r.status_code == 200 and r.json()["status"] == "unit_review", r.text

    # 退回补正: the unit names one scan to redo and asks one thing more.
    unit = tree.tokens["unit_reviewer"]
    attachments = (await wx.request("GET", url)).json()["attachments"]
    doc = next(a for a in attachments if not a.get("item"))
    deadline = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()
    items = [
        {"message": "该扫描件不清晰，请重新上传", "target": {"material": doc["kind"]}},
        "其他：请核对个人信息",
    ]
    r = await post(gateway, url + "/returns", unit, {"items": items, "deadline_at": deadline})
    assert r.status_code == 201, r.text
    progress = (await wx.request("GET", url + "/progress")).json()
    assert progress["status"] == "returned" and progress["open_return"]["id"] == r.json()["id"]
    # Unanswered, the resubmission is refused, naming the item.
    r = await wx_submits(wx, url)
    assert r.status_code == 422, r.text
    # The scan replaced as wx.uploadFile sends it, then each item answered.
    replace = f"{url}/documents/{doc['document_id']}/replace"
    up = await wx.upload(replace, doc["document_kind"], f"returned/{doc['kind']}")
    assert up.status_code == 201, up.text
    answers = {"addressed": [{"item": 0}, {"item": 1, "note": "个人信息已核对无误"}]}
    r = await wx_submits(wx, url, answers)
    assert r.status_code == 200 and r.json()["status"] == "unit_review", r.text

    # The chain, by staff through the API, to the payment notice.
    r = await gateway.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(unit))
    assert r.status_code == 200, r.text
    await complete_unit_step(gateway, did, unit)
    for role in ("unit_reviewer", "series_office", "committee_office"):
        r = await post(gateway, url + "/approvals", tree.tokens[role])
        assert r.status_code == 200, (role, r.text)
    r = await post(gateway, url + "/payment-notices", tree.tokens["committee_office"])
    assert r.status_code == 200 and r.json()["status"] == "payment_due", r.text

    # Paying: the code to scan, the payment at the provider, then 缴费验证.
    progress = (await wx.request("GET", url + "/progress")).json()
    assert progress["status"] == "payment_due", progress
    r = await wx.request(
        "POST", url + "/payment-code", headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert r.status_code == 200 and r.json()["code_url"], r.text
    paid = fake.pay(uuid.UUID(r.json()["order_id"]).hex)
    r = await wx.request(
        "POST", url + "/payment-verifications", headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert r.status_code == 200 and r.json()["status"] == "paid", r.text
    assert r.json()["transaction_id"] == paid["transaction_id"]

    # The committee (eleven approved experts, all agree), then the results posting.
    office = tree.tokens["committee_office"]
    experts: dict[str, str] = {}
    for n in range(PANEL):
        tok, expert_id = await make_expert(
            gateway, tree.committee, office, name=f"专家{n:02d}", employer_name=f"{label}外单位{n}"
        )
        experts[expert_id] = tok
        await decide(gateway, office, expert_id, "approve")
    _sid, closed = await closed_ballot_session(gateway, office, campaign, experts, {did: PANEL})
    assert [t["outcome"]["passed"] for t in closed] == [True]
    monday = _next_monday(date.today())
    ends = monday + timedelta(days=7)
    window = {"starts_on": monday.isoformat(), "ends_on": ends.isoformat()}
    r = await post(gateway, f"/v1/committee-sessions/{_sid}/results-posting", office, window)
    assert r.status_code == 201, r.text
    posting = f"/v1/results-postings/{r.json()['id']}"

    # Days later: 结果确认 and 批复 by the office; the mini-program reads its result.
    later_settings = gateway.settings.model_copy(
        update={
            "clock_offset": timedelta(days=(ends - date.today()).days + 1),
            # Days ahead on the shared database: no sweep acts on other tests' rows.
            "payment_sweep_interval": 0,
            "return_sweep_interval": 0,
            "reminder_sweep_interval": 0,
            "radar_sweep_interval": 0,
        }
    )
    async with running(build_app(later_settings)) as later:
        etag = (await later.get(posting, headers=auth(office))).headers["ETag"]
        confirm = {"document_number": CONFIRMATION}
        r = await post(later, posting + "/confirmation", office, confirm, **{"If-Match": etag})
        assert r.status_code == 200, r.text
        decision = {
            "document_number": APPROVAL,
            "approved_on": (ends + timedelta(days=1)).isoformat(),
        }
        r = await post(
            later, posting + "/approval", office, decision, **{"If-Match": r.headers["ETag"]}
        )
        assert r.status_code == 200 and r.json()["approved"] == [did], r.text
        number = r.json()["certificates"][did]

        phone = MiniProgram(later)  # the old access token has long expired
        await wx_signs_in(phone, later, openid, attempt=1)
        r = await phone.request("GET", url + "/result")
        assert r.status_code == 200, r.text
        assert r.json()["outcome"] == "approved" and r.json()["document_number"] == APPROVAL
        assert r.json()["certificate"]["number"] == number
        cid = r.json()["certificate"]["certificate_id"]
        r = await phone.request("GET", url + "/certificate.pdf")
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf", r.text
        assert r.content.startswith(b"%PDF")
        r = await later.post(
            f"/v1/public/certificates/{cid}/pdf-verification",
            content=r.content,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert r.json() == {"status": "genuine"}, r.text
