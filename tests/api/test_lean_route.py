"""The declaration read's lean route (services/kit/lean.py) answers as its documented route.

The same GET is sent twice: with the id as we write ids (taken by the lean route) and with
the same id in capitals (a form the lean route leaves to the documented FastAPI route,
which accepts it). Both answers must be the same, for every kind of caller and failure:
status, body, and every header but the request id."""

from __future__ import annotations

import uuid

import pytest
from starlette.routing import Match

from services.kit.lean import LeanRoute, canonical_uuid
from tests.api.auth_helpers import portal_token, register, submitted
from tests.api.factories import auth, make_campaign, make_tree, token
from tests.support import scrape


def _answering(app, path: str, method: str = "GET"):
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return route
    return None


def _same(lean, documented, did: str) -> None:
    assert lean.status_code == documented.status_code, (lean.text, documented.text)
    strip = {"x-request-id", "content-length"}
    assert {k: v for k, v in lean.headers.items() if k not in strip} == {
        k: v for k, v in documented.headers.items() if k not in strip
    }
    if lean.status_code == 200:
        assert lean.content == documented.content
        return
    # A problem names the path asked for (`instance`, with the id as each request wrote
    # it) and the request's own id.
    shown, expected = lean.json(), documented.json()
    assert shown.pop("request_id") != expected.pop("request_id")
    expected["instance"] = expected["instance"].replace(did.upper(), did)
    assert shown == expected


async def _both(client, did: str, headers: dict[str, str] | None):
    lean = await client.get(f"/v1/declarations/{did.lower()}", headers=headers or {})
    documented = await client.get(f"/v1/declarations/{did.upper()}", headers=headers or {})
    _same(lean, documented, did.lower())
    return lean


def test_only_the_canonical_form_of_an_id_takes_the_lean_route(client) -> None:
    app = client._transport.app
    did = str(uuid.uuid4())
    assert isinstance(_answering(app, f"/v1/declarations/{did}"), LeanRoute)
    others = (
        did.upper(),  # capitals
        did.replace("-", ""),  # no hyphens
        "{" + did + "}",
        "urn:uuid:" + did,
        did + "x",
        "not-an-id",
        did[:-1] + "g",
    )
    for other in others:
        route = _answering(app, f"/v1/declarations/{other}")
        assert not isinstance(route, LeanRoute), other
    # Another method, or a path below: the documented routes.
    assert not isinstance(_answering(app, f"/v1/declarations/{did}", "PATCH"), LeanRoute)
    assert not isinstance(_answering(app, f"/v1/declarations/{did}/progress"), LeanRoute)
    assert canonical_uuid(did) == uuid.UUID(did)
    assert canonical_uuid(did.upper()) is None


async def test_the_lean_route_answers_every_caller_as_the_documented_route(client) -> None:
    tree = await make_tree(client, label="精简路由")
    campaign = await make_campaign(client)
    sub = f"lean-{uuid.uuid4().hex[:6]}"
    did = await submitted(client, tree, campaign, sub)
    owner = token("applicant", sub=sub)

    mine = await _both(client, did, auth(owner))
    assert mine.status_code == 200 and mine.json()["id"] == did
    assert mine.headers["etag"]
    # Someone else's, a stranger's id, no token, a forged token, a wrong scheme.
    for headers in (
        auth(token("applicant")),
        {"Authorization": "Bearer not.a.token"},
        {"Authorization": f"Basic {owner}"},
        None,
    ):
        r = await _both(client, did, headers)
        assert r.status_code in (401, 404), r.text
    missing = await _both(client, str(uuid.uuid4()), auth(owner))
    assert missing.status_code == 404
    # The unit's reviewer, whom the submission reached.
    unit = await _both(client, did, auth(tree.tokens["unit_reviewer"]))
    assert unit.status_code == 200, unit.text

    # A portal: its scope checked against the documented route's template, its
    # jurisdiction applied, personal data masked; every call counted against its limit.
    creds = await register(
        client, scopes=["declarations:read", "eligibility:evaluate"], jurisdiction=["450200"]
    )
    read = await _both(client, did, auth(await portal_token(client, creds, "declarations:read")))
    assert read.status_code == 200, read.text
    assert read.json()["sections"] != mine.json()["sections"]  # masked for a portal
    narrow = await portal_token(client, creds, "eligibility:evaluate")
    refused = await _both(client, did, auth(narrow))
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:zhicheng:problem:insufficient-scope"


@pytest.mark.parametrize("path", ["lean", "documented"])
async def test_metrics_count_a_lean_answer_under_the_route_template(client, path) -> None:
    tree = await make_tree(client, label="精简指标")
    campaign = await make_campaign(client)
    sub = f"lean-m-{uuid.uuid4().hex[:6]}"
    did = await submitted(client, tree, campaign, sub)
    did = did if path == "lean" else did.upper()
    app = client._transport.app
    line = (
        'zhicheng_http_requests_total{method="GET",route="/v1/declarations/{declaration_id}",'
        'service="api",status="200"}'
    )

    def count(text: str) -> float:
        found = [x for x in text.splitlines() if x.startswith(line)]
        return float(found[0].rsplit(" ", 1)[1]) if found else 0.0

    before = count(await scrape(app))
    owner = token("applicant", sub=sub)
    assert (await client.get(f"/v1/declarations/{did}", headers=auth(owner))).status_code == 200
    assert count(await scrape(app)) == before + 1


async def test_a_lean_read_counts_once_against_a_portals_limit(client) -> None:
    # The token request counts as one call; then each read, lean or not, one more.
    tree = await make_tree(client, label="精简限额")
    campaign = await make_campaign(client)
    did = await submitted(client, tree, campaign, f"lean-l-{uuid.uuid4().hex[:6]}")
    creds = await register(
        client, scopes=["declarations:read"], jurisdiction=["450200"], rate_limit=5
    )
    tok = await portal_token(client, creds)
    paths = [did, did, did.upper(), did, did]
    answers = [
        (await client.get(f"/v1/declarations/{p}", headers=auth(tok))).status_code for p in paths
    ]
    assert answers == [200, 200, 200, 200, 429]
