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
    summary="Load the journal register from CSV (issn,cn,name,status,source,listed_on)",
    description="A file as multipart/form-data (field `file`, up to 20 MB), or a small one "
    "as the text/csv body (within the gateway's body limit).",
    openapi_extra=multipart_body(
        {"file": FILE}, required=["file"], also={"text/csv": {"schema": {"type": "string"}}}
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
    summary="Search the register by ISSN, CN or name",
    responses=documented(Forbidden),
)
async def search(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: JournalStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[JournalRead]:
    return await register.search(session, q=q, status=status, limit=limit)
