"""Two requests that create the same thing at once (a retried click, two desks): one
creates it, the other is told it exists (the route's 409), never a server error, and
exactly one row is stored."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import select

from services.api.models import StaffAccount
from tests.api.factories import OPS, make_org, post
from tests.api.races import race
from tests.api.test_payments import db  # noqa: F401 (fixture)

PASSWORD = "Liuzhou2022abc"


async def test_two_accounts_with_one_username_at_once(client, db) -> None:  # noqa: F811
    unit = await make_org(client, "unit", f"并发账号{uuid.uuid4().hex[:4]}单位", None)
    username = f"race-{uuid.uuid4().hex[:8]}"
    body = {"username": username, "password": PASSWORD, "role": "unit_reviewer", "org_id": unit}
    made, refused = await race(
        post(client, "/v1/staff-accounts", OPS, body),
        post(client, "/v1/staff-accounts", OPS, body),
        expect=[201, 409],
    )
    assert made.json()["username"] == username
    assert refused.json()["type"].endswith(":username-taken"), refused.text
    assert "用户名已被使用" in refused.json()["detail"]
    query = select(func.count()).select_from(StaffAccount).where(StaffAccount.username == username)
    assert (await db.exec(query)).one() == 1
