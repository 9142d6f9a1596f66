"""The upload choreography: check, release the connection, stream, attach, commit or undo.

An upload streams straight through to the document service (`request.stream()`), never
held in memory here. No database connection is held while the file travels: the
declaration is checked, the connection released, the file forwarded; then the attachment
is recorded and committed at once, so a failed commit discards the stored file too.
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
from services.api.declarations import service as declarations
from services.api.documents import service, uploaders
from services.api.documents.problems import UploadInterrupted
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
    status: str,
    role: str | None,
    normalize: bool,
    replaces: uuid.UUID | None,
) -> httpx.Response:
    try:
        return await client.upload_stream(
            http,
            str(declaration_id),
            body,
            content_type=headers.get("content-type", ""),
            content_length=headers.get("content-length"),
            uploader_id=uploader,
            declaration_status=status,
            uploader_role=role,
            normalize=normalize,
            replaces=str(replaces) if replaces else None,
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
    kinds_cache: dict[str, str | None],
    normalize: bool,
    replaces: uuid.UUID | None = None,
) -> Response:
    """Upload (or replace) a document and record it among the declaration's attachments.

    `uploader` was decided (and the declaration checked) by the route's dependency."""
    status = uploader.status
    kinds = await service.materials(http, kinds_cache)
    if replaces is not None:
        await service.owned_document(http, declaration_id, replaces)
    await service.release(session)
    response = await _forward(
        http,
        declaration_id,
        body,
        headers=headers,
        uploader=principal.sub,
        status=status,
        role=uploader.document_role,
        normalize=normalize,
        replaces=replaces,
    )
    if response.status_code != 201:
        return client.relay(response)
    doc = response.json()
    try:
        declaration = await uploaders.attach(
            session,
            principal,
            uploader,
            declaration_id,
            doc=doc,
            kinds=kinds,
            uploaded_while=status,
            http=http,
            replaces=replaces,
        )
        # Committed here rather than after the return, so a failed commit discards too.
        await session.commit()
    except Exception:
        await service.discard(
            http,
            doc["id"],
            uploaded_while=status,
            replacement=replaces is not None,
            uploader_role=uploader.document_role,
        )
        raise
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
    declaration = await service.check_editable(
        session, principal, declaration_id, action_zh="删除材料", lock=True
    )
    await service.owned_document(http, declaration_id, document_id)
    response = await client.delete_document(
        http, str(document_id), declaration_status=declaration.status
    )
    if response.status_code != 204:
        return client.relay(response)
    declaration = await service.detach(session, declaration, document_id=document_id)
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
    response = await client.list_documents(
        http, str(declaration_id), include_inactive=include_inactive
    )
    return client.relay(response)


async def download_link(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    document_id: uuid.UUID,
    *,
    http: httpx.AsyncClient,
    expires_in: int,
) -> Response:
    await declarations.load(session, principal, declaration_id)
    await service.owned_document(http, declaration_id, document_id)
    return client.relay(await client.download_link(http, str(document_id), expires_in=expires_in))
