"""Personal data at rest across key rotations and a switch to 国密 (GB/T 39786-2021).

On a database of its own (the re-encryption job rewrites every row it finds): applicants
sign in by SMS and record their identity through a gateway of the standard suite
(AES-256-GCM, HMAC-SHA256); a gateway switched to PII_CRYPTO=guomi (SM4-GCM, HMAC-SM3)
with new keys still reads them, finds them by phone and refuses their ID number to
another account; `python -m scripts.pii_rekey` moves every value to the new algorithm and
keys, after which a gateway holding only the new keys reads everything. Then back to the
standard suite with another new key, the same way. And within 国密, on a database of its
own: data written under SM4 key version 1 is read after the rotation to SM4 key version
2, before and after the job.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import uuid
from dataclasses import replace

import jwt
import pytest
from sqlmodel import select

from services.api.config import ApiSettings
from services.api.main import build_app
from services.api.models import Applicant
from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import Notification
from services.kit.pii import id_check_character
from tests.api.factories import LOGIN_CODE, OPS, auth, make_tree, post
from tests.conftest import ROOT, Stack, create_database, drop_database
from tests.support import running


def _b64(n: int) -> str:
    return base64.b64encode(os.urandom(n)).decode()


AES1, SM4_2, AES3 = _b64(32), _b64(16), _b64(32)
INDEX0, INDEX1 = _b64(32), _b64(32)
STAFF_PHONE = "13712345678"
SM4_V1, SM4_V2, SM3_V1, SM3_V2 = _b64(16), _b64(16), _b64(32), _b64(32)

STANDARD = {  # before: the standard suite, the index key from before key ids (i0)
    "pii_crypto": "standard",
    "pii_keys": f"k1:{AES1}",
    "pii_key_id": "k1",
    "pii_index_key": INDEX0,
}
GUOMI = {  # 国密, new keys current, the old ones still listed
    "pii_crypto": "guomi",
    "pii_keys": f"k1:{AES1},g2:{SM4_2}",
    "pii_key_id": "g2",
    "pii_index_key": INDEX0,
    "pii_index_keys": f"i1:{INDEX1}",
    "pii_index_key_id": "i1",
}
GUOMI_ONLY = {  # after the job: the old keys removed
    "pii_crypto": "guomi",
    "pii_keys": f"g2:{SM4_2}",
    "pii_key_id": "g2",
    "pii_index_key": "",
    "pii_index_keys": f"i1:{INDEX1}",
    "pii_index_key_id": "i1",
}
BACK = {  # the standard suite again, with a new AES key
    "pii_crypto": "standard",
    "pii_keys": f"g2:{SM4_2},k3:{AES3}",
    "pii_key_id": "k3",
    "pii_index_key": "",
    "pii_index_keys": f"i1:{INDEX1}",
    "pii_index_key_id": "i1",
}
BACK_ONLY = {**BACK, "pii_keys": f"k3:{AES3}"}

SM4_FIRST = {  # 国密 from the start: SM4 key version 1, HMAC-SM3 index key version 1
    "pii_crypto": "guomi",
    "pii_keys": f"v1:{SM4_V1}",
    "pii_key_id": "v1",
    "pii_index_key": "",
    "pii_index_keys": f"j1:{SM3_V1}",
    "pii_index_key_id": "j1",
}
SM4_ROTATED = {  # version 2 current, version 1 still listed
    **SM4_FIRST,
    "pii_keys": f"v1:{SM4_V1},v2:{SM4_V2}",
    "pii_key_id": "v2",
    "pii_index_keys": f"j1:{SM3_V1},j2:{SM3_V2}",
    "pii_index_key_id": "j2",
}
SM4_SECOND = {  # after the job: version 2 alone
    **SM4_FIRST,
    "pii_keys": f"v2:{SM4_V2}",
    "pii_key_id": "v2",
    "pii_index_keys": f"j2:{SM3_V2}",
    "pii_index_key_id": "j2",
}


def _id_number(seed: int) -> str:
    body = f"45020319900101{seed:03d}"
    return body + id_check_character(body)


def _own_database(stack: Stack, redis_index: int):
    name = f"zhicheng_pii_{uuid.uuid4().hex[:8]}"
    base, _, _ = stack.redis_url.rpartition("/")
    # A Redis index of its own too: the gateways' queued login codes stay out of the run's.
    db = replace(create_database(stack, name), redis_url=f"{base}/{redis_index}")
    subprocess.run([sys.executable, "-m", "scripts.migrate"], env=db.env(), check=True, cwd=ROOT)
    yield db
    drop_database(stack, name)


@pytest.fixture(scope="module")
def own(stack: Stack):
    yield from _own_database(stack, 9)


@pytest.fixture(scope="module")
def own_guomi(stack: Stack):
    yield from _own_database(stack, 10)


def _gateway(own: Stack, keys: dict[str, str]):
    # Every sign-in comes from one address and each phone signs in a few times.
    kwargs = {
        **own.settings_kwargs(),
        "sms_phone_interval_seconds": 0,
        "sms_ip_per_hour": 1000,
        "sms_phone_per_hour": 100,
        **keys,
    }
    return build_app(ApiSettings(**kwargs))


async def _sign_in(client, maker, phone: str) -> str:
    """An SMS sign-in; the subject of the access token."""
    assert (await client.post("/v1/auth/sms-codes", json={"phone": phone})).status_code == 202
    async with maker() as session:
        query = (
            select(Notification.params)
            .where(Notification.phone == "+86" + phone, Notification.event == LOGIN_CODE)
            .order_by(Notification.created_at.desc())
        )
        code = (await session.exec(query)).first()["code"]
    r = await client.post("/v1/auth/sms-logins", json={"phone": phone, "code": code})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def _sub(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["sub"]


async def _rows(maker) -> list[Applicant]:
    async with maker() as session:
        return list((await session.exec(select(Applicant))).all())


def _rekey(own: Stack, keys: dict[str, str]) -> str:
    env = own.env(**{k.upper(): v for k, v in keys.items()})
    done = subprocess.run(
        [sys.executable, "-m", "scripts.pii_rekey"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


async def _reads_everything(own: Stack, keys: dict[str, str], people: dict, maker) -> None:
    """A gateway with `keys` finds each person by phone and reads their identity, and
    refuses one person's ID number to another account."""
    async with running(_gateway(own, keys)) as client:
        for phone, (sub, number) in people.items():
            token = await _sign_in(client, maker, phone)
            assert _sub(token) == sub, phone  # the same account, not a new one
            me = await client.get("/v1/me/identity", headers=auth(token))
            assert me.status_code == 200, me.text
            assert me.json()["id_number"] == number
        (phone, (_sub_a, number)), (other, _) = list(people.items())[:2]
        token = await _sign_in(client, maker, other)
        taken = await client.put(
            "/v1/me/identity", json={"name": "冒用", "id_number": number}, headers=auth(token)
        )
        assert taken.status_code == 409, taken.text
        assert taken.json()["type"] == "urn:zhicheng:problem:id-number-taken"


