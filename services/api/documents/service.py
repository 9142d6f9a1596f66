"""Documents of a declaration: who may upload, replace, delete or download, and attachments.

The files themselves live in the document service (checks, S3); the gateway decides who
may touch a declaration's documents and keeps `Declaration.attachments` (document id +
the policy material it satisfies) in step, so the submission check sees what was uploaded.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.access import require_role
from services.api.clients import documents as client
from services.api.declarations import service as declarations
from services.api.declarations.problems import DeclarationNotEditable
from services.api.documents.problems import DocumentNotActive, DocumentNotFound
from services.api.models import Campaign, Declaration
from services.kit.auth import Principal
from services.kit.problems import ProblemError

logger = logging.getLogger("zhicheng.api.documents")


def not_editable(status: str) -> ProblemError:
    return DeclarationNotEditable(status_now=status)


async def check_editable(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    action_zh: str,
    lock: bool = False,
) -> Declaration:
    """The applicant's own draft or returned declaration, inside its window; else 404/403/409.

    One query reads the declaration (as the caller may see it), its campaign and the
    database clock: every upload passes here, and each round trip costs the gateway CPU.
    """
    query = (
        select(Declaration, Campaign, func.now())
        .join(Campaign, Campaign.id == Declaration.campaign_id)
        .where(Declaration.id == declaration_id, declarations.visible(principal))
    )
    if lock:
        query = query.with_for_update(of=Declaration)
    row = (await session.exec(query)).first()
    if row is None:
        raise declarations.not_found()
    declaration, campaign, now = row
    require_role(principal, "applicant")
    if declaration.status not in declarations.EDITABLE:
        raise not_editable(declaration.status)
    await declarations.editable_until(session, declaration, campaign, now, action_zh)
    return declaration


async def locked_with_clock(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID
) -> tuple[Declaration, datetime]:
    """The declaration locked FOR UPDATE, and the database clock, in one round trip."""
    query = (
        select(Declaration, func.now())
        .where(Declaration.id == declaration_id, declarations.visible(principal))
        .with_for_update(of=Declaration)
    )
    row = (await session.exec(query)).first()
    if row is None:
        raise declarations.not_found()
    return row[0], row[1]


async def release(session: AsyncSession) -> None:
    """End the read-only check's transaction before a long upload streams through.

    Nothing was written; this only returns the connection to the pool so slow uploads
    do not hold one each. The attachment is written later in a fresh transaction.
    """
    await session.rollback()


async def materials(http: httpx.AsyncClient, cache: dict[str, str | None]) -> dict[str, str | None]:
    """Document kind -> the eligibility material it satisfies (`GET /v1/kinds`), cached."""
    if not cache:
        response = await client.list_kinds(http)
        if response.status_code != 200:
            raise client.unavailable()
        cache.update({k["code"]: k["material"] for k in response.json()})
    return cache


async def owned_document(
    http: httpx.AsyncClient, declaration_id: uuid.UUID, document_id: uuid.UUID
) -> dict[str, Any]:
    """The document service's record, if it belongs to this declaration; else 404."""
    response = await client.get_document(http, str(document_id))
    if response.status_code == 404:
        raise DocumentNotFound()
    if response.status_code != 200:
        raise client.unavailable()
    doc = response.json()
    if doc["declaration_id"] != str(declaration_id):
        raise DocumentNotFound()
    return doc


async def attach(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    doc: dict[str, Any],
    kinds: dict[str, str | None],
    uploaded_while: str,
    http: httpx.AsyncClient,
    replaces: uuid.UUID | None = None,
) -> Declaration:
    """Record an accepted document on its declaration (replacing `replaces` if given).

    The declaration is locked and checked again: if it was submitted while the file was
    streaming, the upload is refused. A replacement takes effect in the document service
    (the old one superseded) only here, under the lock: a submission either comes after
    it and sees the new document, or before it, and the old document stays active and
    attached. Whatever keeps the document off the declaration (this refusal, the old one
    gone, the database) the caller deletes it again with `discard`, so no document is left
    stored that the declaration does not list.
    """
    declaration, now = await locked_with_clock(session, principal, declaration_id)
    if declaration.status not in declarations.EDITABLE:
        raise not_editable(declaration.status)
    if replaces is not None:
        await _supersede(http, doc["id"], declaration.status)
    kept = [
        a
        for a in declaration.attachments
        if replaces is None or a.get("document_id") != str(replaces)
    ]
    entry: dict[str, Any] = {
        "document_id": doc["id"],
        "kind": kinds.get(doc["kind"]) or doc["kind"],
    }
    if doc.get("note"):
        entry["note"] = doc["note"][:200]
    declaration.attachments = [*kept, entry]
    declarations.touch(declaration, now)
    session.add(declaration)
    await session.flush()
    return declaration


async def _supersede(http: httpx.AsyncClient, document_id: str, status: str) -> None:
    response = await client.supersede(http, document_id, declaration_status=status)
    if response.status_code == 200:
        return
    # The old document was replaced or deleted meanwhile (or the service is down); the
    # new one is discarded by the caller.
    if response.status_code == 409:
        raise DocumentNotActive()
    if response.status_code == 404:
        raise DocumentNotFound()
    raise client.unavailable()


async def discard(
    http: httpx.AsyncClient,
    document_id: str,
    *,
    uploaded_while: str,
    replacement: bool = False,
    uploader_role: str | None = None,
) -> None:
    """Delete a stored document its declaration does not record (best effort).

    A `replacement` that already took effect is reverted: the document it superseded,
    which the declaration still lists, is active again.
    Should the document service be unreachable as well, the document stays stored but
    unattached (and a superseded original stays superseded); the problem already on its
    way to the caller is the answer either way.
    """
    try:
        response = await client.delete_document(
            http,
            document_id,
            declaration_status=uploaded_while,
            revert=replacement,
            uploader_role=uploader_role,
        )
    except ProblemError:
        response = None
    if response is None or response.status_code not in (204, 404):
        logger.warning("stored document %s could not be discarded", document_id)


async def detach(
    session: AsyncSession, declaration: Declaration, *, document_id: uuid.UUID
) -> Declaration:
    declaration.attachments = [
        a for a in declaration.attachments if a.get("document_id") != str(document_id)
    ]
    declarations.touch(declaration, await clock.db_now(session))
    session.add(declaration)
    await session.flush()
    return declaration
