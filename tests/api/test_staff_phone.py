"""A staff account's mobile phone (issue #24: the unit reviewer is reminded when a step's
latest day nears), on the real stack through the API.

Ops give it when they create the account; the staff member records or replaces it
themselves with the SMS code sent to it (the applicants' code, its throttles and locks),
or removes it. It is sealed at rest and indexed by a keyed hash as an applicant's phone
is, and read masked, in the answers and in the audit trail. The reminder SMS itself is
tested with the reminders (tests/api/test_deadline_plan.py).
"""

from __future__ import annotations

import random
import uuid

import httpx
from sqlalchemy import text
from sqlmodel import select

from services.kit.outbox import Notification
from tests.api.factories import LOGIN_CODE, OPS, auth, make_tree, post, token, verified_applicant

PASSWORD = "Staff-phone-2022-strong"
PROBLEM = "urn:zhicheng:problem:"


def a_phone() -> str:
    return "136" + f"{random.randrange(10**8):08d}"


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


async def code_sent_to(client, phone: str) -> tuple[httpx.AsyncClient, str]:
    """Ask for a code to `phone` (from an address of its own) and read it where the notify
    worker reads it: the outbox."""
    app = client._transport.app
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    own = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url="http://test"
    )
    r = await own.post("/v1/auth/sms-codes", json={"phone": phone})
    assert r.status_code == 202, r.text
    async with app.state.sessionmaker() as session:
        query = select(Notification.params).where(
            Notification.phone == "+86" + phone, Notification.event == LOGIN_CODE
        )
        [params] = (await session.exec(query)).all()
    return own, params["code"]


async def stored(client, account_id: str) -> tuple[str | None, str | None]:
    app = client._transport.app
    async with app.state.sessionmaker() as session:
        row = await session.exec(
            text("SELECT phone_enc, phone_bidx FROM api.staff_account WHERE id = :id").bindparams(
                id=uuid.UUID(account_id)
            )
        )
        return tuple(row.one())


async def audit_reasons(client, action: str, account_id: str) -> list[str]:
    app = client._transport.app
    async with app.state.sessionmaker() as session:
        rows = await session.exec(
            text(
                "SELECT reason FROM api.audit_entry WHERE action = :a AND reason LIKE :id"
                " ORDER BY seq"
            ).bindparams(a=action, id=f"{account_id}%")
        )
        return [r[0] for r in rows.all()]


async def test_a_staff_phone_is_given_by_ops_or_proved_by_its_owner_and_read_masked(
    client,
) -> None:
    tree = await make_tree(client, label="手机", supervisor=False, county=False)
    first = a_phone()
    username = f"phone-{uuid.uuid4().hex[:8]}"
    body = {"username": username, "password": PASSWORD, "role": "unit_reviewer",
            "org_id": tree.unit, "phone": first}  # fmt: skip
    r = await post(client, "/v1/staff-accounts", OPS, {**body, "phone": "12345"})
    assert r.status_code == 422  # not a mainland mobile number
    r = await post(client, "/v1/staff-accounts", OPS, body)
    assert r.status_code == 201, r.text
    account = r.json()
    assert account["phone_masked"] == masked(first)
    # Sealed and indexed at rest, never in clear; the audit keeps it masked.
    enc, bidx = await stored(client, account["id"])
    assert enc and first not in enc
    assert bidx and first not in bidx
    [created] = await audit_reasons(client, "staff_account_created", account["id"])
    assert masked(first) in created and first not in created
    r = await client.get(f"/v1/staff-accounts/{account['id']}", headers=auth(OPS))
    assert r.json()["phone_masked"] == masked(first)
    # An account created without one has none.
    r = await post(
        client,
        "/v1/staff-accounts",
        OPS,
        {**body, "username": username + "-b", "phone": None},
    )
    assert r.status_code == 201 and r.json()["phone_masked"] is None, r.text

    # The staff member replaces it with the code sent to the new phone.
    r = await client.post(
        "/v1/auth/staff-logins", json={"username": username, "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    staff = r.json()["access_token"]
    second = a_phone()
    own, code = await code_sent_to(client, second)
    try:
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        r = await own.put(
            "/v1/me/phone", json={"phone": second, "code": wrong}, headers=auth(staff)
        )
        assert r.status_code == 401 and r.json()["type"] == PROBLEM + "invalid-login-code", r.text
        r = await own.put("/v1/me/phone", json={"phone": second, "code": code}, headers=auth(staff))
        assert r.status_code == 200, r.text
        assert r.json()["phone_masked"] == masked(second) and r.json()["id"] == account["id"]
        # The code is used up.
        r = await own.put("/v1/me/phone", json={"phone": second, "code": code}, headers=auth(staff))
        assert r.status_code == 401
    finally:
        await own.aclose()
    r = await client.get(f"/v1/staff-accounts/{account['id']}", headers=auth(OPS))
    assert r.json()["phone_masked"] == masked(second)
    [changed] = await audit_reasons(client, "staff_phone_set", account["id"])
    assert masked(second) in changed and second not in changed

    # A phone someone else proved cannot be claimed without its code; applicants have
    # their own phone (their sign-in), not this.
    applicant, theirs = await verified_applicant(client)
    r = await client.put(
        "/v1/me/phone", json={"phone": theirs, "code": "000000"}, headers=auth(staff)
    )
    assert r.status_code == 401
    r = await client.put(
        "/v1/me/phone", json={"phone": second, "code": "000000"}, headers=auth(applicant)
    )
    assert r.status_code == 403
    # A token of a staff role with no account behind it has none to set.
    ghost = token("unit_reviewer", tree.unit, sub=f"staff:{uuid.uuid4()}")
    r = await client.delete("/v1/me/phone", headers=auth(ghost))
    assert r.status_code == 404 and r.json()["type"] == PROBLEM + "staff-account-not-found"

    # Removed: reminders come as messages only.
    r = await client.delete("/v1/me/phone", headers=auth(staff))
    assert r.status_code == 204
    r = await client.delete("/v1/me/phone", headers=auth(staff))
    assert r.status_code == 204
    assert await stored(client, account["id"]) == (None, None)
    r = await client.get(f"/v1/staff-accounts/{account['id']}", headers=auth(OPS))
    assert r.json()["phone_masked"] is None
    assert len(await audit_reasons(client, "staff_phone_removed", account["id"])) == 1
