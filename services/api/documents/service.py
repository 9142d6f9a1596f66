"""Documents of a declaration: who may upload, replace, delete or download, and the record.

The files live in the document service, a checked file store (checks, S3). The gateway
owns which document serves which material of which declaration: under the declaration's
row lock it records each accepted upload (`DeclarationDocument`, and the attachment
entry in `Declaration.attachments`), swaps a replacement in and marks the replaced
document superseded (kept, so reviewers still see what an earlier submission named).
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
from services.api.clients import documents as client
from services.api.declarations import attachments
from services.api.declarations import service as declarations
from services.api.declarations.problems import DeclarationNotEditable
from services.api.documents.problems import (
    DocumentItemInvalid,
    DocumentNotActive,
    DocumentNotFound,
)
from services.api.models import Campaign, Declaration, DeclarationDocument
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
    now = clock.ahead(session, now)
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
    return row[0], clock.ahead(session, row[1])


async def reads_before_upload(session: AsyncSession) -> None:
    """Run what an upload checks before the file travels (the declaration, the caller's
    turn, the document it replaces) in autocommit: those are reads only, and `release`
    ends them before the stream; without a transaction they cost no BEGIN and no
    ROLLBACK round trip. Under READ COMMITTED each statement sees what it saw inside a
    transaction. The record is written later in a transaction of its own (`record`), with
    the connection's usual isolation, restored when it went back to the pool."""
    if not session.in_transaction():
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


async def release(session: AsyncSession) -> None:
    """End the read-only check's transaction before a long upload streams through.

    Nothing was written; this only returns the connection to the pool so slow uploads
    do not hold one each. The record is written later in a fresh transaction.
    """
    await session.rollback()


async def record_of(
    session: AsyncSession, declaration_id: uuid.UUID, document_id: uuid.UUID
) -> DeclarationDocument:
    """The gateway's record of a document of this declaration (in force or not); else 404."""
    row = await session.get(DeclarationDocument, document_id)
    if row is None or row.declaration_id != declaration_id:
        raise DocumentNotFound()
    return row


async def in_force(
    session: AsyncSession, declaration_id: uuid.UUID, document_id: uuid.UUID
) -> DeclarationDocument:
    """A document of this declaration that is still in force; 404 or 409 otherwise."""
    row = await record_of(session, declaration_id, document_id)
    if row.superseded_by_id is not None:
        raise DocumentNotActive()
    # The unit's own materials are not the applicant's to replace (checked again under
    # the lock when the replacement is recorded).
    await attachments.refuse_if_unit_filed(session, declaration_id, document_id)
    return row


def entry_for(doc: dict[str, Any], *, note: str | None = None) -> dict[str, Any]:
    """The attachment entry an accepted document makes: the material its kind serves."""
    entry: dict[str, Any] = {
        "document_id": doc["id"],
        "kind": doc.get("material") or doc["kind"],
        "document_kind": doc["kind"],
    }
    if note := doc.get("note") or note:
        entry["note"] = note
    return entry


def item_ref(sections: dict[str, Any], section: str | None, index: int | None) -> dict | None:
    """The entry a document proves: both parts or neither, and an entry the draft has."""
    if section is None and index is None:
        return None
    entries = sections.get(section) if section is not None else None
    if index is None or not isinstance(entries, list) or index >= len(entries):
        raise DocumentItemInvalid()
    return {"section": section, "index": index}


