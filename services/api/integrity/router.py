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
    summary=("记入职称评审诚信档案库（记录期限默认3年，长工信〔2022〕139号 十（二））"),
    responses=validated(*ACT_PROBLEMS, IntegrityRecordDates),
    description=(
        "申报人审核链上的职改办（县区、系列、评委会）或运维人员，"
        "将查实的失信行为（如提供虚假材料、剽窃他人成果）"
        "记入职称评审诚信档案库，写明认定依据和认定日期。"
        "记录期限默认为认定日起3年（长工信〔2022〕139号 十（二）："
        "“一经查实，取消当年评审资格，并记入职称评审诚信档案库……记录"
        "期限为3年”）。在期内的记录阻止提交和各级审核通过（桂工信职办"
        "〔2023〕6号 一（一）5：“记入职称评审诚信档案库，"
        "仍在记录期限的”不得申报）。"
    ),
)
async def record(act: OfficesAct, body: IntegrityRecordCreate) -> JSONResponse:
    return await act.record(service.record, status_code=201, tagged=False, body=body)


@router.post(
    "/{record_id}/end",
    response_model=IntegrityRecordRead,
    summary="在记录期限届满前终止一条诚信档案记录（例如认定被撤销）",
    responses=validated(*ACT_PROBLEMS, IntegrityRecordNotFound, IntegrityRecordEnded),
    description=(
        "认定被撤销等情形下，由审核链上的职改办或运维人员写明原因，"
        "提前终止一条诚信档案记录；已终止的记录不能再次终止（409）。"
        "终止后记录仍保留可查，但不再阻止申报。"
    ),
)
async def end(act: OfficesAct, record_id: uuid.UUID, body: IntegrityRecordEnd) -> JSONResponse:
    return await act.record(service.end, tagged=False, record_id=record_id, body=body)


@router.get(
    "",
    response_model=list[IntegrityRecordRead],
    summary="诚信档案库中关于该申报人的记录（含已过期、已终止的）",
    description=(
        "列出诚信档案库中关于该申报书申报人的全部记录，"
        "包括已过期和已终止的，并标明是否仍在期内。"
        "申报人本人可读自己的记录；申报书审核链上的职改办和运维人员可"
        "读，以便决定是否审核通过。"
    ),
    responses=documented(*READ_PROBLEMS),
)
async def entries(declaration: IntegrityReaders, session: SessionDep) -> list[IntegrityRecordRead]:
    return await service.listing(session, declaration)
