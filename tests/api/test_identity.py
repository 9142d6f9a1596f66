"""The applicant's real-name record: validated, sealed at rest, one account per number."""

from __future__ import annotations

import asyncpg

from services.kit.pii import id_check_character
from tests.api.factories import auth, token
from tests.conftest import Stack


def make_id(body17: str) -> str:
    return body17 + id_check_character(body17)


async def test_owner_records_and_reads_the_number_which_is_stored_only_sealed(
    client, stack: Stack
) -> None:
    owner = token("applicant")
    number = make_id("45020319880315421")
    r = await client.put(
        "/v1/me/identity", json={"name": "韦桂林", "id_number": number}, headers=auth(owner)
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "name": "韦桂林",
        "id_number": number,
        "id_number_masked": number[:4] + "*" * 10 + number[-4:],
    }
    r = await client.get("/v1/me/identity", headers=auth(owner))
    assert r.json()["id_number"] == number

    conn = await asyncpg.connect(stack.database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        row = await conn.fetchrow("SELECT * FROM api.applicant WHERE name = '韦桂林'")
        audit = await conn.fetch("SELECT reason FROM api.audit_entry")
    finally:
        await conn.close()
    assert all(number not in str(value) for value in row.values())
    assert all(number not in (a["reason"] or "") for a in audit)


async def test_a_wrong_check_character_is_a_problem_and_nothing_is_stored(client) -> None:
    owner = token("applicant")
    good = make_id("45020319900101123")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r = await client.put(
        "/v1/me/identity", json={"name": "张三", "id_number": bad}, headers=auth(owner)
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith(":invalid-id-number")
    assert "校验位" in r.json()["detail"]
    r = await client.get("/v1/me/identity", headers=auth(owner))
    assert r.status_code == 404


async def test_one_number_binds_one_account(client) -> None:
    number = make_id("14040219791105002")
    first, second = token("applicant"), token("applicant")
    r = await client.put(
        "/v1/me/identity", json={"name": "李四", "id_number": number}, headers=auth(first)
    )
    assert r.status_code == 200
    r = await client.put(
        "/v1/me/identity", json={"name": "李四", "id_number": number}, headers=auth(second)
    )
    assert r.status_code == 409
    assert r.json()["type"].endswith(":id-number-taken")
    # The owner may correct their own record with the same number.
    r = await client.put(
        "/v1/me/identity", json={"name": "李 四", "id_number": number}, headers=auth(first)
    )
    assert r.status_code == 200 and r.json()["name"] == "李 四"


async def test_only_applicants_have_a_real_name_record(client) -> None:
    r = await client.get("/v1/me/identity", headers=auth(token("unit_reviewer", org="x")))
    assert r.status_code == 403
