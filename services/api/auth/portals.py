"""Portals: their registration by ops (the token endpoint is in client_token.py).

Every registration and change by ops is an audit entry, like staff accounts:
`portal_client_created` (what it was given) and `portal_client_changed` (what changed,
before→after: name, scopes, jurisdiction, rate limit, key ids, secret rotated, revoked).
A secret never reaches the audit trail; keys appear by their ids only.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import revocation
from services.api.access import SCOPES, PrincipalDep, allow
from services.api.audit import service as audit
from services.api.auth.schemas import (
    ClientCreate,
    ClientCredentials,
    ClientRead,
    ClientUpdate,
    KeysUpdate,
)
from services.api.auth.tokens import digest
from services.api.models import OAuthClient
from services.api.ratelimit import guarded
from services.kit.auth import Principal
from services.kit.db import SessionDep
from services.kit.problems import ProblemError

router = APIRouter(tags=["auth"])
OPS = [allow("ops")]


# --- registration by ops ---------------------------------------------------------------


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


def no_store(body: BaseModel, status_code: int = 200) -> JSONResponse:
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=status_code,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def offered(scopes: list[str]) -> list[str]:
    """The scopes as given, if every one is offered; a scope no route needs grants nothing."""
    refused = sorted(set(scopes) - set(SCOPES))
    if refused:
        raise ProblemError(
            422,
            "scope-not-offered",
            f"不提供的授权范围：{'、'.join(refused)}。只开通有对应接口的授权范围："
            f"{'、'.join(SCOPES)}。",
            title="Scope not offered",
            scopes=refused,
        )
    return scopes


async def _client(session: AsyncSession, client_id: str, *, lock: bool = True) -> OAuthClient:
    found = await session.get(OAuthClient, client_id, with_for_update=lock)
    if found is None:
        raise ProblemError(404, "client-not-found", "接入客户端不存在。", title="Not found")
    return found


@router.post(
    "/v1/oauth/clients",
    status_code=201,
    response_model=ClientCredentials,
    dependencies=OPS,
    summary="Register a portal client (ops); the secret is shown once",
)
async def register(
    body: ClientCreate, request: Request, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    secret = secrets.token_urlsafe(32)
    client = OAuthClient(
        client_id="portal-" + secrets.token_hex(8),
        name=body.name,
        secret_hash=digest(secret),
        public_keys=[k.model_dump() for k in body.public_keys],
        scopes=offered(body.scopes),
        jurisdiction=body.jurisdiction,
        rate_limit_per_minute=body.rate_limit_per_minute
        or request.app.state.settings.portal_rate_limit_per_minute,
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
    return no_store(ClientCredentials(**view.model_dump(), client_secret=secret), 201)


@router.get("/v1/oauth/clients/{client_id}", response_model=ClientRead, dependencies=OPS)
async def get_client(client_id: str, session: SessionDep) -> ClientRead:
    return read(await _client(session, client_id, lock=False))


@router.patch(
    "/v1/oauth/clients/{client_id}",
    response_model=ClientRead,
    dependencies=OPS,
    summary="Change a client's scopes, jurisdiction or rate limit (new tokens carry them)",
)
async def update_client(
    client_id: str, body: ClientUpdate, session: SessionDep, principal: PrincipalDep
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


@router.post(
    "/v1/oauth/clients/{client_id}/secret",
    response_model=ClientCredentials,
    dependencies=OPS,
    summary="Rotate the client secret: the old one stops working at once",
)
async def rotate_secret(
    client_id: str, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    client = await _client(session, client_id)
    _active(client)
    secret = secrets.token_urlsafe(32)
    client.secret_hash = digest(secret)
    client.updated_at = func.now()
    await session.flush()
    await session.refresh(client)
    await _audit(session, principal, "portal_client_changed", client, ["secret rotated"])
    return no_store(ClientCredentials(**read(client).model_dump(), client_secret=secret))


@router.put(
    "/v1/oauth/clients/{client_id}/keys",
    response_model=ClientRead,
    dependencies=OPS,
    summary="Replace the client's public keys (private_key_jwt); send old and new to roll over",
)
async def replace_keys(
    client_id: str, body: KeysUpdate, session: SessionDep, principal: PrincipalDep
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


@router.delete(
    "/v1/oauth/clients/{client_id}",
    status_code=204,
    dependencies=OPS,
    summary="Revoke a client: no new tokens, and tokens already issued stop working",
)
@guarded
async def revoke(
    client_id: str, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
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
    return Response(status_code=204)


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
        raise ProblemError(409, "client-revoked", "该接入客户端已被吊销，不能再修改其凭证。")
