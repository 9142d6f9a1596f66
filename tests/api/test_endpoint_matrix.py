"""Every endpoint × every kind of caller, checked against tests/api/access_matrix.yaml.

The test enumerates the gateway's routes; a route without a row in the table fails it,
so whoever adds an endpoint decides (and writes down) who may call it.

Each cell is the class of the answer:
  401  no token (or a token this kind may not use here)
  403  the caller's role or scope may never use this endpoint
  404  the caller may use the endpoint but may not see this declaration (same as missing)
  ok   the gate let the call through: 2xx, or a later 4xx about the request itself
       (422 body, 412 stale If-Match, 409 state, 404 of a sub-resource, 503 dependency)

Calls that change things are sent with a stale `If-Match`, an empty body or a random
sub-resource id, so that a caller who passes the gate gets 412/422/404-document instead of
changing the shared declaration; the answers stay the same whatever order rows run in.

`ZHICHENG_WRITE_MATRIX=1 pytest tests/api/test_endpoint_matrix.py` writes the answers
observed to the table (review the diff before committing it).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import yaml
from fastapi.routing import iter_route_contexts

from services.api.main import build_app
from services.kit.auth import Principal, issue_token
from services.kit.settings import DEV_JWT_SECRET
from tests.api.factories import FACTS, SECTIONS, make_campaign, make_tree, new_draft, submit, token
from tests.api.test_review_chain_e2e import UNIT_REVIEW
from tests.support import EVALUATE_CASE

TABLE = Path(__file__).with_name("access_matrix.yaml")
KINDS = (
    "anonymous",
    "applicant_owner",
    "applicant_other",
    "unit_reviewer",
    "supervisor",
    "county_office",
    "series_office",
    "committee_office",
    "expert",
    "ops",
    "portal_scoped",
    "portal_unscoped",
    "service",
)
# Bodies that get past validation where the body would otherwise answer first.
BODIES = {
    "POST /v1/eligibility/evaluate": EVALUATE_CASE,
    "POST /v1/declarations/{declaration_id}/returns": {
        "items": [{"message": "x"}],
        "deadline_at": "2099-01-01T00:00:00+08:00",
    },
    "PATCH /v1/declarations/{declaration_id}": {"specialty": "eng-civil"},
    "POST /v1/declarations/{declaration_id}/imports": {"source_declaration_id": str(uuid.uuid4())},
    "PATCH /v1/orgs/{org_id}": {"name": "改名"},
    "PUT /v1/declarations/{declaration_id}/unit-review": UNIT_REVIEW,
}
QUERIES = {
    "GET /v1/committees": "?region=450200&series=engineering&level=deputy_senior",
    "GET /v1/work-calendar/working-days": "?start=2022-07-01&end=2022-07-31",
    "GET /v1/orgs/{org_id}/calendar": "?campaign_id={campaign_id}",
}


def routes(app) -> list[str]:
    found = []
    for route in iter_route_contexts(app.routes):
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                found.append(f"{method} {route.path}")
    return found


def classify(response) -> str:
    if response.status_code in (401, 403):
        return str(response.status_code)
    if response.status_code == 404 and response.headers.get("content-type", "").startswith(
        "application/problem+json"
    ):
        kind = response.json().get("type", "")
        if kind.endswith(("declaration-not-found", ":not-found", "org-not-found")):
            return "404"
    assert response.status_code < 500 or response.status_code == 503, response.text
    return "ok"


def route_params(did: str, org_id: str, campaign_id: str, **given: str) -> dict[str, str]:
    """A value for each path parameter of the gateway's routes: the declaration, org and
    campaign given, random ids (or `given` ones) for the rest."""
    return {
        "declaration_id": did,
        "document_id": str(uuid.uuid4()),
        "judgement_id": str(uuid.uuid4()),
        "org_id": org_id,
        "campaign_id": campaign_id,
        "day": "2022-07-01",
        "client_id": "portal-0000000000000000",
        "account_id": str(uuid.uuid4()),
        "policy_id": "guangxi-engineering-2022",
        "record_id": str(uuid.uuid4()),
        "objection_id": str(uuid.uuid4()),
        "material": "public_posting",
        "session_id": str(uuid.uuid4()),
        "expert_id": str(uuid.uuid4()),
        "committee_code": "lz-eng-deputy-senior",
        "follow_up_id": str(uuid.uuid4()),
        "sheet": "recommendation-roster",
        "recheck_id": str(uuid.uuid4()),
        "posting_id": str(uuid.uuid4()),
        "certificate_id": str(uuid.uuid4()),
        "message_id": str(uuid.uuid4()),
        "return_id": str(uuid.uuid4()),
        "code": "declaration-not-editable",
        **given,
    }


def portal(scopes: list[str]) -> str:
    principal = Principal(
        sub="client:matrix-portal",
        role="portal",
        client_id="matrix-portal",
        scopes=scopes,
        jurisdiction=["450200"],
    )
    return issue_token(principal, secret=DEV_JWT_SECRET)


def test_every_route_has_a_row() -> None:
    table = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
    app = build_app()
    missing = [r for r in routes(app) if r not in table]
    assert not missing, f"routes without a row in {TABLE.name}: {missing}"
    stale = [r for r in table if r not in routes(app)]
    assert not stale, f"rows for routes that no longer exist: {stale}"
    for row, cells in table.items():
        assert set(cells) == set(KINDS), row
        assert set(cells.values()) <= {"401", "403", "404", "ok"}, row


async def test_every_endpoint_answers_every_caller_as_the_table_says(client) -> None:
    tree = await make_tree(client, label="矩阵")
    campaign = await make_campaign(client)
    owner = token("applicant", sub=f"matrix-owner-{uuid.uuid4().hex[:6]}")
    did = await new_draft(client, tree, campaign, owner)
    assert (await submit(client, did, owner)).status_code == 200
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "applicant_owner": owner,
        "applicant_other": token("applicant", sub="matrix-other"),
        **tree.tokens,
        # An expert of the same committee office's pool, on no session's panel.
        "expert": token("expert", tree.committee),
        "ops": token("ops", uuid.uuid4()),
        "portal_scoped": portal(["eligibility:evaluate", "declarations:read"]),
        "portal_unscoped": portal([]),
        "service": token("service"),
    }
    params = route_params(did, tree.unit, campaign["id"])
    # A complete draft body: role checks inside the service answer before anything else.
    bodies = {
        **BODIES,
        "POST /v1/declarations": {
            "campaign_id": campaign["id"],
            "unit_org_id": tree.unit,
            "level": "deputy_senior",
            "sections": SECTIONS,
            "applicant_facts": FACTS,
        },
    }
    observed: dict[str, dict[str, str]] = {}
    for row in routes(build_app()):
        method, template = row.split(" ", 1)
        url = (template + QUERIES.get(row, "")).format(**params)
        observed[row] = {}
        for kind in KINDS:
            headers = {"Idempotency-Key": uuid.uuid4().hex, "If-Match": '"999"'}
            if tokens[kind]:
                headers["Authorization"] = f"Bearer {tokens[kind]}"
            kwargs = {"json": bodies.get(row, {})} if method != "GET" else {}
            r = await client.request(method, url, headers=headers, **kwargs)
            observed[row][kind] = classify(r)
    if os.environ.get("ZHICHENG_WRITE_MATRIX"):
        write(observed)
    table = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
    wrong = [
        f"{row} as {kind}: table says {table[row][kind]}, answer was {got}"
        for row, cells in observed.items()
        for kind, got in cells.items()
        if row in table and table[row][kind] != got
    ]
    assert not wrong, "\n".join(wrong)


def write(observed: dict[str, dict[str, str]]) -> None:
    lines = [
        "# Who may call what: one row per METHOD + route template, one cell per kind of",
        "# caller (see tests/api/test_endpoint_matrix.py for the meaning of 401/403/404/ok).",
        "# The declaration is a submitted one at its unit's review, in region 450206;",
        "# portals have jurisdiction 450200; `portal_scoped` holds eligibility:evaluate and",
        "# declarations:read, `portal_unscoped` no scope.",
    ]
    for row, cells in observed.items():
        inner = ", ".join(f"{kind}: '{cells[kind]}'" for kind in KINDS)
        lines.append(f"'{row}': {{{inner}}}")
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")
