"""HTTP for portal clients: their registration by ops (the token endpoint is in
client_token.py; the logic and the audit rows in clients.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.access import OPS_ONLY, PrincipalDep
from services.api.auth import clients
from services.api.auth.answers import NO_STORE_OAUTH, no_store
from services.api.auth.problems import ClientNotFound, ClientRevoked, ScopeNotOffered
from services.api.auth.schemas import (
    ClientCreate,
    ClientCredentials,
    ClientRead,
    ClientUpdate,
    KeysUpdate,
)
from services.api.problems import Forbidden
from services.api.ratelimit import guarded
from services.kit.auth import Principal
from services.kit.db import SessionDep
from services.kit.edits import patch_or_post
from services.kit.problem_kinds import documented, validated

T = TypeVar("T")

# Every route here is ops-only.
router = APIRouter(tags=["auth"], dependencies=OPS_ONLY)
# The routes on one client, and what each of them can answer: not ops (403), no such
# client (404); a route lists only what it adds. Those changing its credentials (secret,
# keys) can answer besides: revoked (409). Both are included into `router` at the end.
CLIENT = "/v1/oauth/clients/{client_id}"
one_client = APIRouter(responses=documented(Forbidden, ClientNotFound))
credentials = APIRouter(prefix=CLIENT, responses=documented(ClientRevoked))


@dataclass(frozen=True, slots=True)
class OnClient:
    """What every ops change to one client takes: the request's session, the caller (for
    the audit row) and the client's id from the path."""

    session: AsyncSession
    principal: Principal
    client_id: str

    async def apply(self, action: Callable[..., Awaitable[T]], /, **kwargs: Any) -> T:
        """Run the client service's `action(session, principal, client_id, **kwargs)`."""
        return await action(self.session, self.principal, self.client_id, **kwargs)


async def _on_client(client_id: str, session: SessionDep, principal: PrincipalDep) -> OnClient:
    return OnClient(session, principal, client_id)


ClientChange = Annotated[OnClient, Depends(_on_client)]


@router.post(
    "/v1/oauth/clients",
    status_code=201,
    response_model=ClientCredentials,
    summary="Register a portal client (ops); the secret is shown once",
    responses=validated(Forbidden, ScopeNotOffered),
)
async def register(
    body: ClientCreate, request: Request, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    default = request.app.state.settings.portal_rate_limit_per_minute
    made = await clients.register(session, principal, body=body, default_rate_limit=default)
    return no_store(made, 201, headers=NO_STORE_OAUTH)


@one_client.get(CLIENT, response_model=ClientRead)
async def get_client(client_id: str, session: SessionDep) -> ClientRead:
    return await clients.get(session, client_id)


@patch_or_post(
    one_client,
    CLIENT,
    response_model=ClientRead,
    summary="Change a client's scopes, jurisdiction or rate limit (new tokens carry them)",
    responses=validated(ScopeNotOffered),
)
async def update_client(change: ClientChange, body: ClientUpdate) -> ClientRead:
    return await change.apply(clients.update, body=body)


@credentials.post(
    "/secret",
    response_model=ClientCredentials,
    summary="Rotate the client secret: the old one stops working at once",
)
async def rotate_secret(change: ClientChange) -> JSONResponse:
    rotated = await change.apply(clients.rotate_secret)
    return no_store(rotated, headers=NO_STORE_OAUTH)


@credentials.put(
    "/keys",
    response_model=ClientRead,
    summary="Replace the client's public keys (private_key_jwt); send old and new to roll over",
)
async def replace_keys(change: ClientChange, body: KeysUpdate) -> ClientRead:
    return await change.apply(clients.replace_keys, body=body)


@one_client.delete(
    CLIENT,
    status_code=204,
    summary="Revoke a client: no new tokens, and tokens already issued stop working",
)
@guarded
async def revoke(change: ClientChange, request: Request) -> Response:
    await clients.revoke(change.session, request, change.principal, change.client_id)
    return Response(status_code=204)


one_client.include_router(credentials)
router.include_router(one_client)
