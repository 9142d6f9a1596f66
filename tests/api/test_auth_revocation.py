"""Revocations are kept in Postgres: Valkey only caches them.

Each case ends a token through the public API (logout, a reused refresh token, a disabled
staff account, a disabled applicant, a revoked portal client), then empties Valkey with
FLUSHALL: the same token is still refused, with the same problem type. Then Valkey is
stopped: a revoked token is still refused and a live one still works. The tests run on a
Valkey of their own, so emptying or stopping it touches no other test.
"""

from __future__ import annotations

import uuid

import jwt
import pytest
from sqlalchemy import update

from scripts.servers import Valkey, free_port
from services.api.config import ApiSettings
from services.api.main import build_app
from services.api.models import Applicant
from services.api.revocation import session_key
from tests.api.auth_helpers import portal_token, register
from tests.api.factories import OPS, auth, make_tree, post
from tests.api.test_auth_applicants import new_phone, no_codes_left_queued, sign_in
from tests.conftest import Stack
from tests.support import running

__all__ = ["no_codes_left_queued"]
PROBE = "/v1/declarations"
SESSION_ENDED = "urn:zhicheng:problem:session-ended"
INVALID_TOKEN = "urn:zhicheng:problem:invalid-token"
PASSWORD = "Liuzhou2022abc"


@pytest.fixture(scope="module")
def valkey(tmp_path_factory: pytest.TempPathFactory):
    server = Valkey(tmp_path_factory.mktemp("revocation-valkey"), free_port(), persist=False)
    server.start()
    yield server
    server.stop()


def _settings(stack: Stack, rules_url: str, redis_url: str) -> ApiSettings:
    return ApiSettings(
        **{**stack.settings_kwargs(), "redis_url": redis_url},
        rules_url=rules_url,
        sms_ip_per_hour=10_000,
        sms_phone_interval_seconds=0,
    )


@pytest.fixture
async def app_client(stack: Stack, rules_url: str, valkey: Valkey):
    app = build_app(_settings(stack, rules_url, valkey.url))
    async with running(app) as client:
        client.app = app
        yield client


async def refused(client, access: str, problem: str) -> None:
    r = await client.get(PROBE, headers=auth(access))
    assert r.status_code == 401, r.text
    assert r.json()["type"] == problem


async def refused_after_flush(client, access: str, problem: str) -> None:
    """Refused now, and still refused once Valkey has forgotten everything."""
    await refused(client, access, problem)
    await client.app.state.redis.flushdb()
    assert await client.app.state.redis.dbsize() == 0
    await refused(client, access, problem)
    await refused(client, access, problem)  # and again, now from the rebuilt cache


async def works(client, access: str) -> None:
    r = await client.get(PROBE, headers=auth(access))
    assert r.status_code == 200, r.text