async def record(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    doc: dict[str, Any],
    replaces: uuid.UUID | None = None,
    item: dict[str, Any] | None = None,
) -> Declaration:
    """Record an accepted document on its declaration (replacing `replaces` if given).

    The declaration is locked and checked again: if it was submitted while the file was
    streaming, the upload is refused. A replacement takes effect here, under the lock,
    in the same transaction: a submission either comes after it and sees the new
    document, or before it, and the old document stays in force and attached. Whatever
    keeps the document off the declaration (this refusal, the old one replaced or deleted
    meanwhile, the database) the caller deletes it again with `discard`.
    """
    declaration, now = await locked_with_clock(session, principal, declaration_id)
    if declaration.status not in declarations.EDITABLE:
        raise not_editable(declaration.status)
    if item is not None:  # the entry may have been removed while the file streamed in
        item_ref(declaration.sections, item["section"], item["index"])
    entry = entry_for(doc)
    if item is not None:
        entry["item"] = item
    row = DeclarationDocument(
        document_id=uuid.UUID(doc["id"]),
        declaration_id=declaration.id,
        document_kind=doc["kind"],
        material=doc.get("material"),
        replaces_id=replaces,
        recorded_at=now,
    )
    entries = list(declaration.attachments)
    if replaces is None:
        entries.append(entry)
    else:
        old = await session.get(DeclarationDocument, replaces)
        if old is None or old.declaration_id != declaration.id or old.superseded_by_id:
            raise DocumentNotActive()  # replaced or deleted while the file streamed in
        await attachments.refuse_if_unit_filed(session, declaration.id, replaces)
        old.superseded_by_id, old.superseded_at = row.document_id, now
        session.add(old)
        at = [i for i, a in enumerate(entries) if a.get("document_id") == str(replaces)]
        for i in at:  # in its place, keeping the applicant's note unless a new one came,
            # and proving the entry the old one proved unless another is named
            swapped = entry_for(doc, note=entries[i].get("note"))
            if doc.get("material") is None:  # 其他证明材料: still for the material named
                swapped["kind"] = entries[i]["kind"]
            if item is not None:
                swapped["item"] = item
            entries[i] = {**entries[i], **swapped}
        if not at:
            entries.append(entry)
    session.add(row)
    declaration.attachments = entries
    declarations.touch(declaration, now)
    session.add(declaration)
    await session.flush()
    return declaration


async def discard(http: httpx.AsyncClient, document_id: str) -> None:
    """Delete a stored document its declaration does not record (best effort).

    Should the document service be unreachable as well, the file stays stored but
    unrecorded (listings leave it out); the problem already on its way to the caller is
    the answer either way.
    """
    try:
        response = await client.delete_document(http, document_id)
    except ProblemError:
        response = None
    if response is None or response.status_code not in (204, 404):
        logger.warning("stored document %s could not be discarded", document_id)


async def forget(
    session: AsyncSession, declaration: Declaration, row: DeclarationDocument
) -> Declaration:
    """Take a deleted document off its declaration: its record and its attachments."""
    declaration.attachments = [
        a for a in declaration.attachments if a.get("document_id") != str(row.document_id)
    ]
    await session.delete(row)
    declarations.touch(declaration, await clock.db_now(session))
    session.add(declaration)
    await session.flush()
    return declaration


def as_recorded(
    docs: list[dict[str, Any]],
    records: dict[str, DeclarationDocument],
    *,
    include_inactive: bool,
) -> list[dict[str, Any]]:
    """The document service's list, with the gateway's word on what is in force.

    A document the gateway recorded is `accepted` while in force and `superseded` once
    replaced (with `replaces_id` / `superseded_by_id` from the record). An accepted file
    the gateway never recorded (an upload whose recording failed and whose deletion
    failed too) is no document of the declaration and is left out; rejected uploads are
    shown among the inactive ones, as before.
    """
    shown = []
    for doc in docs:
        row = records.get(doc["id"])
        if row is not None:
            doc = {
                **doc,
                "status": "superseded" if row.superseded_by_id else "accepted",
                "replaces_id": str(row.replaces_id) if row.replaces_id else None,
                "superseded_by_id": str(row.superseded_by_id) if row.superseded_by_id else None,
            }
        elif doc["status"] == "accepted":
            continue
        if include_inactive or doc["status"] == "accepted":
            shown.append(doc)
    return shown


async def records(session: AsyncSession, declaration_id: uuid.UUID):
    return await attachments.recorded(session, declaration_id)
