"""推荐名册 and 材料汇总表 as XLSX, for the office's own records and the committee.

Every cell that holds text is written as text: a value beginning with = + - @, a tab or
a carriage return (what a spreadsheet reads as a formula or a DDE call) is stored as an
inline string with the quote prefix set, so opening, editing or re-saving the sheet never
turns an applicant's input into a formula. Characters XML cannot carry are dropped.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from sqlalchemy import Text, and_, cast, func
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
    """Append `rows` to a write-only sheet (an empty row stays blank); text is always text
    (see the module's note). The one place a value becomes an XLSX cell."""
    for values in rows:
        sheet.append([xlsx_cell(sheet, value) for value in values])


def xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(FORMULA_STARTS) and value not in ERROR_CODES:
        return value  # openpyxl stores any other text as text: no cell of its own needed
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def csv_cell(value: Any) -> Any:
    """A CSV field a spreadsheet opens as text: a value beginning like a formula gets a
    leading apostrophe (OWASP, CSV injection), the only mark a CSV can carry."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def book(
    title: str, sheet_name: str, header: list[str], rows: list[list[Any]], footer: str
) -> bytes:
    """A whole workbook in memory, laid out as the streamed exports are (streams.py)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    write_rows(sheet, [[title], header, *rows, [], [footer]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Export:
    """An export before it runs (streams.py runs it off the event loop): one query of plain
    rows, how a chunk of them becomes lines (`shape(rows, number of the first)`, called in
    a worker thread), the header above them (and the title, in XLSX) and the lines after
    them given how many there were."""

    query: Any
    shape: Callable[[Sequence[Any], int], list[list[Any]]]
    header: list[str]
    tail: Callable[[int], list[list[Any]]]
    filename: str  # without the extension
    sheet_name: str
    title: str | None = None


def _name(sections: dict[str, Any]) -> str:
    return (sections.get("basic_info") or {}).get("name", "")


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


def _roster(rows: Sequence[Any], first: int) -> list[list[Any]]:
    out = []
    for i, (text, unit, at, level, specialty, path, status) in enumerate(rows, start=first):
        s = json.loads(text)
        out.append(
            [
                i,
                _name(s),
                unit,
                LEVEL_ZH.get(level, level),
                specialty or "",
                PATH_ZH.get(path, path),
                (s.get("current_title") or {}).get("title_name", ""),
                shanghai(at),
                STATUS_ZH.get(status, status),
            ]
        )
    return out


def _summary(rows: Sequence[Any], first: int) -> list[list[Any]]:
    out = []
    for i, (text, unit, _at, level, specialty, kinds) in enumerate(rows, start=first):
        s = json.loads(text)
        kinds = kinds or []
        out.append(
            [
                i,
                _name(s),
                unit,
                LEVEL_ZH.get(level, level),
                specialty or "",
                "；".join(p.get("title", "") for p in s.get("papers") or []),
                "；".join(a.get("name", "") for a in s.get("achievements") or []),
                "；".join(a.get("name", "") for a in s.get("awards") or []),
                len(kinds),
                "、".join(sorted(set(kinds))),
            ]
        )
    return out


# The document kinds each declaration has in force (replaced ones left out), one array.
_KINDS = (
    select(func.array_agg(DeclarationDocument.document_kind))
    .where(
        DeclarationDocument.declaration_id == Declaration.id,
        DeclarationDocument.superseded_by_id.is_(None),
    )
    .correlate(Declaration)
    .scalar_subquery()
)


async def export(
    session: AsyncSession, principal: Principal, *, campaign_id: uuid.UUID, kind: Kind
) -> Export:
    """The declarations the unit recommended (its step completed) that the caller may see,
    one row each, in the order the units passed them up."""
    campaign = await campaigns.get(session, campaign_id)
    now = await clock.db_now(session)
    common = (
        cast(Declaration.sections, Text),
        Org.name,
        ReviewStep.completed_at,
        Declaration.level,
        Declaration.specialty,
    )
    roster = kind == "recommendation-roster"
    columns = (Declaration.path, Declaration.status) if roster else (_KINDS,)
    query = (
        select(*common, *columns)
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

    def tail(count: int) -> list[list[Any]]:
        return [[], [f"导出时间：{shanghai(now)}　导出人：{principal.sub}　共{count}人"]]

    name = "推荐名册" if roster else "材料汇总表"
    return Export(
        query=query,
        shape=_roster if roster else _summary,
        header=ROSTER if roster else SUMMARY,
        tail=tail,
        filename=kind,
        sheet_name=name,
        title=f"{campaign.name} {name}",
    )
