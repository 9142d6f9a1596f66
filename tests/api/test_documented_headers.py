"""The headers the gateway enforces and sends are the ones its OpenAPI document states
(services/api/http.py, `document_headers`): Idempotency-Key required on exactly the POSTs
whose dependencies claim one, If-Match required exactly where a missing one answers 428,
and every ETag, Location, Retry-After and X-Request-ID an answer carries documented on
that operation's answer."""

from __future__ import annotations

import json
import re
import uuid

from fastapi.routing import iter_route_contexts

from scripts.openapi import OUT
from services.api import http
from services.api.main import build_app
from services.kit.app import create_app
from services.kit.problems import ProblemError
from services.kit.settings import KitSettings
from tests.api.factories import OPS, auth, drafted, file_of_kind, kind_for, post
from tests.contract import assert_documented
from tests.support import running

SPEC = json.loads((OUT / "api.json").read_text())
CLAIMS_A_KEY = {http._idempotency, http._deferred_idempotency}
WATCHED = ("etag", "location", "retry-after", "x-request-id")


def _uses(dependant, calls) -> bool:
    return any(d.call in calls or _uses(d, calls) for d in dependant.dependencies)


def _header(operation: dict, name: str) -> dict | None:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"] == name:
            return parameter
    return None


def _template(path: str) -> tuple[str, dict]:
    """The documented path and its item for a concrete URL path."""
    for template, item in SPEC["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            return template, item
    raise AssertionError(f"{path}: no such path in openapi/api.json")


def assert_headers_documented(r) -> None:
    """Each watched header of this answer is listed on its operation's answer, and so
    are its status and, for a problem, its type (tests/contract.py)."""
    template, item = _template(r.request.url.path)
    operation = item[r.request.method.lower()]
    listed = {k.lower() for k in operation["responses"][str(r.status_code)].get("headers", {})}
    sent = {h for h in WATCHED if h in r.headers}
    where = f"{r.request.method} {template} {r.status_code}"
    assert "x-request-id" in sent, where
    assert sent <= listed, f"{where} sends {sorted(sent - listed)} undocumented"
    assert_documented(SPEC, r)


def test_idempotency_key_is_required_on_exactly_the_posts_that_claim_one() -> None:
    """Derived from the app: a POST whose dependencies claim a key (the write
    dependencies of services/api/http.py) documents it required; no other POST, and no
    PUT or PATCH (where it would be ignored), lists it."""
    app = build_app()
    claiming, checked = set(), 0
    for route in iter_route_contexts(app.routes):
        if not hasattr(route, "dependant") or not route.path.startswith("/v1/"):
            continue
        for method in route.methods - {"HEAD"}:
            operation = SPEC["paths"][route.path][method.lower()]
            key = _header(operation, "Idempotency-Key")
            claims = method == "POST" and _uses(route.dependant, CLAIMS_A_KEY)
            checked += 1
            if claims:
                claiming.add(f"{method} {route.path}")
                assert key is not None and key["required"] is True, (method, route.path)
                examples = operation["responses"]["400"]["content"]["application/problem+json"]
                assert "idempotency-key-required" in examples["examples"], (method, route.path)
            else:
                assert key is None, (method, route.path)
    assert {"POST /v1/declarations", "POST /v1/orgs"} <= claiming
    assert "POST /v1/auth/sms-codes" not in claiming and checked > 100


def test_if_match_is_required_exactly_where_428_is_answered() -> None:
    listed = 0
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            match = _header(operation, "If-Match")
            if match is None:
                assert "428" not in operation["responses"], (method, path)
                continue
            listed += 1
            assert match["required"] is ("428" in operation["responses"]), (method, path)
    assert listed > 10


async def test_as_sent_is_as_documented(client) -> None:
    """Walk real calls; each header check asserts what was answered against the doc."""
    case = await drafted(client, label="头文档")
    url = f"/v1/declarations/{case.did}"
    patch_doc = SPEC["paths"]["/v1/declarations/{declaration_id}"]["patch"]
    submit_doc = SPEC["paths"]["/v1/declarations/{declaration_id}/submissions"]["post"]
    create_doc = SPEC["paths"]["/v1/declarations"]["post"]

    # No Idempotency-Key on a creation: 400, and the document says it is required.
    r = await client.post(
        "/v1/declarations",
        json={"campaign_id": case.campaign["id"], "unit_org_id": case.tree.unit,
              "level": "deputy_senior"},
        headers=auth(case.applicant),
    )  # fmt: skip
    assert r.status_code == 400, r.text
    assert r.json()["type"] == "urn:zhicheng:problem:idempotency-key-required"
    assert _header(create_doc, "Idempotency-Key")["required"] is True
    assert_headers_documented(r)
    r = await client.post("/v1/orgs", json={}, headers=auth(OPS))
    assert r.status_code == 400 and r.json()["type"].endswith("idempotency-key-required")
    assert_headers_documented(r)

    # A sign-in code takes no key, and none is listed.
    r = await client.post("/v1/auth/sms-codes", json={"phone": "13912345678"})
    assert r.status_code == 202, r.text
    assert _header(SPEC["paths"]["/v1/auth/sms-codes"]["post"], "Idempotency-Key") is None
    assert_headers_documented(r)

    # The read carries the ETag, documented.
    r = await client.get(url, headers=auth(case.applicant))
    assert r.status_code == 200 and r.headers["etag"]
    assert_headers_documented(r)
    tag = r.headers["etag"]

    # An edit without If-Match: 428, and the document says it is required.
    r = await client.patch(url, json={"specialty": None}, headers=auth(case.applicant))
    assert r.status_code == 428, r.text
    assert _header(patch_doc, "If-Match")["required"] is True
    assert_headers_documented(r)
    r = await client.patch(
        url, json={"specialty": None}, headers=auth(case.applicant, **{"If-Match": tag})
    )
    assert r.status_code == 200, r.text
    assert_headers_documented(r)

    # Submitting without If-Match is refused (428), and the document says it is required.
    r = await post(client, url + "/submissions", case.applicant)
    assert r.status_code == 428, r.text
    assert _header(submit_doc, "If-Match")["required"] is True
    assert_headers_documented(r)

    # A creation's 201 carries ETag and Location, documented.
    r = await post(
        client, "/v1/declarations", case.applicant,
        {"campaign_id": case.campaign["id"], "unit_org_id": case.tree.unit,
         "level": "deputy_senior"},
        key=uuid.uuid4().hex,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/v1/declarations/{r.json()['id']}"
    assert_headers_documented(r)

    # A cached public read: ETag and 304.
    r = await client.get("/v1/problems")
    assert_headers_documented(r)
    r = await client.get("/v1/problems", headers={"If-None-Match": r.headers["etag"]})
    assert r.status_code == 304
    assert_headers_documented(r)

    await _documents_as_sent(client, case)
    await _lists_as_sent(client, case)


async def _documents_as_sent(client, case) -> None:
    """The documents family: upload and replace answer 201 with the declaration's ETag and
    the document's Location, delete 204 with the ETag; the problems they relay too."""
    base = f"/v1/declarations/{case.did}/documents"
    kind = kind_for("title_certificate")
    r = await client.post(
        base, data={"kind": kind}, files={"file": file_of_kind(kind, "头文档-1")},
        headers=auth(case.applicant),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.headers["etag"] and r.headers["location"].startswith(base + "/")
    assert_headers_documented(r)
    first = r.json()["id"]
    r = await client.post(
        f"{base}/{first}/replace", data={"kind": kind},
        files={"file": file_of_kind(kind, "头文档-2")}, headers=auth(case.applicant),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.headers["etag"] and r.headers["location"]
    assert_headers_documented(r)
    second = r.json()["id"]
    # The same file again: the document service's refusal (a duplicate), relayed.
    r = await client.post(
        base, data={"kind": kind}, files={"file": file_of_kind(kind, "头文档-2")},
        headers=auth(case.applicant),
    )  # fmt: skip
    assert r.status_code in (409, 422), r.text
    assert_headers_documented(r)
    # Not multipart: the document service's 415, relayed.
    r = await client.post(base, json={"kind": kind}, headers=auth(case.applicant))
    assert r.status_code == 415, r.text
    assert_headers_documented(r)
    again = await client.post(
        f"{base}/{first}/replace", data={"kind": kind},
        files={"file": file_of_kind(kind, "头文档-3")}, headers=auth(case.applicant),
    )  # fmt: skip
    for r in (
        await client.get(base, headers=auth(case.applicant)),
        await client.get(f"{base}/{second}/download", headers=auth(case.applicant)),
        await client.get(f"{base}/{uuid.uuid4()}/download", headers=auth(case.applicant)),
        again,
        await client.delete(f"{base}/{first}", headers=auth(case.applicant)),
    ):
        assert r.status_code in (200, 404, 409), r.text
        assert_headers_documented(r)
    r = await client.delete(f"{base}/{second}", headers=auth(case.applicant))
    assert r.status_code == 204 and r.headers["etag"], r.text
    assert_headers_documented(r)


async def _lists_as_sent(client, case) -> None:
    """The paged lists: a cursor not of ours is their 422 invalid-cursor, documented."""
    for path, tok in (
        ("/v1/declarations", case.applicant),
        ("/v1/me/messages", case.applicant),
        ("/v1/review-queue", case.tree.tokens["unit_reviewer"]),
    ):
        r = await client.get(path, params={"cursor": "不是游标"}, headers=auth(tok))
        assert r.status_code == 422 and r.json()["type"].endswith(":invalid-cursor"), r.text
        assert_headers_documented(r)
        r = await client.get(path, params={"limit": 1}, headers=auth(tok))
        assert r.status_code == 200, r.text
        assert_headers_documented(r)
    # Text no database holds, in a query parameter: 422 invalid-character on any route.
    r = await client.get("/v1/orgs", params={"q": "a\x00b"}, headers=auth(OPS))
    assert r.status_code == 422 and r.json()["type"].endswith(":invalid-character"), r.text
    assert_headers_documented(r)


async def test_every_503_and_429_says_when_to_retry() -> None:
    """Documented on each 429 and 503: so a problem naming no wait gets the default."""
    app = create_app(
        service="test", title="t", description="t",
        settings=KitSettings(environment="test"), checks={},
    )  # fmt: skip

    @app.get("/down")
    async def down() -> dict:
        raise ProblemError(503, "payment-provider-unavailable", "支付机构暂时无法连接。")

    @app.get("/busy")
    async def busy() -> dict:
        raise ProblemError(429, "rate-limited", "请求过于频繁。", headers={"Retry-After": "42"})

    async with running(app) as c:
        assert (await c.get("/down")).headers["retry-after"] == "5"
        assert (await c.get("/busy")).headers["retry-after"] == "42"
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            for status in ("429", "503"):
                if status in operation["responses"]:
                    headers = operation["responses"][status]["headers"]
                    assert "Retry-After" in headers, (method, path, status)
