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
    summary="登记对接平台的客户端（运维）；密钥只显示一次",
    responses=validated(Forbidden, ScopeNotOffered),
    description=(
        "运维人员为其他政务平台登记一个 OAuth2 客户端：名称、"
        "授权范围、辖区（行政区划代码）、每分钟调用上限，"
        "以及可选的公钥（private_key_jwt）。"
        "答复中的客户端密钥只出现这一次，服务端只保存其摘要。"
        "仅运维人员可调用。"
    ),
)
async def register(
    body: ClientCreate, request: Request, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    default = request.app.state.settings.portal_rate_limit_per_minute
    made = await clients.register(session, principal, body=body, default_rate_limit=default)
    return no_store(made, 201, headers=NO_STORE_OAUTH)


@one_client.get(
    CLIENT,
    response_model=ClientRead,
    description=(
        "读取客户端的名称、授权范围、辖区、公钥编号、是否有密钥、"
        "调用上限和状态（不含密钥）。仅运维人员可调用。"
    ),
    summary="查看对接平台的客户端",
)
async def get_client(client_id: str, session: SessionDep) -> ClientRead:
    return await clients.get(session, client_id)


@patch_or_post(
    one_client,
    CLIENT,
    response_model=ClientRead,
    summary=("修改客户端的授权范围、辖区或调用上限（此后签发的令牌按新设置）"),
    responses=validated(ScopeNotOffered),
    description=(
        "修改客户端的名称、授权范围、辖区或每分钟调用上限；"
        "已签发的令牌不变，此后签发的令牌按新设置。仅运维人员可调用。"
    ),
)
async def update_client(change: ClientChange, body: ClientUpdate) -> ClientRead:
    return await change.apply(clients.update, body=body)


@credentials.post(
    "/secret",
    response_model=ClientCredentials,
    summary="更换客户端密钥：旧密钥立即失效",
    description=("为客户端生成新的密钥并只在本次答复中显示；旧密钥立即失效。仅运维人员可调用。"),
)
async def rotate_secret(change: ClientChange) -> JSONResponse:
    rotated = await change.apply(clients.rotate_secret)
    return no_store(rotated, headers=NO_STORE_OAUTH)


@credentials.put(
    "/keys",
    response_model=ClientRead,
    summary="替换客户端的公钥（private_key_jwt）；轮换时同时提交新旧公钥",
    description=(
        "整体替换客户端用于 private_key_jwt 认证的公钥（P-256 或不少"
        "于2048位的 RSA）；轮换时先同时提交新旧两把，"
        "切换完成后再只提交新的。仅运维人员可调用。"
    ),
)
async def replace_keys(change: ClientChange, body: KeysUpdate) -> ClientRead:
    return await change.apply(clients.replace_keys, body=body)


@one_client.delete(
    CLIENT,
    status_code=204,
    summary="吊销客户端：不再签发令牌，已签发的令牌随即失效",
    description=(
        "吊销一个客户端：此后不再为它签发令牌，已签发的令牌也立即失效。仅运维人员可调用。"
    ),
)
@guarded
async def revoke(change: ClientChange, request: Request) -> Response:
    await clients.revoke(change.session, request, change.principal, change.client_id)
    return Response(status_code=204)


one_client.include_router(credentials)
router.include_router(one_client)
