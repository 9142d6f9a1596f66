"""Portals: client credentials, scopes, jurisdiction, key-based auth, rotation, rate limit."""

from __future__ import annotations

import base64
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import select

from services.api.models import AuditEntry, SignInEvent
from services.kit.auth import Principal, issue_token
from services.kit.db import make_engine, make_sessionmaker
from services.kit.settings import DEV_JWT_SECRET
from tests.api.auth_helpers import (
    assertion,
    basic,
    ec_key,
    portal_token,
    register,
    rsa_key,
    set_region,
    submitted,
)
from tests.api.factories import OPS, auth, make_campaign, make_tree, post
from tests.stack.test_gateway import CASE

TOKEN = "/v1/oauth/token"


async def test_evaluate_scope_can_evaluate_but_not_read_declarations(client) -> None:
    tree = await make_tree(client, label="门户甲")
    campaign = await make_campaign(client)
    did = await submitted(client, tree, campaign, f"portal-a-{uuid.uuid4().hex[:6]}")
    creds = await register(client, scopes=["eligibility:evaluate"], jurisdiction=["450200"])
    assert "client_secret" in creds and creds["scopes"] == ["eligibility:evaluate"]
    tok = await portal_token(client, creds)

    r = await client.post("/v1/eligibility/evaluate", json=CASE, headers=auth(tok))
    assert r.status_code == 200, r.text
    assert r.json()["eligible"] is True
    for url in (f"/v1/declarations/{did}", "/v1/declarations"):
        r = await client.get(url, headers=auth(tok))
        assert r.status_code == 403, r.text
        assert r.json()["type"] == "urn:zhicheng:problem:insufficient-scope"
        assert "declarations:read" in r.headers["www-authenticate"]


async def test_jurisdiction_450200_cannot_see_a_140400_declaration(client, stack) -> None:
    campaign = await make_campaign(client)
    liuzhou = await make_tree(client, label="柳州门户")  # unit in 450206
    changzhi = await make_tree(client, label="长治门户")
    in_lz = await submitted(client, liuzhou, campaign, f"lz-{uuid.uuid4().hex[:6]}")
    in_cz = await submitted(client, changzhi, campaign, f"cz-{uuid.uuid4().hex[:6]}")
    # The second unit is in 长治市 (140400).
    await set_region(stack.database_url, changzhi.unit, "140400")
    creds = await register(
        client, scopes=["declarations:read", "eligibility:evaluate"], jurisdiction=["450200"]
    )
    tok = await portal_token(client, creds, scope="declarations:read")

    r = await client.get(f"/v1/declarations/{in_lz}", headers=auth(tok))
    assert r.status_code == 200, r.text
    r = await client.get(f"/v1/declarations/{in_lz}/progress", headers=auth(tok))
    assert r.status_code == 200
    hidden = await client.get(f"/v1/declarations/{in_cz}", headers=auth(tok))
    missing = await client.get(f"/v1/declarations/{uuid.uuid4()}", headers=auth(tok))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["type"] == missing.json()["type"]
    ids, cursor = [], None
    while True:
        page = await client.get(
            "/v1/declarations", params={"cursor": cursor} if cursor else {}, headers=auth(tok)
        )
        assert page.status_code == 200
        ids += [d["id"] for d in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert in_lz in ids and in_cz not in ids
    # The token asked only for declarations:read: evaluating is not in it.
    r = await client.post("/v1/eligibility/evaluate", json=CASE, headers=auth(tok))
    assert r.status_code == 403
    # Writing is never open to portals, whatever the scope.
    r = await post(client, f"/v1/declarations/{in_lz}/approvals", tok)
    assert r.status_code == 403


@pytest.mark.parametrize("kind", ["ES256", "RS256"])
async def test_private_key_jwt(client, kind: str) -> None:
    private, public = ec_key() if kind == "ES256" else rsa_key()
    creds = await register(
        client,
        scopes=["eligibility:evaluate"],
        jurisdiction=["450000"],
        keys=[{"kid": "k1", "pem": public}],
    )
    cid = creds["client_id"]
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    }
    signed = assertion(cid, private, kind, "k1")
    r = await client.post(TOKEN, data={**form, "client_assertion": signed})
    assert r.status_code == 200, r.text
    assert r.json()["expires_in"] <= 900 and r.headers["cache-control"] == "no-store"
    tok = r.json()["access_token"]
    assert (await client.post("/v1/eligibility/evaluate", json=CASE, headers=auth(tok))).is_success
    # The same assertion again (replay), another audience, another key: refused.
    other_private, _ = ec_key() if kind == "ES256" else rsa_key()
    for bad in (
        signed,
        assertion(cid, private, kind, "k1", aud="https://elsewhere.example/token"),
        assertion(cid, other_private, kind, "k1"),
    ):
        r = await client.post(TOKEN, data={**form, "client_assertion": bad})
        assert r.status_code == 401, r.text
        assert r.json()["error"] == "invalid_client"
        assert r.json()["type"] == "urn:zhicheng:problem:oauth-invalid-client"


