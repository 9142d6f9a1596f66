"""Two requests forming a committee session at once (an office's two desks, a retried
click): each paid declaration ends in exactly one session, and the request that finds
none left is told so (409 no-declarations-ready), never a server error."""

from __future__ import annotations

import asyncio
import uuid

from sqlmodel import select

from services.api.models import SessionDeclaration
from tests.api.factories import post
from tests.api.test_committee_e2e import CHAIN, chain_to_paid, committee_tree
from tests.api.test_payments import callback, db, pay, payment  # noqa: F401 (fixtures)


async def test_two_sessions_formed_at_once_share_no_declaration(pay, db) -> None:  # noqa: F811
    client = pay
    tree, campaign = await committee_tree(client, f"并发{uuid.uuid4().hex[:4]}")
    office_tok = tree.tokens["committee_office"]
    dids = [await chain_to_paid(client, tree, campaign, CHAIN) for _ in range(3)]

    body = {"campaign_id": campaign["id"], "level": "deputy_senior", "panel_size": 11}
    answers = await asyncio.gather(
        *(post(client, "/v1/committee-sessions", office_tok, body) for _ in range(2))
    )
    codes = sorted(r.status_code for r in answers)
    assert codes == [201, 409], [r.text for r in answers]
    made = next(r for r in answers if r.status_code == 201).json()
    refused = next(r for r in answers if r.status_code == 409)
    assert refused.json()["type"].endswith(":no-declarations-ready"), refused.text
    assert "尚未安排评审会" in refused.json()["detail"]
    assert sorted(made["declaration_ids"]) == sorted(dids)

    query = select(SessionDeclaration).where(
        SessionDeclaration.declaration_id.in_([uuid.UUID(d) for d in dids])
    )
    rows = (await db.exec(query)).all()
    assert len(rows) == len(dids)
    assert {str(r.session_id) for r in rows} == {made["id"]}
