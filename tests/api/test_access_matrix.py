"""Every role against every endpoint, on a declaration of another organisation.

Someone who may not see a declaration gets the same 404 as for one that does not exist
(nothing about it leaks); a role that may never use an endpoint gets 403.
"""

from __future__ import annotations

import uuid

from services.api.access import REVIEWER_ROLES
from tests.api.factories import (
    FACTS,
    OPS,
    SECTIONS,
    answer_incomplete,
    auth,
    make_campaign,
    make_tree,
    post,
    submission,
    token,
)
from tests.api.test_review_chain_e2e import UNIT_REVIEW

DECLARATION_ENDPOINTS = [
    ("GET", ""),
    ("PATCH", ""),
    ("POST", "/imports"),
    ("POST", "/submissions"),
    ("POST", "/withdrawals"),
    ("GET", "/progress"),
    ("GET", "/audit"),
    ("PUT", "/unit-review"),
    ("GET", "/unit-review"),
    ("POST", "/approvals"),
    ("POST", "/returns"),
    ("GET", "/returns"),
    ("GET", "/judgements"),
    ("POST", f"/judgements/{uuid.uuid4()}/decisions"),
    ("POST", "/payment-notices"),
    ("GET", "/original-checks"),
    ("PUT", f"/original-checks/{uuid.uuid4()}"),
    ("GET", "/unit-pledge"),
    ("POST", "/unit-pledge"),
    ("GET", "/posting-objections"),
    ("POST", "/posting-objections"),
    ("POST", "/unit-materials/public_posting"),
    ("GET", "/rechecks"),
    ("GET", "/result"),
]
BODIES = {
    "/imports": {"source_declaration_id": str(uuid.uuid4())},
    "/returns": {"items": [{"message": "x"}], "deadline_at": "2099-01-01T00:00:00+08:00"},
    "": {"specialty": "eng-civil"},
    "/unit-review": UNIT_REVIEW,
    "/unit-pledge": {"text_version": "2023-1"},
    "/posting-objections": {"received_on": "2022-09-30", "content": "异议内容"},
}


async def _call(client, method: str, url: str, tok: str, body=None):
    headers = auth(tok, **{"Idempotency-Key": uuid.uuid4().hex, "If-Match": '"1"'})
    return await client.request(method, url, json=body or {}, headers=headers)


def _shape(response) -> dict:
    body = response.json()
    return {k: v for k, v in body.items() if k not in ("instance", "request_id")}


async def test_other_orgs_cannot_see_or_touch_a_declaration(client) -> None:
    a = await make_tree(client, label="甲")
    # B shares nothing with A: its own committee office, series office, county, supervisor.
    b = await make_tree(client, label="乙")
    campaign = await make_campaign(client)
    owner = token("applicant", sub="owner-a")
    r = await post(
        client,
        "/v1/declarations",
        owner,
        {
            "campaign_id": campaign["id"],
            "unit_org_id": a.unit,
            "level": "deputy_senior",
            "sections": SECTIONS,
            "applicant_facts": FACTS,
        },
    )
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    # A submitted declaration, sitting at A's unit.
    r = await submission(client, f"/v1/declarations/{did}/submissions", owner)
    if r.status_code == 422:  # upload what the submission asks for, then submit
        await answer_incomplete(client, did, owner, r.json()["errors"])
        r = await submission(client, f"/v1/declarations/{did}/submissions", owner)
    assert r.status_code == 200, r.text

    outsiders = {
        "applicant": token("applicant", sub="someone-else"),
        **b.tokens,
        # An expert sees a declaration only through a session they sit on, while it is open.
        "expert": token("expert", a.committee),
    }
    missing = f"/v1/declarations/{uuid.uuid4()}"
    for role, tok in outsiders.items():
        listed = await client.get("/v1/declarations", headers=auth(tok))
        assert did not in listed.text, role
        for method, suffix in DECLARATION_ENDPOINTS:
            body = BODIES.get(suffix)
            r = await _call(client, method, f"/v1/declarations/{did}{suffix}", tok, body)
            ghost = await _call(client, method, missing + suffix, tok, body)
            assert r.status_code == 404, (role, method, suffix, r.text)
            assert _shape(r) == _shape(ghost), (role, method, suffix)
            assert "甲" not in r.text and "owner-a" not in r.text

    # Ops see everything but act on nothing in the chain.
    for method, suffix in DECLARATION_ENDPOINTS:
        r = await _call(client, method, f"/v1/declarations/{did}{suffix}", OPS, BODIES.get(suffix))
        expected = {200} if method == "GET" and suffix != "/unit-review" else {403, 404}
        if method == "GET" and suffix == "/unit-review":
            expected = {404}  # visible, but the unit has recorded nothing yet
        if method == "GET" and suffix == "/result":
            expected = {404}  # visible, but no 批复 yet (result-not-yet)
        assert r.status_code in expected, (method, suffix, r.status_code, r.text)

    # Inside A's tree: offices above see it, but only the step's own org may act.
    r = await client.get(f"/v1/declarations/{did}", headers=auth(a.tokens["series_office"]))
    assert r.status_code == 200
    r = await post(client, f"/v1/declarations/{did}/approvals", a.tokens["series_office"])
    assert r.status_code == 403
    assert r.json()["type"] == "urn:zhicheng:problem:not-your-step"
    # The supervisor's level has not been reached yet: it does not see the declaration.
    r = await client.get(f"/v1/declarations/{did}", headers=auth(a.tokens["supervisor"]))
    assert r.status_code == 404