async def test_token_endpoint_errors_carry_oauth_error_members(client, stack) -> None:
    creds = await register(client, scopes=["eligibility:evaluate"], jurisdiction=["450200"])
    good = basic(creds["client_id"], creds["client_secret"])
    cases = [
        ({"grant_type": "password"}, good, 400, "unsupported_grant_type"),
        (
            {"grant_type": "client_credentials", "scope": "declarations:read"},
            good,
            400,
            "invalid_scope",
        ),
        (
            {"grant_type": "client_credentials"},
            basic(creds["client_id"], "wrong"),
            401,
            "invalid_client",
        ),
        ({"grant_type": "client_credentials"}, {}, 401, "invalid_client"),
    ]
    for form, headers, status, error in cases:
        r = await client.post(TOKEN, data=form, headers=headers)
        assert r.status_code == status, (form, r.text)
        body = r.json()
        assert body["error"] == error and body["error_description"] == body["detail"]
        assert r.headers["content-type"] == "application/problem+json"
    r = await client.post(TOKEN, json={"grant_type": "client_credentials"}, headers=good)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    # Each failure is on record, under the client id the caller claimed.
    engine = make_engine(stack.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            query = select(SignInEvent.outcome, SignInEvent.reason)
            rows = (
                await session.exec(query.where(SignInEvent.subject == creds["client_id"]))
            ).all()
    finally:
        await engine.dispose()
    assert ("failure", "invalid_client") in rows and ("failure", "invalid_scope") in rows


async def test_gateway_refuses_forged_tokens(client) -> None:
    creds = await register(client, scopes=["declarations:read"], jurisdiction=["450200"])
    good = await portal_token(client, creds)
    header, payload, _ = good.split(".")
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    for forged in (f"{none_header}.{payload}.", f"{header}.{payload}.c2lnbmF0dXJl"):
        r = await client.get("/v1/declarations", headers=auth(forged))
        assert r.status_code == 401 and r.json()["type"].endswith("invalid-token")
    # A token for another audience, signed with the right key.
    other = issue_token(
        Principal(sub="client:x", role="portal", client_id="x", scopes=["declarations:read"]),
        secret=DEV_JWT_SECRET,
        audience="another-api",
    )
    assert (await client.get("/v1/declarations", headers=auth(other))).status_code == 401


async def test_rotate_and_revoke(client) -> None:
    creds = await register(client, scopes=["eligibility:evaluate"], jurisdiction=["450200"])
    cid = creds["client_id"]
    old = await portal_token(client, creds)
    r = await post(client, f"/v1/oauth/clients/{cid}/secret", OPS)
    assert r.status_code == 200 and r.json()["client_secret"] != creds["client_secret"]
    rotated = {**creds, "client_secret": r.json()["client_secret"]}
    form = {"grant_type": "client_credentials"}
    r = await client.post(TOKEN, data=form, headers=basic(cid, creds["client_secret"]))
    assert r.status_code == 401
    await portal_token(client, rotated)
    # A token issued before the rotation still works until it expires.
    assert (await client.post("/v1/eligibility/evaluate", json=CASE, headers=auth(old))).is_success
    # Re-scope: new tokens carry the new scopes.
    r = await client.patch(
        f"/v1/oauth/clients/{cid}",
        json={"scopes": ["declarations:read"]},
        headers=auth(OPS),
    )
    assert r.status_code == 200 and r.json()["scopes"] == ["declarations:read"]
    r = await client.delete(f"/v1/oauth/clients/{cid}", headers=auth(OPS))
    assert r.status_code == 204
    r = await client.post(TOKEN, data=form, headers=basic(cid, rotated["client_secret"]))
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    # Tokens already out stop at once.
    r = await client.post("/v1/eligibility/evaluate", json=CASE, headers=auth(old))
    assert r.status_code == 401
    # Only ops manage clients.
    r = await client.get(f"/v1/oauth/clients/{cid}", headers=auth(old))
    assert r.status_code == 401
    r = await client.get(f"/v1/oauth/clients/{cid}", headers=auth(OPS))
    assert r.json()["status"] == "revoked" and not r.json()["has_secret"]


async def test_every_client_change_by_ops_is_audited_without_secrets(client, stack) -> None:
    """Like staff accounts: one audit row per registration and per change, saying what
    changed, before→after, under who made it; a secret never appears."""
    _, first = ec_key()
    _, second = ec_key()
    key = {"kid": "k1", "pem": first}
    creds = await register(
        client, scopes=["eligibility:evaluate"], jurisdiction=["450200"], keys=[key], rate_limit=60
    )
    cid = creds["client_id"]
    secrets = [creds["client_secret"]]
    r = await client.patch(
        f"/v1/oauth/clients/{cid}",
        json={"scopes": ["declarations:read", "eligibility:evaluate"], "rate_limit_per_minute": 30},
        headers=auth(OPS),
    )
    assert r.status_code == 200, r.text
    r = await client.patch(
        f"/v1/oauth/clients/{cid}", json={"jurisdiction": ["450200"]}, headers=auth(OPS)
    )
    assert r.status_code == 200  # no change: no row
    r = await client.patch(
        f"/v1/oauth/clients/{cid}", json={"jurisdiction": ["450100", "450200"]}, headers=auth(OPS)
    )
    assert r.status_code == 200
    r = await post(client, f"/v1/oauth/clients/{cid}/secret", OPS)
    assert r.status_code == 200
    secrets.append(r.json()["client_secret"])
    r = await client.put(
        f"/v1/oauth/clients/{cid}/keys",
        json={"public_keys": [key, {"kid": "k2", "pem": second}]},
        headers=auth(OPS),
    )
    assert r.status_code == 200, r.text
    assert (await client.delete(f"/v1/oauth/clients/{cid}", headers=auth(OPS))).status_code == 204
    assert (await client.delete(f"/v1/oauth/clients/{cid}", headers=auth(OPS))).status_code == 204

    engine = make_engine(stack.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            entries = (
                await session.exec(
                    select(AuditEntry)
                    .where(AuditEntry.reason.startswith(cid + " "))
                    .order_by(AuditEntry.seq)
                )
            ).all()
    finally:
        await engine.dispose()
    assert [(e.action, e.actor_sub, e.actor_role) for e in entries] == [
        ("portal_client_created", "ops-1", "ops"),
        *[("portal_client_changed", "ops-1", "ops")] * 5,
    ]
    name = "广西数字政务一体化平台"
    assert [e.reason for e in entries] == [
        f"{cid} {name}: scopes eligibility:evaluate; jurisdiction 450200; rate limit 60/min;"
        " keys k1; secret issued",
        f"{cid} {name}: scopes eligibility:evaluate→declarations:read,eligibility:evaluate;"
        " rate limit 60→30",
        f"{cid} {name}: jurisdiction 450200→450100,450200",
        f"{cid} {name}: secret rotated",
        f"{cid} {name}: keys k1→k1,k2",
        f"{cid} {name}: status active→revoked; secret removed",
    ]
    trail = " ".join(e.reason for e in entries)
    assert not any(secret in trail for secret in secrets) and "BEGIN" not in trail


async def test_per_client_rate_limit(client) -> None:
    creds = await register(
        client, scopes=["eligibility:evaluate"], jurisdiction=["450200"], rate_limit=4
    )
    tok = await portal_token(client, creds)  # 1
    url = "/v1/eligibility/evaluate"
    answers = [(await client.post(url, json=CASE, headers=auth(tok))).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    r = await client.post(url, json=CASE, headers=auth(tok))
    assert r.status_code == 429
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert r.json()["type"] == "urn:zhicheng:problem:rate-limited"
    # Another client is not slowed down by this one.
    other = await register(client, scopes=["eligibility:evaluate"], jurisdiction=["450200"])
    other_tok = await portal_token(client, other)
    assert (await client.post(url, json=CASE, headers=auth(other_tok))).is_success


async def test_registration_is_validated(client) -> None:
    bad = [
        {"name": "x", "scopes": ["everything"], "jurisdiction": ["450200"]},
        {"name": "x", "scopes": ["eligibility:evaluate"], "jurisdiction": ["4502"]},
        {
            "name": "x",
            "scopes": ["eligibility:evaluate"],
            "jurisdiction": ["450200"],
            "public_keys": [{"kid": "a", "pem": "not a key"}],
        },
    ]
    for body in bad:
        r = await post(client, "/v1/oauth/clients", OPS, body)
        assert r.status_code == 422, r.text


async def test_a_scope_that_opens_nothing_is_not_granted(client, stack) -> None:
    body = {"name": "x", "jurisdiction": ["450200"]}
    for scopes in (["declarations:write"], ["eligibility:evaluate", "declarations:write"]):
        r = await post(client, "/v1/oauth/clients", OPS, {**body, "scopes": scopes})
        assert r.status_code == 422, r.text
        problem = r.json()
        assert problem["type"] == "urn:zhicheng:problem:scope-not-offered"
        assert (
            problem["scopes"] == ["declarations:write"]
            and "declarations:write" in problem["detail"]
        )
    creds = await register(client, scopes=["eligibility:evaluate"], jurisdiction=["450200"])
    url = f"/v1/oauth/clients/{creds['client_id']}"
    r = await client.patch(url, json={"scopes": ["declarations:write"]}, headers=auth(OPS))
    assert r.status_code == 422 and r.json()["type"].endswith("scope-not-offered")
    assert (await client.get(url, headers=auth(OPS))).json()["scopes"] == ["eligibility:evaluate"]
    # A client registered while the scope was still offered: its tokens no longer carry it.
    engine = make_engine(stack.database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE api.oauth_client SET scopes = :s WHERE client_id = :c"),
                {"s": ["declarations:write", "eligibility:evaluate"], "c": creds["client_id"]},
            )
    finally:
        await engine.dispose()
    headers = basic(creds["client_id"], creds["client_secret"])
    form = {"grant_type": "client_credentials"}
    r = await client.post(TOKEN, data=form, headers=headers)
    assert r.status_code == 200 and r.json()["scope"] == "eligibility:evaluate"
    r = await client.post(TOKEN, data={**form, "scope": "declarations:write"}, headers=headers)
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"


async def test_valkey_down_is_503_not_500(stack, rules_url: str) -> None:
    from scripts.servers import free_port
    from services.api.config import ApiSettings
    from services.api.main import build_app
    from tests.support import running

    kwargs = {**stack.settings_kwargs(), "redis_url": f"redis://127.0.0.1:{free_port()}/0"}
    portal = issue_token(
        Principal(
            sub="client:p",
            role="portal",
            client_id="p",
            scopes=["eligibility:evaluate"],
            jurisdiction=["450200"],
        ),
        secret=DEV_JWT_SECRET,
    )
    async with running(build_app(ApiSettings(**kwargs, rules_url=rules_url))) as client:
        answers = [
            await client.post("/v1/eligibility/evaluate", json=CASE, headers=auth(portal)),
            await client.post("/v1/auth/sms-codes", json={"phone": "13900000000"}),
            await client.post(
                "/v1/auth/sms-logins", json={"phone": "13900000000", "code": "123456"}
            ),
        ]
        for r in answers:
            assert r.status_code == 503, r.text
            assert r.json()["type"] == "urn:zhicheng:problem:limiter-unavailable"
            assert r.headers["retry-after"]
        # Applicants and staff with tokens are not held up by the limiter's outage.
        applicant = issue_token(Principal(sub="a", role="applicant"), secret=DEV_JWT_SECRET)
        r = await client.post("/v1/eligibility/evaluate", json=CASE, headers=auth(applicant))
        assert r.status_code == 200
