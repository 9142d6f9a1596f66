"""HTTP for data sharing: run the registry lookups, read them, and the reviewers' warnings."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.api.access import PrincipalDep
from services.api.declarations.deps import (
    ACT_PROBLEMS,
    READ_RESPONSES,
    ApplicantsLookup,
    VisibleDeclaration,
)
from services.api.declarations.problems import DeclarationNotEditable
from services.api.http import DeferredIdempotencyDep, IfMatch
from services.api.registries import lookups, service
from services.api.registries.problems import IdentityRequired, LookupStale
from services.api.registries.schemas import LookupsRead, RegistryResult, WarningsRead
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented

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
    responses=documented(*ACT_PROBLEMS, DeclarationNotEditable, IdentityRequired, LookupStale),
)
async def run_lookups(
    declaration: ApplicantsLookup,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    idem: DeferredIdempotencyDep,
    if_match: IfMatch = None,
):
    return await lookups.run(
        session,
        principal,
        declaration,
        sessionmaker=request.app.state.sessionmaker,
        registries=request.app.state.registries,
        cipher=request.app.state.pii,
        idem=idem,
        if_match=if_match,
    )


@router.get(
    "/lookups",
    response_model=list[RegistryResult],
    summary="What the registries gave",
    responses=READ_RESPONSES,
)
async def get_lookups(declaration: VisibleDeclaration, session: SessionDep) -> list[RegistryResult]:
    return await service.stored(session, declaration)


@router.get(
    "/warnings",
    response_model=WarningsRead,
    summary="学术风险预警 and consistency warnings: flagged papers first",
    description="The applicant sees the paper flags (请自行核验) and the 决策咨询类信息 "
    "conversion; reviewers also see social-insurance consistency warnings and duplicate "
    "claims across the year's declarations.",
    responses=READ_RESPONSES,
)
async def get_warnings(
    declaration: VisibleDeclaration, session: SessionDep, principal: PrincipalDep
) -> WarningsRead:
    return await service.warnings(session, principal, declaration)
