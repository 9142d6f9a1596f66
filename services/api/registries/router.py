"""HTTP for data sharing: run the registry lookups, read them, and the reviewers' warnings."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from services.api.access import PrincipalDep
from services.api.declarations import service as declarations
from services.api.http import DeferredIdempotencyDep, IfMatch, check_if_match
from services.api.registries import service
from services.api.registries.schemas import LookupsRead, RegistryResult, WarningsRead
from services.kit.db import SessionDep

router = APIRouter(prefix="/v1/declarations/{declaration_id}", tags=["data sharing"])


@router.post(
    "/lookups",
    response_model=LookupsRead,
    summary="数据共享: fill education, title, continuing education and social insurance "
    "from the registries",
    description="Each registry answers found / not_found / unavailable. A registry that is "
    "down is not an error: its material stays required as an upload, and what an earlier "
    "lookup verified is kept. The registries are asked with no database connection held; "
    "the answers are then stored under the declaration's lock if it is still editable (and "
    "still at the `If-Match` version, when one is given).",
)
async def run_lookups(
    declaration_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    idem: DeferredIdempotencyDep,
    if_match: IfMatch = None,
):
    cipher = request.app.state.pii
    # 1. A short read on its own session: who to ask about, and the version read.
    async with request.app.state.sessionmaker() as reading:
        await idem.replay_if_answered(reading)
        query, version = await service.prepare(reading, principal, declaration_id, cipher=cipher)
    check_if_match(if_match, version, required=False)
    # 2. The registries, concurrently, each within its timeout; no connection is held.
    outcomes = await service.ask(request.app.state.registries, query)
    # 3. The request's own transaction, short: claim the key, lock, re-check, store.
    claimed = await idem.claim(session)
    result = await service.store(
        session,
        principal,
        declaration_id,
        query=query,
        outcomes=outcomes,
        cipher=cipher,
        if_match=if_match,
    )
    return await claimed.respond(result, headers={"ETag": f'"{result.version}"'})


@router.get("/lookups", response_model=list[RegistryResult], summary="What the registries gave")
async def get_lookups(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[RegistryResult]:
    declaration = await declarations.load(session, principal, declaration_id)
    return await service.stored(session, declaration)


@router.get(
    "/warnings",
    response_model=WarningsRead,
    summary="学术风险预警 and consistency warnings: flagged papers first",
    description="The applicant sees the paper flags (请自行核验) and the 决策咨询类信息 "
    "conversion; reviewers also see social-insurance consistency warnings and duplicate "
    "claims across the year's declarations.",
)
async def get_warnings(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> WarningsRead:
    return await service.warnings(session, principal, declaration_id)