async def _reads_staff_phone(own: Stack, keys: dict[str, str], staff_id: str) -> None:
    """A gateway with only `keys` reads the staff account's phone (masked)."""
    async with running(_gateway(own, keys)) as client:
        r = await client.get(f"/v1/staff-accounts/{staff_id}", headers=auth(OPS))
        assert r.status_code == 200, r.text
        assert r.json()["phone_masked"] == STAFF_PHONE[:3] + "****" + STAFF_PHONE[-4:]


async def test_data_survives_rotation_and_the_switch_to_guomi_and_back(own: Stack) -> None:
    engine = make_engine(own.database_url)
    maker = make_sessionmaker(engine)
    people: dict[str, tuple[str, str]] = {}
    try:
        # Written under the standard suite.
        async with running(_gateway(own, STANDARD)) as client:
            for seed in (1, 2):
                phone = f"1390000{uuid.uuid4().int % 10000:04d}"
                token = await _sign_in(client, maker, phone)
                number = _id_number(seed)
                r = await client.put(
                    "/v1/me/identity",
                    json={"name": f"韦工{seed}", "id_number": number},
                    headers=auth(token),
                )
                assert r.status_code == 200, r.text
                people[phone] = (_sub(token), number)
            # A staff account's phone (its reminders by SMS) is sealed the same way.
            tree = await make_tree(client, label="轮换", supervisor=False, county=False)
            body = {"username": f"rotate-{uuid.uuid4().hex[:8]}", "password": "Rotate-2022-strong",
                    "role": "unit_reviewer", "org_id": tree.unit, "phone": STAFF_PHONE}  # fmt: skip
            r = await post(client, "/v1/staff-accounts", OPS, body)
            assert r.status_code == 201, r.text
            staff_id = r.json()["id"]
        rows = await _rows(maker)
        assert all(r.id_number_enc.startswith("aes-256-gcm:k1:") for r in rows)
        assert all(r.phone_bidx.startswith("hmac-sha256:i0:") for r in rows)

        # Switched to 国密 before the job: the old values read and match.
        await _reads_everything(own, GUOMI, people, maker)
        async with running(_gateway(own, GUOMI)) as client:
            phone = f"1380000{uuid.uuid4().int % 10000:04d}"
            token = await _sign_in(client, maker, phone)
            r = await client.put(
                "/v1/me/identity",
                json={"name": "新申报人", "id_number": _id_number(3)},
                headers=auth(token),
            )
            assert r.status_code == 200, r.text
            people[phone] = (_sub(token), _id_number(3))
        fresh = next(r for r in await _rows(maker) if r.sub == people[phone][0])
        assert fresh.id_number_enc.startswith("sm4-gcm:g2:")
        assert fresh.id_number_bidx.startswith("hmac-sm3:i1:")

        # The job moves the rest; run again, it finds nothing left to do.
        first = _rekey(own, GUOMI)
        assert "2 applicants" in first and "1 staff" in first
        again = _rekey(own, GUOMI)
        assert "0 applicants" in again and "0 staff" in again
        for row in await _rows(maker):
            assert row.id_number_enc.startswith("sm4-gcm:g2:"), row.id_number_enc
            assert row.phone_enc.startswith("sm4-gcm:g2:")
            assert row.id_number_bidx.startswith("hmac-sm3:i1:")
            assert row.phone_bidx.startswith("hmac-sm3:i1:")
        await _reads_everything(own, GUOMI_ONLY, people, maker)
        await _reads_staff_phone(own, GUOMI_ONLY, staff_id)

        # And back to the standard suite under a new key.
        back = _rekey(own, BACK)
        assert "3 applicants" in back and "1 staff" in back
        for row in await _rows(maker):
            assert row.id_number_enc.startswith("aes-256-gcm:k3:")
            assert row.phone_bidx.startswith("hmac-sha256:i1:")
        await _reads_everything(own, BACK_ONLY, people, maker)
        await _reads_staff_phone(own, BACK_ONLY, staff_id)
    finally:
        await engine.dispose()


