"""HTTP for the journal register: ops load it from CSV; ops and reviewers search it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.datastructures import UploadFile as StarletteUploadFile

from services.api.access import OPS_ONLY, REVIEWER_ROLES, PrincipalDep, allow
from services.api.http import IdempotencyDep
from services.api.journals import register
from services.api.journals.problems import (
    CSV_PROBLEMS,
    JournalCsvEmpty,
    JournalCsvTooLarge,
)
from services.api.journals.schemas import JournalImportRead, JournalRead, JournalStatus
from services.api.problems import Forbidden
from services.kit.db import SessionDep
from services.kit.openapi import FILE, multipart_body
from services.kit.problem_kinds import documented, validated

router = APIRouter(prefix="/v1/journals", tags=["journals"])
MAX_BYTES = 20 * 1024 * 1024


@router.post(
    "/imports",
    dependencies=OPS_ONLY,
    response_model=JournalImportRead,
    summary="从 CSV 导入期刊名录",
    description=(
        "运维人员上传期刊名录 CSV（列"
        "：issn,cn,name,status,source,listed_on；"
        "状态可写 legitimate / suspected_illegal / ceased 或 正常"
        " / 涉嫌非法出版物 / 停刊）。文件可用 multipart/form-data 的"
        " file 字段上传（不超过 20 MB），"
        "小文件也可直接作为 text/csv 请求体。每行先按 ISSN、再按 CN、"
        "再按规范化后的刊名匹配已有条目：新的新增，变化的更新，"
        "其余不变。仅运维人员可调用。"
    ),
    openapi_extra=multipart_body(
        {"file": {**FILE, "description": "期刊名录 CSV 文件（UTF-8，首行为列名）"}},
        required=["file"],
        also={
            "text/csv": {
                "schema": {"type": "string"},
                "example": "issn,cn,name,status,source,listed_on\n"
                "1000-0000,11-0000/TP,示例学报,legitimate,国家新闻出版署,2022-01-01\n",
            }
        },
    ),
    responses=validated(Forbidden, *CSV_PROBLEMS),
)
async def import_csv(
    request: Request, session: SessionDep, principal: PrincipalDep, idem: IdempotencyDep
):
    return await idem.respond(await register.import_csv(session, await _csv_bytes(request)))


async def _csv_bytes(request: Request) -> bytes:
    """The file's bytes, from the form's `file` field or the body, within the size limit."""
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5, max_part_size=MAX_BYTES)
        upload = form.get("file")
        if not isinstance(upload, StarletteUploadFile):
            raise JournalCsvEmpty("请以 file 字段上传期刊名录 CSV 文件。")
        raw = await upload.read(MAX_BYTES + 1)
    else:
        raw = await request.body()
    if len(raw) > MAX_BYTES:
        raise JournalCsvTooLarge()
    return raw


@router.get(
    "",
    dependencies=[allow("ops", *REVIEWER_ROLES)],
    response_model=list[JournalRead],
    summary="按 ISSN、CN 或刊名查询期刊名录",
    responses=documented(Forbidden),
    description=(
        "在期刊名录中按 ISSN、CN 号或刊名查找期刊，可按状态（正常、"
        "涉嫌非法出版物、停刊）筛选，用于审核论文所载期刊（学术风险预"
        "警）。审核机构（用人单位、主管部门、各级职改办、"
        "评委会办公室）和运维人员可调用，申报人、"
        "专家和对接平台不可调用。"
    ),
)
async def search(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: JournalStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[JournalRead]:
    return await register.search(session, q=q, status=status, limit=limit)
