"""Two people, or one client retrying, at the same moment: one effect, the other told why.

Already covered, not repeated: four approvals with one Idempotency-Key (one transition,
three replays) and two racing submissions of the same level (tests/api/test_conventions.py);
the same payment callback twice at once (tests/api/test_payments.py).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from tests.api import test_payments
from tests.api.factories import (
    auth,
    complete_unit_step,
    make_campaign,
    make_tree,
    post,
    submission,
    submitted,
    token,
)
from tests.api.races import race
from tests.api.test_payments import accepted, callback, notice, payment
from tests.api.test_review_chain_e2e import UNIT_REVIEW

# The paying gateway, as the payment tests set it up (known callback key, no sweep).
pay = test_payments.pay


async def _audit(client, did: str, tok: str) -> list[str]:
    r = await client.get(f"/v1/declarations/{did}/audit", headers=auth(tok))
    assert r.status_code == 200, r.text
    return [e["action"] for e in r.json()]


async def test_two_reviewers_approve_at_once_one_gets_412(client) -> None:
    tree, _campaign, applicant, did = await submitted(
        client, label="双人审核", supervisor=False, county=False
    )
    url = f"/v1/declarations/{did}"
    first = tree.tokens["unit_reviewer"]
    second = token("unit_reviewer", tree.unit, sub="双人审核-unit-2")
    r = await client.put(url + "/unit-review", json=UNIT_REVIEW, headers=auth(first))
    assert r.status_code == 200, r.text
    await complete_unit_step(client, did, first)
    etag = (await client.get(url, headers=auth(first))).headers["etag"]

    # Both read the same version, both press "approve" at once.
    winner, loser = await race(
        post(client, url + "/approvals", first, {"comment": "同意"}, **{"If-Match": etag}),
        post(client, url + "/approvals", second, {"comment": "同意"}, **{"If-Match": etag}),
        expect=[200, 412],
    )
    assert loser.headers["content-type"] == "application/problem+json"
    assert loser.json()["type"] == "urn:zhicheng:problem:precondition-failed"
    assert loser.json()["current_etag"] == winner.headers["etag"]
    assert winner.json()["status"] == "series_office_review"
    assert (await _audit(client, did, applicant)).count("approved") == 1


async def test_resubmission_twice_with_one_key_takes_effect_once(client) -> None:
    tree, _campaign, applicant, did = await submitted(
        client, label="重复补正", supervisor=False, county=False
    )
    url = f"/v1/declarations/{did}"
    deadline = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    items = [{"section": "papers", "message": "请补充论文检索证明。"}]
    r = await post(
        client,
        url + "/returns",
        tree.tokens["unit_reviewer"],
        {"items": items, "deadline_at": deadline},
    )
    assert r.status_code == 201, r.text
    before = (await client.get(url, headers=auth(applicant))).json()
    assert before["status"] == "returned"

    # A flaky network: the client sends the resubmission twice at once, one key.
    key = uuid.uuid4().hex
    results = await asyncio.gather(
        submission(client, url + "/submissions", applicant, key=key),
        submission(client, url + "/submissions", applicant, key=key),
    )
    assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
    assert results[0].json() == results[1].json()
    replayed = [r.headers.get("idempotent-replayed") for r in results]
    assert replayed.count("true") == 1
    after = (await client.get(url, headers=auth(applicant))).json()
    assert after["submission_count"] == before["submission_count"] + 1
    assert after["status"] == "unit_review"
    trail = await _audit(client, did, applicant)
    assert trail.count("resubmitted") == 1 and trail.count("submitted") == 1
    # A later retry with the same key is answered the same, still once.
    again = await submission(client, url + "/submissions", applicant, key=key)
    assert again.status_code == 200 and again.json() == results[0].json()
    assert (await client.get(url, headers=auth(applicant))).json() == after


async def test_two_different_payments_at_once_one_transition(pay) -> None:
    tree = await make_tree(pay, label="双重缴费", supervisor=False, county=False)
    campaign = await make_campaign(pay)
    did, applicant = await accepted(pay, tree, campaign)
    order = await notice(pay, tree, did)

    # Paid twice through two channels; both callbacks arrive together.
    a, b = payment(order), payment(order)
    results = await asyncio.gather(callback(pay, a), callback(pay, b))
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert loser.json()["type"] == "urn:zhicheng:problem:payment-already-settled"
    winner = next(r for r in results if r.status_code == 200)
    assert winner.json()["status"] == "paid"

    r = await pay.get(f"/v1/declarations/{did}/payment-order", headers=auth(applicant))
    booked = r.json()["transaction_id"]
    assert booked in (a["transaction_id"], b["transaction_id"])
    assert booked == (a if winner is results[0] else b)["transaction_id"]
    trail = await _audit(pay, did, applicant)
    assert trail.count("paid") == 1
