"""HTTP for the draft: start, read, edit, import (the filed declaration lives in chain/)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from services.api.access import PrincipalDep, require_role
from services.api.declarations import service
from services.api.declarations.schemas import (
    DeclarationCreate,
    DeclarationImport,
    DeclarationRead,
    DeclarationUpdate,
)
from services.api.declarations.shapes import headers, read
from services.api.http import (
    IdempotencyDep,
    IfMatch,
    RelayAfterCommit,
    check_if_match,
    etag,
)
from services.kit.db import SessionDep

router = APIRouter(
    prefix="/v1/declarations", tags=["declarations"], dependencies=[RelayAfterCommit]
)


@router.post("", status_code=201, response_model=DeclarationRead, summary="Start a draft")
async def create(
    body: DeclarationCreate, session: SessionDep, principal: PrincipalDep, idem: IdempotencyDep
) -> JSONResponse:
    source = None
    if body.copy_from_declaration_id is not None:
        source = await service.load(session, principal, body.copy_from_declaration_id)
    declaration = await service.create(session, principal, body=body)
    if source is not None:
        declaration = await service.import_from(session, principal, declaration, source=source)
    return await idem.respond(
        read(declaration),
        status_code=201,
        headers={**headers(declaration), "Location": f"/v1/declarations/{declaration.id}"},
    )


@router.get("/{declaration_id}", response_model=DeclarationRead)
async def get(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, response: Response
) -> DeclarationRead:
    declaration = await service.load(session, principal, declaration_id)
    response.headers["ETag"] = etag(declaration.version)
    return read(declaration)


@router.patch(
    "/{declaration_id}",
    response_model=DeclarationRead,
    summary="Edit a draft or a returned declaration (If-Match required)",
)
async def update(
    declaration_id: uuid.UUID,
    body: DeclarationUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    declaration = await service.load(session, principal, declaration_id, lock=True)
    require_role(principal, "applicant")
    check_if_match(if_match, declaration.version, required=True)
    declaration = await service.update(session, principal, declaration, body=body)
    return JSONResponse(jsonable_encoder(read(declaration)), headers=headers(declaration))


@router.post(
    "/{declaration_id}/imports",
    response_model=DeclarationRead,
    summary="写入数据: copy an earlier declaration into this draft",
)
async def import_data(
    declaration_id: uuid.UUID,
    body: DeclarationImport,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    target = await service.load(session, principal, declaration_id, lock=True)
    require_role(principal, "applicant")
    check_if_match(if_match, target.version, required=False)
    source = await service.load(session, principal, body.source_declaration_id)
    target = await service.import_from(session, principal, target, source=source)
    return await idem.respond(read(target), headers=headers(target))
