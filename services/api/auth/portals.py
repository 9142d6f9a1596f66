"""HTTP for portal clients: their registration by ops (the token endpoint is in
client_token.py; the logic and the audit rows in clients.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.api.access import PrincipalDep, allow
from services.api.auth import clients
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
from services.kit.db import SessionDep
from services.kit.problem_kinds import VALIDATION_ERROR, documented

# Every route here is ops-only.
router = APIRouter(tags=["auth"], dependencies=[allow("ops")])


def no_store(body: BaseModel, status_code: int = 200) -> JSONResponse:
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=status_code,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


@router.post(
    "/v1/oauth/clients",
    status_code=201,
    response_model=ClientCredentials,
    summary="Register a portal client (ops); the secret is shown once",
    responses=documented(Forbidden, ScopeNotOffered, keep={422: VALIDATION_ERROR}),
)
async def register(
    body: ClientCreate, request: Request, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    default = request.app.state.settings.portal_rate_limit_per_minute
    made = await clients.register(session, principal, body=body, default_rate_limit=default)
    return no_store(made, 201)


@router.get(
    "/v1/oauth/clients/{client_id}",
    response_model=ClientRead,
    responses=documented(Forbidden, ClientNotFound),
)
async def get_client(client_id: str, session: SessionDep) -> ClientRead:
    return await clients.get(session, client_id)


@router.patch(
    "/v1/oauth/clients/{client_id}",
    response_model=ClientRead,
    summary="Change a client's scopes, jurisdiction or rate limit (new tokens carry them)",
    responses=documented(Forbidden, ClientNotFound, ScopeNotOffered, keep={422: VALIDATION_ERROR}),
)
async def update_client(
    client_id: str, body: ClientUpdate, session: SessionDep, principal: PrincipalDep
) -> ClientRead:
    return await clients.update(session, principal, client_id, body=body)


@router.post(
    "/v1/oauth/clients/{client_id}/secret",
    response_model=ClientCredentials,
    summary="Rotate the client secret: the old one stops working at once",
    responses=documented(Forbidden, ClientNotFound, ClientRevoked),
)
async def rotate_secret(
    client_id: str, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    return no_store(await clients.rotate_secret(session, principal, client_id))


@router.put(
    "/v1/oauth/clients/{client_id}/keys",
    response_model=ClientRead,
    summary="Replace the client's public keys (private_key_jwt); send old and new to roll over",
    responses=documented(Forbidden, ClientNotFound, ClientRevoked),
)
async def replace_keys(
    client_id: str, body: KeysUpdate, session: SessionDep, principal: PrincipalDep
) -> ClientRead:
    return await clients.replace_keys(session, principal, client_id, body=body)


@router.delete(
    "/v1/oauth/clients/{client_id}",
    status_code=204,
    summary="Revoke a client: no new tokens, and tokens already issued stop working",
    responses=documented(Forbidden, ClientNotFound),
)
@guarded
async def revoke(
    client_id: str, request: Request, session: SessionDep, principal: PrincipalDep
) -> Response:
    await clients.revoke(session, request, principal, client_id)
    return Response(status_code=204)
