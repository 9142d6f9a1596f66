"""An expert's 复核 ballot sent twice at once (a retried click, two devices): one is
counted, the other told it was already cast (409 recheck-already-voted), never a server
error; and a ballot racing the office's closing is either counted or refused as closed,
never stored uncounted."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import select

from services.api.models import RecheckBallot
from tests.api.factories import OPS, auth, post
from tests.api.races import race
from tests.api.test_committee_e2e import (
    CHAIN,
    approved_experts,
    chain_to_paid,
    closed_ballot_session,
    committee_tree,
)
from tests.api.test_payments import callback, db, pay, payment  # noqa: F401 (fixtures)

PANEL = 11  # a prefecture committee's minimum


async def closed_session(client) -> tuple[str, str, str, dict[str, str]]:
    """(office token, declaration id, session id, experts): one paid declaration, voted
    down (5 of 11 agree) by a full panel in a closed session."""
    label = f"复核并发{uuid.uuid4().hex[:4]}"
    tree, campaign = await committee_tree(client, label)
    committee, office_tok = tree.committee, tree.tokens["committee_office"]
    did = await chain_to_paid(client, tree, campaign, CHAIN)
    experts = await approved_experts(client, committee, office_tok, label, PANEL)
    sid, _ = await closed_ballot_session(client, office_tok, campaign, experts, {did: 5})
    return office_tok, did, sid, experts


async def test_recheck_ballots_at_once(pay, db) -> None:  # noqa: F811
    client = pay
    office_tok, did, _, experts = await closed_session(client)
    url = f"/v1/declarations/{did}"
    etag = (await client.get(url, headers=auth(OPS))).headers["ETag"]
    reason = "申报人对评审结果提出复核申请，经审核同意复核"
    r = await post(client, url + "/rechecks", office_tok, {"reason": reason}, **{"If-Match": etag})
    assert r.status_code == 201, r.text
    rc = f"/v1/rechecks/{r.json()['id']}"
    toks = list(experts.values())

    # One expert, two ballots at once: one counted, the other refused.
    _, refused = await race(
        post(client, rc + "/ballots", toks[0], {"choice": "agree"}),
        post(client, rc + "/ballots", toks[0], {"choice": "disagree"}),
        expect=[201, 409],
    )
    assert refused.json()["type"].endswith(":recheck-already-voted"), refused.text
    assert "只能投一票" in refused.json()["detail"]

    for tok in toks[1:9]:
        r = await post(client, rc + "/ballots", tok, {"choice": "agree"})
        assert r.status_code == 201, r.text
    # The office closes while the last two experts vote: a ballot answered 201 is counted.
    etag = (await client.get(rc, headers=auth(office_tok))).headers["ETag"]
    closing, *ballots = await asyncio.gather(
        post(client, rc + "/closing", office_tok, **{"If-Match": etag}),
        *(post(client, rc + "/ballots", tok, {"choice": "agree"}) for tok in toks[9:]),
    )
    assert closing.status_code == 200, closing.text
    for r in ballots:
        assert r.status_code in (201, 409), r.text
        if r.status_code == 409:
            assert r.json()["type"].endswith(":recheck-closed"), r.text
    outcome = closing.json()["outcome"]
    counted = outcome["agree"] + outcome["disagree"] + outcome["abstain"]
    accepted = 9 + sum(r.status_code == 201 for r in ballots)
    assert counted == accepted, (outcome, [r.text for r in ballots])
    stored = select(func.count()).select_from(RecheckBallot)
    stored = stored.where(RecheckBallot.recheck_id == uuid.UUID(rc.rsplit("/", 1)[1]))
    assert (await db.exec(stored)).one() == accepted


async def test_a_recheck_opened_as_the_results_are_posted(pay) -> None:  # noqa: F811
    """A 复核 is opened before the posting or refused after it (recheck-after-posting),
    and a posting is refused while a 复核 is open (recheck-open): never both at once."""
    client = pay
    office_tok, did, sid, _ = await closed_session(client)
    url = f"/v1/declarations/{did}"
    etag = (await client.get(url, headers=auth(OPS))).headers["ETag"]
    reason = "申报人对评审结果提出复核申请，经审核同意复核"
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    window = {"starts_on": monday.isoformat(), "ends_on": (monday + timedelta(days=7)).isoformat()}
    recheck, posting = await asyncio.gather(
        post(client, url + "/rechecks", office_tok, {"reason": reason}, **{"If-Match": etag}),
        post(client, f"/v1/committee-sessions/{sid}/results-posting", office_tok, window),
    )
    codes = sorted([recheck.status_code, posting.status_code])
    assert codes == [201, 409], [recheck.text, posting.text]
    if recheck.status_code == 409:
        assert recheck.json()["type"].endswith(":recheck-after-posting"), recheck.text
    else:
        assert posting.json()["type"].endswith(":recheck-open"), posting.text