async def test_data_written_under_sm4_key_version_1_reads_after_rotation_to_version_2(
    own_guomi: Stack,
) -> None:
    engine = make_engine(own_guomi.database_url)
    maker = make_sessionmaker(engine)
    people: dict[str, tuple[str, str]] = {}
    try:
        async with running(_gateway(own_guomi, SM4_FIRST)) as client:
            for seed in (11, 12):
                phone = f"1370000{uuid.uuid4().int % 10000:04d}"
                token = await _sign_in(client, maker, phone)
                number = _id_number(seed)
                r = await client.put(
                    "/v1/me/identity",
                    json={"name": f"国密{seed}", "id_number": number},
                    headers=auth(token),
                )
                assert r.status_code == 200, r.text
                people[phone] = (_sub(token), number)
        for row in await _rows(maker):
            assert row.id_number_enc.startswith("sm4-gcm:v1:"), row.id_number_enc
            assert row.phone_bidx.startswith("hmac-sm3:j1:"), row.phone_bidx

        # Version 2 current, version 1 still listed: the old values read and match.
        await _reads_everything(own_guomi, SM4_ROTATED, people, maker)
        # The job reseals everything under version 2; a gateway with version 2 alone reads.
        assert "2 applicants" in _rekey(own_guomi, SM4_ROTATED)
        for row in await _rows(maker):
            assert row.id_number_enc.startswith("sm4-gcm:v2:"), row.id_number_enc
            assert row.phone_enc.startswith("sm4-gcm:v2:")
            assert row.id_number_bidx.startswith("hmac-sm3:j2:")
            assert row.phone_bidx.startswith("hmac-sm3:j2:")
        await _reads_everything(own_guomi, SM4_SECOND, people, maker)
    finally:
        await engine.dispose()
