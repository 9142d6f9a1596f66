"""The results posting (二次公示): a closed session's results, posted publicly for at least
five working days on the work calendar, with objections taken online meanwhile.

`004_…` 五（二）: "评审完成后的二次公示将在…网站职称改革专栏进行"; `002_…` 二、1:
"公示期不能少于5个工作日（双休日和节假日不计入公示时间）". Names are masked (the first
and, from three characters on, the last character shown). The posting is frozen when
published: its rows, their SHA-256 (in the audit chain and printed on both exports), and
the exports byte for byte, so a copy can be checked against the original.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from functools import partial
from typing import Any

from anyio import to_thread
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.audit import service as audit
from services.api.calendar import service as calendar
from services.api.committee import service as committee
from services.api.config import ApiSettings
from services.api.models import (
    Campaign,
    CommitteeSession,
    Declaration,
    Org,
    Recheck,
    ResultsPosting,
    SessionDeclaration,
)
from services.api.results import exports
from services.api.results.problems import (
    PostingExists,
    PostingNotFound,
    PostingStartInvalid,
    PostingTooShort,
    RecheckOpen,
    SessionNotClosed,
)
from services.api.results.schemas import ExportCheck, PostingCreate, PostingRead, PostingRow
from services.kit.auth import Principal
from services.kit.vocabulary import LEVEL_NAMES, SERIES_NAMES

MIN_WORKING_DAYS = 5


def mask_name(name: str) -> str:
    """张* · 张*丰 · 欧**峰: the first character, and the last from three on."""
    name = name.strip()
    if len(name) <= 1:
        return name + "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def today(now) -> date:
    return now.astimezone(clock.SHANGHAI).date()


def open_for_objections(row: ResultsPosting, on: date) -> bool:
    return on <= row.ends_on


def read(row: ResultsPosting, on: date) -> PostingRead:
    return PostingRead(
        id=row.id,
        session_id=row.session_id,
        kind=row.kind,
        title=row.title,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        working_days=row.working_days,
        rows=[PostingRow.model_validate(r) for r in row.rows],
        content_sha256=row.content_sha256,
        xlsx_sha256=row.xlsx_sha256,
        pdf_sha256=row.pdf_sha256,
        published_at=row.published_at,
        version=row.version,
        objections_open=row.kind == "posting" and open_for_objections(row, on),
        confirmation_authority=row.confirmation_authority,
        confirmation_document=row.confirmation_document,
        confirmed_at=row.confirmed_at,
        approval_number=row.approval_number,
        approved_on=row.approved_on,
    )


async def rows_of(session: AsyncSession, session_id: uuid.UUID) -> list[dict]:
    query = (
        select(Declaration, Org.name, SessionDeclaration.outcome)
        .join(SessionDeclaration, SessionDeclaration.declaration_id == Declaration.id)
        .join(Org, Org.id == Declaration.unit_org_id)
        .where(SessionDeclaration.session_id == session_id)
        .order_by(Org.name, Declaration.id)
    )
    rows = []
    for n, (declaration, unit, outcome) in enumerate((await session.exec(query)).all(), start=1):
        name = (declaration.sections.get("basic_info") or {}).get("name") or ""
        rows.append(
            {
                "no": n,
                "declaration_id": str(declaration.id),
                "name": mask_name(name),
                "unit": unit,
                "series": SERIES_NAMES.get(declaration.series, declaration.series),
                "level": LEVEL_NAMES.get(declaration.level, declaration.level),
                "specialty": declaration.specialty or "",
                "result": "通过" if (outcome or {}).get("passed") else "未通过",
            }
        )
    return rows


async def publish(
    session: AsyncSession,
    principal: Principal,
    *,
    session_id: uuid.UUID,
    body: PostingCreate,
    settings: ApiSettings,
) -> PostingRead:
    sitting = await committee.load(session, principal, session_id, lock=True)
    if sitting.status != "closed":
        raise SessionNotClosed()
    if (
        await session.exec(
            select(ResultsPosting.id).where(
                ResultsPosting.session_id == sitting.id, ResultsPosting.kind == "posting"
            )
        )
    ).first():
        raise PostingExists()
    open_recheck = (
        await session.exec(
            select(Recheck.id).where(Recheck.session_id == sitting.id, Recheck.status == "open")
        )
    ).first()
    if open_recheck is not None:
        raise RecheckOpen("该评审会尚有复核未结束，须复核闭会后再发布二次公示。")
    now = await clock.db_now(session)
    on = today(now)
    if body.starts_on < on or body.ends_on < body.starts_on:
        raise PostingStartInvalid(
            f"公示期须从今天（{on.isoformat()}）或以后开始，且结束日期不早于开始日期。"
        )
    days = await calendar.working_days(session, body.starts_on, body.ends_on, rule="strict")
    if days < MIN_WORKING_DAYS:
        raise PostingTooShort(
            f"{body.starts_on.isoformat()}至{body.ends_on.isoformat()}只有{days}个工作日；"
            "公示期不能少于5个工作日（双休日和节假日不计入公示时间）。",
            working_days=days,
        )
    campaign = await session.get(Campaign, sitting.campaign_id)
    assert campaign is not None
    title = (
        f"{campaign.committee_name}{LEVEL_NAMES.get(sitting.level, sitting.level)}职称评审结果公示"
    )
    row = await freeze(
        session,
        principal,
        sitting=sitting,
        kind="posting",
        title=title,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        working_days=days,
        rows=await rows_of(session, sitting.id),
        settings=settings,
        now=now,
    )
    return read(row, on)


async def freeze(
    session: AsyncSession,
    principal: Principal,
    *,
    sitting: CommitteeSession,
    kind: str,
    title: str,
    starts_on: date,
    ends_on: date,
    working_days: int,
    rows: list[dict],
    settings: ApiSettings,
    now: datetime,
    **extra: Any,
) -> ResultsPosting:
    """Publish `rows` as a posting of `kind`: their hash, the exports byte for byte, and
    one audit row carrying the three hashes."""
    public_rows = [{k: v for k, v in r.items() if k != "declaration_id"} for r in rows]
    document = {
        "title": title,
        "session_id": str(sitting.id),
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "rows": public_rows,
    }
    digest = exports.content_sha256(document)
    shown = {"title": title, "starts_on": starts_on, "ends_on": ends_on, "rows": public_rows}
    # Rendering is CPU work: in a worker thread, so the event loop keeps answering.
    xlsx = await to_thread.run_sync(partial(exports.xlsx, **shown, digest=digest, at=now))
    pdf = await to_thread.run_sync(
        partial(
            exports.pdf,
            **shown,
            digest=digest,
            font_path=settings.certificate_font_path,
            font_index=settings.certificate_font_index,
        )
    )
    row = ResultsPosting(
        session_id=sitting.id,
        kind=kind,
        office_org_id=sitting.office_org_id,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        working_days=working_days,
        rows=rows,
        content_sha256=digest,
        xlsx=xlsx,
        xlsx_sha256=hashlib.sha256(xlsx).hexdigest(),
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        published_by=principal.sub,
        published_at=now,
        **extra,
    )
    what = "二次公示" if kind == "posting" else "评审结果公开"
    await audit.saved(
        session,
        row,
        principal=principal,
        action=f"results_{kind}_published",
        reason=f"评审会{sitting.id}{what}{row.id}：{starts_on}至{ends_on}"
        f"（{working_days}个工作日），{len(rows)}人；内容SHA-256 {digest}；"
        f"XLSX SHA-256 {row.xlsx_sha256}；PDF SHA-256 {row.pdf_sha256}",
    )
    return row


async def load(session: AsyncSession, posting_id: uuid.UUID) -> ResultsPosting:
    row = await session.get(ResultsPosting, posting_id)
    if row is None:
        raise PostingNotFound()
    return row


async def get(session: AsyncSession, posting_id: uuid.UUID) -> PostingRead:
    row = await load(session, posting_id)
    return read(row, today(await clock.db_now(session)))


async def for_office(
    session: AsyncSession, principal: Principal, posting_id: uuid.UUID
) -> PostingRead:
    row = await load(session, posting_id)
    if principal.role != "ops" and str(row.office_org_id) != principal.org_id:
        raise PostingNotFound()
    return read(row, today(await clock.db_now(session)))


async def listing(session: AsyncSession) -> list[PostingRead]:
    on = today(await clock.db_now(session))
    query = select(ResultsPosting).order_by(ResultsPosting.published_at.desc()).limit(100)
    return [read(r, on) for r in (await session.exec(query)).all()]


async def export(session: AsyncSession, posting_id: uuid.UUID, kind: str) -> bytes:
    """The file as published; only its column is read (not the rows or the other file)."""
    column = ResultsPosting.xlsx if kind == "xlsx" else ResultsPosting.pdf
    found = (await session.exec(select(column).where(ResultsPosting.id == posting_id))).first()
    if found is None:
        raise PostingNotFound()
    return found


async def check_export(session: AsyncSession, *, content: bytes) -> ExportCheck:
    """Is this file one of the posted exports, unaltered? Compared by its SHA-256."""
    digest = hashlib.sha256(content).hexdigest()
    for column, kind in ((ResultsPosting.xlsx_sha256, "xlsx"), (ResultsPosting.pdf_sha256, "pdf")):
        found = (
            await session.exec(
                select(ResultsPosting.id, ResultsPosting.content_sha256).where(column == digest)
            )
        ).first()
        if found is not None:
            return ExportCheck(
                matches=True, posting_id=found[0], format=kind, content_sha256=found[1]
            )
    return ExportCheck(matches=False)
