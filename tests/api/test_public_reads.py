"""Reference data a front end reads before anyone signs in, so that it hard-codes none:
material kinds and their upload limits, policy packs, committees, specialties. Public
reads on the gateway (no token), cacheable with ETag; problems that point a person to
them name these gateway paths."""

from __future__ import annotations

import re

from tests.api.factories import auth, drafted
from tests.documents import corpus

COMMITTEES = "/v1/committees?region=450200&series=engineering&level=deputy_senior"


async def test_kinds_policies_and_committees_need_no_token(client) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in ("/v1/kinds", "/v1/committees", "/v1/policies", "/v1/specialties"):
        assert spec["paths"][path]["get"]["security"] == [], path
        r = await client.get(COMMITTEES if path == "/v1/committees" else path)
        assert r.status_code == 200, (path, r.text)
        assert r.json(), path
        tag = r.headers["etag"]
        again = await client.get(r.request.url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b"", path

    kinds = {k["code"]: k for k in (await client.get("/v1/kinds")).json()}
    scan = kinds["title_certificate"]
    assert scan["material"] and "image/jpeg" in scan["types"]
    assert scan["max_bytes"] > 0 and scan["min_width"] > 0
    committees = (await client.get(COMMITTEES)).json()
    assert any("柳州" in c["name"] for c in committees), committees
    # The eligibility service's refusal of a bad query comes through as it is.
    r = await client.get("/v1/committees?region=450200&series=pottery&level=senior")
    assert r.status_code == 422, r.text


async def test_an_unknown_kind_points_to_the_gateways_catalogue(client) -> None:
    _tree, _campaign, applicant, did = await drafted(client, label="材料类别目录")
    r = await client.post(
        f"/v1/declarations/{did}/documents",
        data={"kind": "diploma_photo"},
        files={"file": ("x.jpg", corpus.clean_scan(3), "image/jpeg")},
        headers=auth(applicant),
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["type"].endswith("kind-unknown"), body
    (path,) = re.findall(r"GET (/v1/\S+?) ", body["detail"])
    listed = await client.get(path)  # anyone, no token: the path the message names
    assert listed.status_code == 200
    assert sorted(k["code"] for k in listed.json()) == body["known"]
