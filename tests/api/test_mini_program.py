"""What a WeChat mini-program front end can send: `wx.request` has no PATCH, so every
PATCH route is also answered at `POST …/edits` by the same handler (services/kit/edits.py);
`wx.uploadFile` sends its own multipart shape."""

from __future__ import annotations

import copy
import hashlib

from tests.api.factories import OPS, SECTIONS, auth, drafted, make_org, token
from tests.documents import corpus


async def test_every_patch_route_has_a_post_twin_with_the_same_contract(client) -> None:
    spec = (await client.get("/openapi.json")).json()
    patches = {p: ops["patch"] for p, ops in spec["paths"].items() if "patch" in ops}
    assert len(patches) >= 5
    for path, patch in patches.items():
        twin = spec["paths"].get(path + "/edits", {}).get("post")
        assert twin is not None, f"PATCH {path} has no POST {path}/edits"
        assert twin["requestBody"] == patch["requestBody"], path
        assert set(twin["responses"]) == set(patch["responses"]), path
        assert twin.get("security") == patch.get("security"), path
        assert twin["operationId"] == patch["operationId"] + "_by_post"


async def test_a_draft_is_edited_by_post_with_if_match(client) -> None:
    _tree, _campaign, applicant, did = await drafted(client, label="小程序编辑")
    url = f"/v1/declarations/{did}"
    current = await client.get(url, headers=auth(applicant))
    sections = copy.deepcopy(SECTIONS)
    sections["basic_info"]["name"] = "韦小程"

    # The same guard as the PATCH: no If-Match, or a stale one, changes nothing.
    r = await client.post(url + "/edits", json={"sections": sections}, headers=auth(applicant))
    assert r.status_code == 428 and r.json()["type"].endswith("if-match-required"), r.text
    r = await client.post(
        url + "/edits",
        json={"sections": sections},
        headers=auth(applicant, **{"If-Match": '"999"'}),
    )
    assert r.status_code == 412, r.text
    assert (await client.get(url, headers=auth(applicant))).json() == current.json()

    r = await client.post(
        url + "/edits",
        json={"sections": sections},
        headers=auth(applicant, **{"If-Match": current.headers["etag"]}),
    )
    assert r.status_code == 200, r.text
    assert r.json()["sections"]["basic_info"]["name"] == "韦小程"
    assert r.headers["etag"] != current.headers["etag"]
    after = await client.get(url, headers=auth(applicant))
    assert after.json()["sections"]["basic_info"]["name"] == "韦小程"
    assert after.headers["etag"] == r.headers["etag"]
    # The same body by PATCH and by POST lands the same way.
    sections["basic_info"]["name"] = "韦补丁"
    r = await client.patch(
        url, json={"sections": sections}, headers=auth(applicant, **{"If-Match": r.headers["etag"]})
    )
    assert r.status_code == 200 and r.json()["sections"]["basic_info"]["name"] == "韦补丁"

    # Another applicant's draft is not found, as with the PATCH.
    r = await client.post(
        url + "/edits",
        json={"sections": sections},
        headers=auth(token("applicant"), **{"If-Match": r.headers["etag"]}),
    )
    assert r.status_code == 404, r.text


