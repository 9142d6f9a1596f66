"""scripts/demo.py seeds a ready world through the public API: both org trees, an open
campaign of this year in each city under the policy in force, a token for staff of every
role that the API accepts, and an applicant (signed in by SMS) with a draft."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from scripts import demo
from services.kit.outbox import Notification
from tests.api.factories import LOGIN_CODE, auth, withdraw_notices


async def test_seed_makes_a_world_the_api_answers_for(client, stack) -> None:
    app = client._transport.app

    async def read_code(phone: str) -> str:
        async with app.state.sessionmaker() as session:
            rows = (
                await session.exec(
                    select(Notification.params)
                    .where(Notification.phone == "+86" + phone, Notification.event == LOGIN_CODE)
                    .order_by(Notification.created_at.desc())
                )
            ).all()
        return rows[0]["code"]

    phone = "139" + datetime.now(UTC).strftime("%H%M%S") + "77"
    try:
        world = await demo.seed(client, read_code, phone=phone, label="演示测试")
    finally:
        await withdraw_notices(stack, Notification.phone == "+86" + phone)
    year = datetime.now(UTC).year

    # The applicant's draft, read with the applicant's own token.
    applicant = world["applicant"]["token"]
    r = await client.get(
        f"/v1/declarations/{world['applicant']['draft_id']}", headers=auth(applicant)
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "draft"
    assert r.json()["campaign_id"] == world["campaigns"]["liuzhou"]

    # Both campaigns are of this year and open for submission now.
    for city in ("liuzhou", "changzhi"):
        r = await client.get(f"/v1/campaigns/{world['campaigns'][city]}", headers=auth(applicant))
        assert r.status_code == 200, r.text
        campaign = r.json()
        assert campaign["year"] == year
        window = campaign["windows"]["submission"]
        assert window["opens_at"] < datetime.now(UTC).isoformat() < window["closes_at"]

    # Every role's token is accepted and is who it says.
    roles = {who["role"] for who in world["staff"].values()}
    assert {"ops", "committee_office", "series_office", "county_office", "supervisor",
            "unit_reviewer", "expert"} <= roles  # fmt: skip
    for name, who in world["staff"].items():
        r = await client.get("/v1/declarations", headers=auth(who["token"]))
        assert r.status_code == 200, (name, r.text)
    # The 长治 tree: the unit sits under the 潞州区 工信局, under the city 人社局.
    tree = world["orgs"]["changzhi"]
    r = await client.get(f"/v1/orgs/{tree['unit']}", headers=auth(world["staff"]["ops"]["token"]))
    assert r.json()["parent_id"] == tree["county_office"]

    lines = demo.describe(world, "http://127.0.0.1:8000")
    assert any(world["applicant"]["draft_id"] in line for line in lines)
    assert sum("=" in line and "eyJ" in line for line in lines) == len(world["staff"]) + 1
