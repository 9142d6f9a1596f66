"""An applicant's whole journey as a WeChat mini-program makes it: `wx.login` and a phone
check, the public reference reads, a draft edited without PATCH (`wx.request` has none),
scans sent in `wx.uploadFile`'s multipart shape, the submission with If-Match, the
progress, and a scan downloaded through the object store's public address by a client
that can reach nothing else."""

from __future__ import annotations

import copy
import hashlib
import uuid
from urllib.parse import urlsplit

import httpx
import pytest

from services.api.config import ApiSettings
from services.api.main import build_app
from tests.api import fakewechat
from tests.api.factories import (
    CATCH_ALL_KIND,
    FACTS,
    SECTIONS,
    file_of_kind,
    kind_for,
    make_campaign,
    make_tree,
    wanted_evidence,
    wanted_materials,
)
from tests.api.test_auth_applicants import codes_sent, new_phone, no_codes_left_queued
from tests.api.test_auth_staff_wechat import wechat_url
from tests.api.test_mini_program import field, multipart
from tests.api.test_public_links import public_documents_url, public_store
from tests.conftest import Stack
from tests.public_proxy import OnlyTo
from tests.support import running

__all__ = ["no_codes_left_queued", "public_documents_url", "public_store", "wechat_url"]
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
    r = await wx.request(
        "POST", "/v1/auth/wechat-logins", json={"code": f"code-o{uuid.uuid4().hex}"}
    )
    assert r.status_code == 200 and r.json()["phone_check_required"], r.text
    phone = new_phone()
    assert (
        await wx.request("POST", "/v1/auth/sms-codes", json={"phone": phone})
    ).status_code == 202
    bind = {
        "ticket": r.json()["ticket"],
        "phone": phone,
        "code": (await codes_sent(gateway, phone))[-1],
    }
    r = await wx.request("POST", "/v1/auth/wechat-bindings", json=bind)
    assert r.status_code == 200, r.text
    wx.token = r.json()["access_token"]

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

    async def submit() -> httpx.Response:
        current = await wx.request("GET", url)
        return await wx.request(
            "POST", url + "/submissions", json={},
            headers={"If-Match": current.headers["etag"], "Idempotency-Key": uuid.uuid4().hex},
        )  # fmt: skip

    # The submission says what is missing; every scan goes up as wx.uploadFile sends it.
    r = await submit()
    assert r.status_code == 422 and r.json()["type"].endswith("declaration-incomplete"), r.text
    errors = r.json()["errors"]
    for kind, item in wanted_evidence(errors):
        params = {"item_section": item["section"], "item_index": item["index"]}
        up = await wx.upload(
            url + "/documents", kind, f"{item['section']}/{item['index']}/{kind}", params
        )
        assert up.status_code == 201, up.text
    catch_all = {}
    for material in dict.fromkeys(wanted_materials(errors)):
        up = await wx.upload(url + "/documents", kind_for(material), material)
        assert up.status_code == 201, up.text
        if kind_for(material) == CATCH_ALL_KIND:
            catch_all[up.json()["id"]] = material
    if catch_all:  # naming what a 其他证明材料 scan is for: an edit, by POST
        current = await wx.request("GET", url)
        named = [
            {**a, "kind": catch_all.get(a["document_id"], a["kind"])}
            for a in current.json()["attachments"]
        ]
        r = await wx.request(
            "POST",
            url + "/edits",
            json={"attachments": named},
            headers={"If-Match": current.headers["etag"]},
        )
        assert r.status_code == 200, r.text
    r = await submit()
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
