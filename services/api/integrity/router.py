"""HTTP for the integrity register (职称评审诚信档案库): an office of the applicant's chain,
or ops, records 失信 found on a declaration, or ends an entry; the entries are read by the
applicant, the offices and ops. Every write is one audit row."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.api.declarations.deps import (
    ACT_PROBLEMS,
    READ_PROBLEMS,
    IntegrityReaders,
    OfficesAct,
)
from services.api.integrity import service
from services.api.integrity.problems import (
    IntegrityRecordDates,
    IntegrityRecordEnded,
    IntegrityRecordNotFound,
)
from services.api.integrity.schemas import (
    IntegrityRecordCreate,
    IntegrityRecordEnd,
    IntegrityRecordRead,
)
from services.kit.db import SessionDep
from services.kit.problem_kinds import documented, validated

router = APIRouter(prefix="/v1/declarations/{declaration_id}/integrity-records", tags=["integrity"])


@router.post(
    "",
    status_code=201,
    response_model=IntegrityRecordRead,
    summary="记入职称评审诚信档案库（记录期限默认3年，长工信〔2022〕139号 十（二））",
    responses=validated(*ACT_PROBLEMS, IntegrityRecordDates),
)
async def record(act: OfficesAct, body: IntegrityRecordCreate) -> JSONResponse:
    return await act.record(service.record, status_code=201, tagged=False, body=body)


@router.post(
    "/{record_id}/end",
    response_model=IntegrityRecordRead,
    summary="在记录期限届满前终止一条诚信档案记录（例如认定被撤销）",
    responses=validated(*ACT_PROBLEMS, IntegrityRecordNotFound, IntegrityRecordEnded),
)
async def end(act: OfficesAct, record_id: uuid.UUID, body: IntegrityRecordEnd) -> JSONResponse:
    return await act.record(service.end, tagged=False, record_id=record_id, body=body)


@router.get(
    "",
    response_model=list[IntegrityRecordRead],
    summary="诚信档案库中关于该申报人的记录（含已过期、已终止的）",
    description="The applicant reads their own entries; the offices of the declaration's "
    "chain and ops read them to decide. Entries in force block submission and each level.",
    responses=documented(*READ_PROBLEMS),
)
async def entries(declaration: IntegrityReaders, session: SessionDep) -> list[IntegrityRecordRead]:
    return await service.listing(session, declaration)
