"""推荐名册 and 材料汇总表 as XLSX, for the office's own records and the committee.

Every cell that holds text is written as text: a value beginning with = + - @, a tab or
a carriage return (what a spreadsheet reads as a formula or a DDE call) is stored as an
inline string with the quote prefix set, so opening, editing or re-saving the sheet never
turns an applicant's input into a formula. Characters XML cannot carry are dropped.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import and_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.campaigns import service as campaigns
from services.api.clock import shanghai
from services.api.declarations.service import visible
from services.api.models import Declaration, DeclarationDocument, Org, ReviewStep
from services.api.statistics.service import LEVEL_ZH, PATH_ZH, STATUS_ZH
from services.kit.auth import Principal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Kind = Literal["recommendation-roster", "material-summary"]


def write_rows(sheet: Any, rows: list[list[Any]]) -> None:
    """Write `rows` from the sheet's first row on (an empty row stays blank); text is
    always text (see the module's note)."""
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.value = value
                cell.data_type = "s"
                if value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
            else:
                cell.value = value


def csv_cell(value: Any) -> Any:
    """A CSV field a spreadsheet opens as text: a value beginning like a formula gets a
    leading apostrophe (OWASP, CSV injection), the only mark a CSV can carry."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def book(
    title: str, sheet_name: str, header: list[str], rows: list[list[Any]], footer: str
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    write_rows(sheet, [[title], header, *rows, [], [footer]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    media_type: str = XLSX


def _name(d: Declaration) -> str:
    return (d.sections.get("basic_info") or {}).get("name", "")


ROSTER = [
    "序号",
    "姓名",
    "用人单位",
    "申报级别",
    "申报专业",
    "申报途径",
    "现职称",
    "单位推荐时间",
    "当前状态",
]
SUMMARY = [
    "序号",
    "姓名",
    "用人单位",
    "申报级别",
    "申报专业",
    "论文",
    "业绩成果",
    "获奖",
    "在用材料份数",
    "材料类别",
]


async def export(
    session: AsyncSession, principal: Principal, *, campaign_id: uuid.UUID, kind: Kind
) -> Export:
    """The declarations the unit recommended (its step completed) that the caller may see,
    one row each, in the order the units passed them up."""
    campaign = await campaigns.get(session, campaign_id)
    now = await clock.db_now(session)
    query = (
        select(Declaration, ReviewStep.completed_at, Org.name)
        .join(
            ReviewStep, and_(ReviewStep.declaration_id == Declaration.id, ReviewStep.position == 0)
        )
        .join(Org, Org.id == Declaration.unit_org_id)
        .where(
            Declaration.campaign_id == campaign.id,
            visible(principal),
            ReviewStep.completed_at.is_not(None),
        )
        .order_by(ReviewStep.completed_at, Declaration.id)
    )
    found = (await session.exec(query)).all()
    footer = f"导出时间：{shanghai(now)}　导出人：{principal.sub}　共{len(found)}人"
    if kind == "recommendation-roster":
        rows = [
            [
                i,
                _name(d),
                unit,
                LEVEL_ZH.get(d.level, d.level),
                d.specialty or "",
                PATH_ZH.get(d.path, d.path),
                (d.sections.get("current_title") or {}).get("title_name", ""),
                shanghai(at),
                STATUS_ZH.get(d.status, d.status),
            ]
            for i, (d, at, unit) in enumerate(found, start=1)
        ]
        title = f"{campaign.name} 推荐名册"
        return Export(book(title, "推荐名册", ROSTER, rows, footer), "recommendation-roster.xlsx")
    documents = await _documents(session, [d.id for d, _, _ in found])
    rows = []
    for i, (d, _, unit) in enumerate(found, start=1):
        s = d.sections
        kinds = documents.get(d.id, [])
        rows.append(
            [
                i,
                _name(d),
                unit,
                LEVEL_ZH.get(d.level, d.level),
                d.specialty or "",
                "；".join(p.get("title", "") for p in s.get("papers") or []),
                "；".join(a.get("name", "") for a in s.get("achievements") or []),
                "；".join(a.get("name", "") for a in s.get("awards") or []),
                len(kinds),
                "、".join(sorted(set(kinds))),
            ]
        )
    title = f"{campaign.name} 材料汇总表"
    return Export(book(title, "材料汇总表", SUMMARY, rows, footer), "material-summary.xlsx")


async def _documents(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The document kinds each declaration has in force (replaced ones left out)."""
    out: dict[uuid.UUID, list[str]] = {}
    if not ids:
        return out
    query = select(DeclarationDocument.declaration_id, DeclarationDocument.document_kind).where(
        DeclarationDocument.declaration_id.in_(ids), DeclarationDocument.superseded_by_id.is_(None)
    )
    for declaration_id, kind in (await session.exec(query)).all():
        out.setdefault(declaration_id, []).append(kind)
    return out