OFFICES_AND_OPS = {"county_office", "series_office", "committee_office", "ops"}
ROLE_ONLY = [
    ("POST", "/v1/orgs", {"kind": "unit", "name": "x", "region_code": "450200"}, {"ops"}),
    ("PATCH", f"/v1/orgs/{uuid.uuid4()}", {"parent_id": None}, {"ops"}),
    ("POST", "/v1/campaigns", {}, {"ops"}),
    # The day as the calendar already holds it (other suites read the 2022 National Day).
    (
        "POST",
        "/v1/work-calendar/days",
        {"day": "2022-10-01", "kind": "holiday", "name": "National Day"},
        {"ops"},
    ),
    ("POST", "/v1/work-calendar/years", {"year": 2090}, {"ops"}),
    ("GET", "/v1/audit/verification", None, {"ops"}),
    ("GET", f"/v1/campaigns/{uuid.uuid4()}/posting-list", None, {"unit_reviewer"}),
    (
        "GET",
        f"/v1/campaigns/{uuid.uuid4()}/unit-quality",
        None,
        {"county_office", "series_office", "committee_office", "ops"},
    ),
    # The office statistics, the problem-rate follow-up and the exports: experts see none.
    *(
        ("GET", f"/v1/campaigns/{uuid.uuid4()}/{suffix}", None, OFFICES_AND_OPS)
        for suffix in (
            "statistics",
            "problem-rates",
            "exports/recommendation-roster",
            "exports/material-summary",
        )
    ),
    (
        "GET",
        f"/v1/campaigns/{uuid.uuid4()}/unit-follow-ups",
        None,
        OFFICES_AND_OPS | {"unit_reviewer"},
    ),
    (
        "POST",
        f"/v1/campaigns/{uuid.uuid4()}/unit-follow-ups",
        {"unit_org_id": str(uuid.uuid4())},
        OFFICES_AND_OPS - {"ops"},
    ),
    ("POST", f"/v1/unit-follow-ups/{uuid.uuid4()}/documents/plan", None, {"unit_reviewer"}),
    (
        "GET",
        f"/v1/unit-follow-ups/{uuid.uuid4()}/documents/{uuid.uuid4()}/download",
        None,
        OFFICES_AND_OPS | {"unit_reviewer"},
    ),
    (
        "POST",
        f"/v1/unit-follow-ups/{uuid.uuid4()}/suspension",
        {"reason": "x"},
        {"committee_office"},
    ),
]
# Every role a token can carry: the applicant, each level of the chain, experts, ops.
ROLES = ["applicant", *REVIEWER_ROLES, "expert", "ops"]


async def test_roles_outside_an_endpoint_get_403(client) -> None:
    for method, url, body, allowed in ROLE_ONLY:
        for role in ROLES:
            tok = token(role, None if role == "applicant" else uuid.uuid4())
            r = await _call(client, method, url, tok, body)
            if role in allowed:
                assert r.status_code != 403, (role, method, url, r.text)
            else:
                assert r.status_code == 403, (role, method, url, r.status_code)
                assert r.json()["type"] == "urn:zhicheng:problem:forbidden"


async def test_no_or_bad_token_is_401(client) -> None:
    r = await client.get("/v1/declarations")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    r = await client.get("/v1/declarations", headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401
    assert r.json()["type"] == "urn:zhicheng:problem:invalid-token"


async def test_the_authorization_header_is_read_as_http_bearer_reads_it(client) -> None:
    """The scheme in any case, one space, the token with surrounding blanks dropped; any
    other scheme, or no token after it, is no credential at all (401 unauthenticated)."""
    tok = token("applicant")
    for value in (f"Bearer {tok}", f"bearer {tok}", f"BEARER  {tok} "):
        r = await client.get("/v1/declarations", headers={"Authorization": value})
        assert r.status_code == 200, (value, r.text)
    for value in (f"Basic {tok}", "Bearer", "Bearer ", f" Bearer {tok}", tok):
        r = await client.get("/v1/declarations", headers={"Authorization": value})
        assert r.status_code == 401, (value, r.status_code)
        assert r.json()["type"] == "urn:zhicheng:problem:unauthenticated", value
        assert r.headers["www-authenticate"] == "Bearer"
