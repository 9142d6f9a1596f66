"""Portals: their registration by ops (the token endpoint is in client_token.py)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import revocation
from services.api.access import SCOPES, allow
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
async def register(body: ClientCreate, request: Request, session: SessionDep) -> JSONResponse:
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
    return no_store(ClientCredentials(**read(client).model_dump(), client_secret=secret), 201)


@router.get("/v1/oauth/clients/{client_id}", response_model=ClientRead, dependencies=OPS)
async def get_client(client_id: str, session: SessionDep) -> ClientRead:
    return read(await _client(session, client_id, lock=False))


@router.patch(
    "/v1/oauth/clients/{client_id}",
    response_model=ClientRead,
    dependencies=OPS,
    summary="Change a client's scopes, jurisdiction or rate limit (new tokens carry them)",
)
async def update_client(client_id: str, body: ClientUpdate, session: SessionDep) -> ClientRead:
    if body.scopes is not None:
        offered(body.scopes)
    client = await _client(session, client_id)
    for name, value in body.model_dump(exclude_none=True).items():
        setattr(client, name, value)
    client.updated_at = func.now()
    await session.flush()
    await session.refresh(client)
    return read(client)


@router.post(
    "/v1/oauth/clients/{client_id}/secret",
    response_model=ClientCredentials,
    dependencies=OPS,
    summary="Rotate the client secret: the old one stops working at once",
)
async def rotate_secret(client_id: str, session: SessionDep) -> JSONResponse:
    client = await _client(session, client_id)
    _active(client)
    secret = secrets.token_urlsafe(32)
    client.secret_hash = digest(secret)
    client.updated_at = func.now()
    await session.flush()
    await session.refresh(client)
    return no_store(ClientCredentials(**read(client).model_dump(), client_secret=secret))


@router.put(
    "/v1/oauth/clients/{client_id}/keys",
    response_model=ClientRead,
    dependencies=OPS,
    summary="Replace the client's public keys (private_key_jwt); send old and new to roll over",
)
async def replace_keys(client_id: str, body: KeysUpdate, session: SessionDep) -> ClientRead:
    client = await _client(session, client_id)
    _active(client)
    client.public_keys = [k.model_dump() for k in body.public_keys]
    client.updated_at = func.now()
    await session.flush()
    await session.refresh(client)
    return read(client)


@router.delete(
    "/v1/oauth/clients/{client_id}",
    status_code=204,
    dependencies=OPS,
    summary="Revoke a client: no new tokens, and tokens already issued stop working",
)
@guarded
async def revoke(client_id: str, request: Request, session: SessionDep) -> Response:
    client = await _client(session, client_id)
    client.status = "revoked"
    client.secret_hash = None
    client.updated_at = func.now()
    await session.flush()
    # Access tokens already out stop at once: the row above is the record, this the cache.
    await revocation.revoke_client(request, client_id)
    return Response(status_code=204)


def _active(client: OAuthClient) -> None:
    if client.status != "active":
        raise ProblemError(409, "client-revoked", "该接入客户端已被吊销，不能再修改其凭证。")
