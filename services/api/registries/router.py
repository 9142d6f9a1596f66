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
    summary="数据共享：从各登记系统获取学历、职称、继续教育和社保信息",
    description=(
        "申报人为自己的草稿申报书向学历、职称、继续教育、"
        "社保登记系统查询，查到的信息预填入申报书，"
        "相应的证明材料无需再上传（桂工信职办〔2023〕6号 二（二）"
        "1（3）：“学历情况可通过申报系统中数据共享方式获取，"
        "未能通过系统数据共享获取的，需提供学历证书……”）。"
        "每个登记系统答复查到、查无或不可用；不可用不算错误，"
        "相应材料仍须上传，之前已核实的结果保留。"
        "须带 If-Match（申报书版本）。仅申报人本人可调用。"
    ),
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
    summary="各登记系统返回的结果",
    responses=READ_RESPONSES,
    description=(
        "读取该申报书最近一次数据共享查询中各登记系统的结果：状态、"
        "查到的数据、是否已核实、替代了哪些材料。申报人本人、"
        "申报书所在的用人单位和审核链上的职改办、"
        "评委会办公室及运维人员可调用。"
    ),
)
async def get_lookups(declaration: VisibleDeclaration, session: SessionDep) -> list[RegistryResult]:
    return await service.stored(session, declaration)


@router.get(
    "/warnings",
    response_model=WarningsRead,
    summary="学术风险预警和一致性提示：有风险的论文在前",
    description=(
        "列出该申报书需要先看的问题：论文所载期刊与期刊名录的核对结果"
        "（学术风险预警，请自行核验），决策咨询类信息折算为论文的结果"
        "，以及（仅审核人员可见）社保与申报单位是否一致、"
        "同一年度各申报书之间重复填报的论文或业绩。"
        "申报人本人只看到论文预警和折算；用人单位、审核链上的职改办、"
        "评委会办公室和运维人员看到全部。"
    ),
    responses=READ_RESPONSES,
)
async def get_warnings(
    declaration: VisibleDeclaration, session: SessionDep, principal: PrincipalDep
) -> WarningsRead:
    return await service.warnings(session, principal, declaration)