async def test_ops_edit_an_org_and_a_portal_by_post(client) -> None:
    committee = await make_org(client, "committee_office", "小程序评委会所在职改办", None)
    series = await make_org(client, "series_office", "小程序系列职改办", committee)
    other = await make_org(client, "series_office", "另一系列职改办", committee)
    unit = await make_org(client, "unit", "小程序单位", series)
    r = await client.post(f"/v1/orgs/{unit}/edits", json={"parent_id": other}, headers=auth(OPS))
    assert r.status_code == 200 and r.json()["parent_id"] == other, r.text
    r = await client.get(f"/v1/orgs/{unit}", headers=auth(OPS))
    assert r.json()["parent_id"] == other
    # The PATCH's validation holds for its twin: an empty change is a 422 problem.
    r = await client.post(f"/v1/orgs/{unit}/edits", json={}, headers=auth(OPS))
    assert r.status_code == 422 and r.json()["type"].endswith("validation-error"), r.text

    body = {"name": "小程序门户", "scopes": ["eligibility:evaluate"], "jurisdiction": ["450200"]}
    r = await client.post("/v1/oauth/clients", json=body, headers=auth(OPS))
    assert r.status_code == 201, r.text
    cid = r.json()["client_id"]
    r = await client.post(
        f"/v1/oauth/clients/{cid}/edits", json={"scopes": ["declarations:read"]}, headers=auth(OPS)
    )
    assert r.status_code == 200 and r.json()["scopes"] == ["declarations:read"], r.text


def multipart(boundary: str, parts: list[tuple[dict[str, str], bytes]]) -> bytes:
    """A multipart/form-data body written out byte by byte, as a given client sends it."""
    out = b""
    for headers, content in parts:
        out += f"--{boundary}\r\n".encode()
        out += "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode("utf-8")
        out += b"\r\n" + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def field(name: str, value: str) -> tuple[dict[str, str], bytes]:
    return {"Content-Disposition": f'form-data; name="{name}"'}, value.encode("utf-8")


async def test_uploads_in_the_mini_program_shape_and_a_browsers(client) -> None:
    """wx.uploadFile: the file in part `file` named by its temporary path with a generic
    type, the formData fields (strings) before it, WeChat's boundary; a browser's
    FormData: the file first, its real name in UTF-8 and type, WebKit's boundary. Both
    are stored alike, with the note and kind as sent."""
    _tree, _campaign, applicant, did = await drafted(client, label="小程序上传")
    url = f"/v1/declarations/{did}/documents"
    scan = corpus.clean_scan(41)
    wx_file = (
        {
            "Content-Disposition": 'form-data; name="file"; filename="http://tmp/wx5e1f0a.jpg"',
            "Content-Type": "application/octet-stream",
        },
        scan,
    )
    wechat = multipart(
        "----WeChatFormBoundary7MA4YWxkTrZu0gW",
        [field("kind", "title_certificate"), field("note", "职称证书 第1页"), wx_file],
    )
    browser_file = (
        {
            "Content-Disposition": 'form-data; name="file"; filename="职称证书.jpg"',
            "Content-Type": "image/jpeg",
        },
        corpus.clean_scan(42),
    )
    browser = multipart(
        "----WebKitFormBoundaryu7EwCNkIx4lRD2pq",
        [browser_file, field("kind", "title_certificate"), field("note", "职称证书 第2页")],
    )
    stored = []
    for body, boundary in (
        (wechat, "----WeChatFormBoundary7MA4YWxkTrZu0gW"),
        (browser, "----WebKitFormBoundaryu7EwCNkIx4lRD2pq"),
    ):
        r = await client.post(
            url,
            content=body,
            headers=auth(
                applicant, **{"Content-Type": f"multipart/form-data; boundary={boundary}"}
            ),
        )
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "accepted" and r.json()["kind"] == "title_certificate"
        stored.append(r.json())
    assert stored[0]["received_sha256"] == hashlib.sha256(scan).hexdigest()
    declaration = (await client.get(f"/v1/declarations/{did}", headers=auth(applicant))).json()
    notes = {a["document_id"]: a["note"] for a in declaration["attachments"]}
    assert notes == {stored[0]["id"]: "职称证书 第1页", stored[1]["id"]: "职称证书 第2页"}

    # A form without its file part is a 422 naming `file`, not a 500.
    r = await client.post(
        url,
        content=multipart("b0undary", [field("kind", "title_certificate")]),
        headers=auth(applicant, **{"Content-Type": "multipart/form-data; boundary=b0undary"}),
    )
    assert r.status_code == 422, r.text
    assert "file" in r.json()["detail"], r.json()
