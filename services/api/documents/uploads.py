"""The upload choreography: check, release the connection, stream, attach, commit or undo.

An upload streams straight through to the document service (`request.stream()`), never
held in memory here. No database connection is held while the file travels: the
declaration is checked, the connection released, the file forwarded; then the document
is recorded under the declaration's lock and committed at once, so a failed commit
discards the stored file too.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
from fastapi import Response
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import ClientDisconnect

from services.api.clients import documents as client
from services.api.declarations import attachments
from services.api.declarations import service as declarations
from services.api.documents import service, uploaders
from services.api.documents.problems import (
    DocumentItemInvalid,
    DocumentNotActive,
    UploadInterrupted,
)
from services.api.documents.uploaders import Uploader
from services.api.http import etag
from services.kit.auth import Principal


async def _forward(
    http: httpx.AsyncClient,
    declaration_id: uuid.UUID,
    body: AsyncIterator[bytes],
    *,
    headers: dict[str, str],
    uploader: str,
    normalize: bool,
    kind: str | None,
) -> httpx.Response:
    try:
        return await client.upload_stream(
            http,
            str(declaration_id),
            body,
            content_type=headers.get("content-type", ""),
            content_length=headers.get("content-length"),
            uploader_id=uploader,
            normalize=normalize,
            kind=kind,
        )
    except ClientDisconnect as exc:
        # The caller went away mid-file; the document service saw a cut-off body and
        # stored nothing. Nobody reads this answer, but it is not a server error.
        raise UploadInterrupted() from exc


async def upload(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    uploader: Uploader,
    body: AsyncIterator[bytes],
    *,
    headers: dict[str, str],
    http: httpx.AsyncClient,
    normalize: bool,
    item: tuple[str | None, int | None] = (None, None),
    replaces: uuid.UUID | None = None,
) -> Response:
    """Upload (or replace) a document and record it on the declaration, with the section
    entry it proves when `item` names one. `uploader` was decided (and the declaration
    checked) by the route's dependency: the applicant, or the unit's reviewer at its step.

    Two calls to the document service at most: the file forwarded; and, only when it
    cannot be recorded (submitted meanwhile, the replaced one gone, the entry removed, the
    database), the new document deleted again.
    """
    if uploader.role == "applicant":
        ref = service.item_ref(uploader.sections, *item)
    elif item != (None, None):  # the unit's materials prove no entry of the applicant's
        raise DocumentItemInvalid()
    else:
        ref = None
    old = await service.in_force(session, declaration_id, replaces) if replaces else None
    kind = old.document_kind if old is not None else None
    await service.release(session)
    response = await _forward(
        http,
        declaration_id,
        body,
        headers=headers,
        uploader=principal.sub,
        normalize=normalize,
        kind=kind,
    )
    if response.status_code != 201:
        return client.relay(response)
    doc = response.json()
    try:
        declaration = await uploaders.record(
            session, principal, uploader, declaration_id, doc=doc, replaces=replaces, item=ref
        )
        # Committed here rather than after the return, so a failed commit discards too.
        await session.commit()
    except Exception:
        await service.discard(http, doc["id"])
        raise
    doc["replaces_id"] = str(replaces) if replaces else None
    return JSONResponse(
        doc,
        status_code=201,
        headers={
            "ETag": etag(declaration.version),
            "Location": f"/v1/declarations/{declaration_id}/documents/{doc['id']}",
        },
    )


async def delete(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    document_id: uuid.UUID,
    *,
    http: httpx.AsyncClient,
) -> Response:
    """Delete a document in force. The file is deleted under the declaration's lock, so
    a submission cannot name it meanwhile; its record goes in the same transaction."""
    declaration = await service.check_editable(
        session, principal, declaration_id, action_zh="删除材料", lock=True
    )
    row = await service.record_of(session, declaration_id, document_id)
    if row.superseded_by_id is not None:
        raise DocumentNotActive("该材料已被替换，作为审核记录保留，不能删除；可删除替换后的材料。")
    await attachments.refuse_if_unit_filed(session, declaration_id, document_id)
    response = await client.delete_document(http, str(document_id))
    if response.status_code not in (204, 404):
        return client.relay(response)
    declaration = await service.forget(session, declaration, row)
    return Response(status_code=204, headers={"ETag": etag(declaration.version)})


async def listing(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    http: httpx.AsyncClient,
    include_inactive: bool,
) -> Response:
    await declarations.load(session, principal, declaration_id)
    records = await service.records(session, declaration_id)
    response = await client.list_documents(http, str(declaration_id), include_inactive=True)
    if response.status_code != 200:
        return client.relay(response)
    shown = service.as_recorded(response.json(), records, include_inactive=include_inactive)
    return JSONResponse(shown)


async def download_link(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    document_id: uuid.UUID,
    *,
    http: httpx.AsyncClient,
    expires_in: int,
) -> Response:
    """A link to any document the declaration recorded, replaced ones too (the record)."""
    await declarations.load(session, principal, declaration_id)
    await service.record_of(session, declaration_id, document_id)
    return client.relay(await client.download_link(http, str(document_id), expires_in=expires_in))