async def test_logout_survives_a_flush(app_client) -> None:
    tokens = await sign_in(app_client, new_phone())
    other = await sign_in(app_client, new_phone())
    await works(app_client, tokens["access_token"])
    r = await app_client.post("/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 204
    await refused_after_flush(app_client, tokens["access_token"], SESSION_ENDED)
    await works(app_client, other["access_token"])  # another session stands


async def test_a_reused_refresh_token_survives_a_flush(app_client) -> None:
    tokens = await sign_in(app_client, new_phone())
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200, r.text
    rotated = r.json()
    await works(app_client, rotated["access_token"])
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 401
    for access in (tokens["access_token"], rotated["access_token"]):
        await refused_after_flush(app_client, access, SESSION_ENDED)
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert r.status_code == 401


async def test_a_disabled_staff_account_survives_a_flush(app_client) -> None:
    tree = await make_tree(app_client, label="吊销")
    username = f"unit-{uuid.uuid4().hex[:8]}"
    body = {"username": username, "password": PASSWORD, "role": "unit_reviewer",
            "org_id": tree.unit}  # fmt: skip
    r = await post(app_client, "/v1/staff-accounts", OPS, body)
    assert r.status_code == 201, r.text
    account = r.json()
    r = await app_client.post(
        "/v1/auth/staff-logins", json={"username": username, "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    access = r.json()["access_token"]
    await works(app_client, access)
    r = await app_client.patch(
        f"/v1/staff-accounts/{account['id']}", json={"status": "disabled"}, headers=auth(OPS)
    )
    assert r.status_code == 200
    await refused_after_flush(app_client, access, SESSION_ENDED)


async def _disable(client, phone: str) -> None:
    """Arrange: the applicant is disabled in the database (there is no API for it)."""
    bidx = client.app.state.pii.blind_index("phone", phone)
    async with client.app.state.sessionmaker() as session:
        await session.exec(
            update(Applicant).where(Applicant.phone_bidx == bidx).values(status="disabled")
        )
        await session.commit()


async def test_a_disabled_applicant_survives_a_flush(app_client) -> None:
    phone = new_phone()
    tokens = await sign_in(app_client, phone)
    await works(app_client, tokens["access_token"])
    await _disable(app_client, phone)
    r = await app_client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 401
    await refused_after_flush(app_client, tokens["access_token"], SESSION_ENDED)


async def test_a_disabled_applicants_access_token_stops_once_the_cache_misses(app_client) -> None:
    # Disabled in the database with no refresh tried: the cached "live" answer lasts only
    # its short TTL (here cut short by a flush); Postgres then says the account is off.
    phone = new_phone()
    tokens = await sign_in(app_client, phone)
    other = await sign_in(app_client, new_phone())
    await works(app_client, tokens["access_token"])
    await works(app_client, other["access_token"])
    # The cache says "live" for a short while only.
    sid = jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"]
    redis = app_client.app.state.redis
    assert await redis.get(session_key(sid)) == b"live"
    live_ttl = app_client.app.state.settings.revocation_live_ttl_seconds
    assert 0 < await redis.ttl(session_key(sid)) <= live_ttl
    await _disable(app_client, phone)
    await app_client.app.state.redis.flushdb()
    await refused(app_client, tokens["access_token"], SESSION_ENDED)
    await works(app_client, other["access_token"])


async def test_a_revoked_portal_client_survives_a_flush(app_client) -> None:
    creds = await register(app_client, scopes=["declarations:read"], jurisdiction=["450200"])
    other = await register(app_client, scopes=["declarations:read"], jurisdiction=["450200"])
    access = await portal_token(app_client, creds)
    other_access = await portal_token(app_client, other)
    await works(app_client, access)
    r = await app_client.delete(f"/v1/oauth/clients/{creds['client_id']}", headers=auth(OPS))
    assert r.status_code == 204
    await refused_after_flush(app_client, access, INVALID_TOKEN)
    await works(app_client, other_access)


@pytest.mark.slow
async def test_valkey_stopped_revoked_tokens_are_still_refused(
    stack: Stack, rules_url: str, tmp_path
) -> None:
    own = Valkey(tmp_path / "valkey", free_port(), persist=False).start()
    try:
        app = build_app(_settings(stack, rules_url, own.url))
        async with running(app) as client:
            client.app = app
            ended = await sign_in(client, new_phone())
            live = await sign_in(client, new_phone())
            later = await sign_in(client, new_phone())
            creds = await register(client, scopes=["declarations:read"], jurisdiction=["450200"])
            portal = await portal_token(client, creds)
            r = await client.post("/v1/auth/logout", json={"refresh_token": ended["refresh_token"]})
            assert r.status_code == 204
            own.stop()
            # Postgres answers: the ended session is refused, the others still work.
            await refused(client, ended["access_token"], SESSION_ENDED)
            await works(client, live["access_token"])
            # Logging out needs no Valkey either, and takes effect at once.
            r = await client.post("/v1/auth/logout", json={"refresh_token": later["refresh_token"]})
            assert r.status_code == 204
            await refused(client, later["access_token"], SESSION_ENDED)
            # Portals cannot be counted against their rate limit: 503 for them meanwhile,
            # but ops can revoke one, and that is recorded.
            r = await client.get(PROBE, headers=auth(portal))
            assert r.status_code == 503
            r = await client.delete(f"/v1/oauth/clients/{creds['client_id']}", headers=auth(OPS))
            assert r.status_code == 204
            # Valkey back, empty: still refused.
            own.start()
            await refused(client, ended["access_token"], SESSION_ENDED)
            await refused(client, later["access_token"], SESSION_ENDED)
            await refused(client, portal, INVALID_TOKEN)
            await works(client, live["access_token"])
    finally:
        own.stop()
