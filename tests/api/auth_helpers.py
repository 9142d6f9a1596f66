"""Helpers shared by the access tests: portal clients and declarations in two regions."""

from __future__ import annotations

import base64
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import text

from services.kit.db import make_engine
from tests.api.factories import OPS, Tree, auth, new_draft, post, submit, token


async def register(client, *, scopes, jurisdiction, keys=None, rate_limit=None) -> dict:
    body = {"name": "广西数字政务一体化平台", "scopes": scopes, "jurisdiction": jurisdiction}
    if keys:
        body["public_keys"] = keys
    if rate_limit:
        body["rate_limit_per_minute"] = rate_limit
    r = await post(client, "/v1/oauth/clients", OPS, body)
    assert r.status_code == 201, r.text
    return r.json()


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


async def portal_token(client, creds: dict, scope: str | None = None) -> str:
    form = {"grant_type": "client_credentials"}
    if scope:
        form["scope"] = scope
    r = await client.post(
        "/v1/oauth/token", data=form, headers=basic(creds["client_id"], creds["client_secret"])
    )
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def ec_key() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    return _pems(key)


def rsa_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _pems(key)


def _pems(key) -> tuple[str, str]:
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def assertion(client_id: str, private: str, alg: str, kid: str, **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": "http://test/v1/oauth/token",
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        **overrides,
    }
    return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid})


async def set_region(database_url: str, org_id: str, region: str) -> None:
    """Arrange: re-code an org's region in the database (the API only creates and moves)."""
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE api.org SET region_code = :r WHERE id = :id"),
                {"r": region, "id": uuid.UUID(org_id)},
            )
    finally:
        await engine.dispose()


async def submitted(client, tree: Tree, campaign: dict, sub: str) -> str:
    owner = token("applicant", sub=sub)
    did = await new_draft(client, tree, campaign, owner)
    r = await submit(client, did, owner)
    assert r.status_code == 200, r.text
    return did


__all__ = ["auth"]
