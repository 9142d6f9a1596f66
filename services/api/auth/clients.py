"""Portal clients, registered and changed by ops (the routes are in portals.py).

Every registration and change is an audit entry, like staff accounts:
`portal_client_created` (what it was given) and `portal_client_changed` (what changed,
before→after: name, scopes, jurisdiction, rate limit, key ids, secret rotated, revoked).
A secret never reaches the audit trail; keys appear by their ids only.
"""

from __future__ import annotations

import secrets

from fastapi import Request
from sqlalchemy import func
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import revocation
from services.api.access import SCOPES
from services.api.audit import service as audit
from services.api.auth.problems import ClientNotFound, ClientRevoked, ScopeNotOffered
from services.api.auth.schemas import (
    ClientCreate,
    ClientCredentials,
    ClientRead,
    ClientUpdate,
    KeysUpdate,
)
from services.api.auth.tokens import digest
from services.api.models import OAuthClient
from services.kit.auth import Principal


def read(client: OAuthClient) -> ClientRead:
    return ClientRead(
        client_id=client.client_id,
        name=client.name,
        scopes=client.scopes,
        jurisdiction=client.jurisdiction,
        key_ids=[k["kid"] for k in client.public_keys],
        has_secret=client.secret_hash is not None,
        rate_limit_per_minute=client.rate_limit_per_minute,
        status=client.status,
    )


def offered(scopes: list[str]) -> list[str]:
    """The scopes as given, if every one is offered; a scope no route needs grants nothing."""
    refused = sorted(set(scopes) - set(SCOPES))
    if refused:
        raise ScopeNotOffered(
            f"不提供的授权范围：{'、'.join(refused)}。只开通有对应接口的授权范围："
            f"{'、'.join(SCOPES)}。",
            scopes=refused,
        )
    return scopes


async def _client(session: AsyncSession, client_id: str, *, lock: bool = True) -> OAuthClient:
    found = await session.get(OAuthClient, client_id, with_for_update=lock)
    if found is None:
        raise ClientNotFound()
    return found


async def register(
    session: AsyncSession, principal: Principal, *, body: ClientCreate, default_rate_limit: int
) -> ClientCredentials:
    secret = secrets.token_urlsafe(32)
    client = OAuthClient(
        client_id="portal-" + secrets.token_hex(8),
        name=body.name,
        secret_hash=digest(secret),
        public_keys=[k.model_dump() for k in body.public_keys],
        scopes=offered(body.scopes),
        jurisdiction=body.jurisdiction,
        rate_limit_per_minute=body.rate_limit_per_minute or default_rate_limit,
    )
    session.add(client)
    await session.flush()
    view = read(client)
    await _audit(
        session,
        principal,
        "portal_client_created",
        client,
        [
            f"scopes {_list(view.scopes)}",
            f"jurisdiction {_list(view.jurisdiction)}",
            f"rate limit {view.rate_limit_per_minute}/min",
            f"keys {_list(view.key_ids)}",
            "secret issued",
        ],
    )
    return ClientCredentials(**view.model_dump(), client_secret=secret)


async def get(session: AsyncSession, client_id: str) -> ClientRead:
    return read(await _client(session, client_id, lock=False))


async def update(
    session: AsyncSession, principal: Principal, client_id: str, *, body: ClientUpdate
) -> ClientRead:
    if body.scopes is not None:
        offered(body.scopes)
    client = await _client(session, client_id)
    changes = []
    for name, value in body.model_dump(exclude_none=True).items():
        before = getattr(client, name)
        if before != value:
            label = name.replace("_per_minute", "").replace("_", " ")
            changes.append(f"{label} {_text(before)}→{_text(value)}")
        setattr(client, name, value)
    client.updated_at = func.now()
    await session.flush()
    await session.refresh(client)
    if changes:
        await _audit(session, principal, "portal_client_changed", client, changes)
    return read(client)


async def rotate_secret(
    session: AsyncSession, principal: Principal, client_id: str
) -> ClientCredentials:
    client = await _client(session, client_id)
    _active(client)
    secret = secrets.token_urlsafe(32)
    client.secret_hash = digest(secret)
    client.updated_at = func.now()
    await session.flush()
    await session.refresh(client)
    await _audit(session, principal, "portal_client_changed", client, ["secret rotated"])
    return ClientCredentials(**read(client).model_dump(), client_secret=secret)


async def replace_keys(
    session: AsyncSession, principal: Principal, client_id: str, *, body: KeysUpdate
) -> ClientRead:
    client = await _client(session, client_id)
    _active(client)
    before = [k["kid"] for k in client.public_keys]
    client.public_keys = [k.model_dump() for k in body.public_keys]
    client.updated_at = func.now()
    await session.flush()
    await session.refresh(client)
    after = [k["kid"] for k in client.public_keys]
    # Keys with unchanged ids may still be new keys: the row is written on every PUT.
    change = f"keys {_list(before)}→{_list(after)}" + ("" if before != after else " (replaced)")
    await _audit(session, principal, "portal_client_changed", client, [change])
    return read(client)


async def revoke(
    session: AsyncSession, request: Request, principal: Principal, client_id: str
) -> None:
    client = await _client(session, client_id)
    if client.status != "revoked":
        changes = [f"status {client.status}→revoked"]
        changes += ["secret removed"] if client.secret_hash is not None else []
        await _audit(session, principal, "portal_client_changed", client, changes)
    client.status = "revoked"
    client.secret_hash = None
    client.updated_at = func.now()
    await session.flush()
    # Access tokens already out stop at once: the row above is the record, this the cache.
    await revocation.revoke_client(request, client_id)


def _list(values: list[str]) -> str:
    return ",".join(values) or "-"


def _text(value: object) -> str:
    return _list(value) if isinstance(value, list) else str(value)


async def _audit(
    session: AsyncSession,
    principal: Principal,
    action: str,
    client: OAuthClient,
    changes: list[str],
) -> None:
    """One audit row per registration or change: what changed, never a secret."""
    await audit.record(
        session,
        principal=principal,
        action=action,
        reason=f"{client.client_id} {client.name}: " + "; ".join(changes),
    )


def _active(client: OAuthClient) -> None:
    if client.status != "active":
        raise ClientRevoked()
