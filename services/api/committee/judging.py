"""How a session judges: taken from the campaign's policy pack when the session is created
and kept with it, as the session keeps its vote rules.

Creating a session is a choreography (as `registries/lookups.py`): a short read of the
campaign on a session of its own, the pack asked of the eligibility service with no
connection held, then the request's own transaction claims the Idempotency-Key, locks
the declarations and stores the session with an excerpt of the pack (the committee, its
`judging` entry and the clauses they cite), so a later change of the pack does not change
how a session already created judges.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.campaigns import service as campaigns
from services.api.clients import rules as rules_client
from services.api.committee import service
from services.api.committee.schemas import SessionCreate
from services.api.http import DeferredIdempotency, etag
from services.api.models import Campaign
from services.kit.auth import Principal


def _clause_keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        keys = {v for k, v in node.items() if k == "clause" and isinstance(v, str)}
        return keys.union(*(_clause_keys(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_clause_keys(v) for v in node))
    return set()


def excerpt(pack: dict[str, Any], committee_code: str, level: str) -> dict[str, Any] | None:
    """What the session keeps of the pack: the committee, the first `judging` entry naming
    it and the level, and the clauses that entry cites (each with its printed reference).
    None: the pack does not know the committee (the session votes by the national rule)."""
    committee = next((c for c in pack.get("committees") or [] if c["code"] == committee_code), None)
    if committee is None or level not in committee.get("levels", ()):
        return None
    entries = [
        x
        for x in pack.get("judging") or []
        if committee_code in x["committees"] and level in x["levels"]
    ][:1]
    documents = {d["id"]: d for d in pack.get("documents") or []}
    clauses = {}
    for key in sorted(_clause_keys(entries)):
        c = pack["clauses"][key]
        ref = c.get("ref")
        if ref is None:
            doc = documents.get(c.get("document"), {})
            ref = f"{doc.get('number') or doc.get('short') or c.get('document')} {c['point']}"
        clauses[key] = {"ref": ref, "text": c["text"]}
    return {
        "id": pack["id"],
        "committees": [{k: committee[k] for k in ("code", "name", "levels") if k in committee}],
        "judging": entries,
        "clauses": clauses,
    }


async def pack_for(rules: httpx.AsyncClient, campaign: Campaign) -> dict[str, Any] | None:
    """The excerpt of the pack in force on the campaign's evaluation date (two reads of the
    eligibility service; call with no connection held)."""
    found = await rules_client.policy_in_force(
        rules, region=campaign.region_code, series=campaign.series, on=str(campaign.evaluate_on)
    )
    if found is None:
        return None
    return await rules_client.policy(rules, found["id"])


async def create(
    session: AsyncSession,
    principal: Principal,
    *,
    body: SessionCreate,
    sessionmaker,
    rules: httpx.AsyncClient,
    idem: DeferredIdempotency,
) -> JSONResponse:
    # 1. A short read on a session of its own: a retry answered as before, the campaign.
    async with sessionmaker() as reading:
        await idem.replay_if_answered(reading)
        campaign = await campaigns.get(reading, body.campaign_id)
    # 2. The eligibility service, with no connection held.
    pack = await pack_for(rules, campaign)
    kept = pack and excerpt(pack, campaign.committee_code, body.level)
    # 3. The request's own transaction: claim the key, lock, store.
    claimed = await idem.claim(session)
    created = await service.create(session, principal, body=body, judging=kept)
    return await claimed.respond(created, status_code=201, headers={"ETag": etag(created.version)})
