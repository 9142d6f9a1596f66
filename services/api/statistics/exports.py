"""推荐名册 and 材料汇总表 as XLSX, for the office's own records and the committee.

Every cell that holds text is written as text: a value beginning with = + - @, a tab or
a carriage return (what a spreadsheet reads as a formula or a DDE call) is stored as an
inline string with the quote prefix set, so opening, editing or re-saving the sheet never
turns an applicant's input into a formula. Characters XML cannot carry are dropped
(cells.py, the one place a value becomes a cell).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from openpyxl import Workbook
from sqlalchemy import Text, and_, cast, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import clock
from services.api.campaigns import service as campaigns
from services.api.clock import shanghai
from services.api.declarations.service import visible
from services.api.models import Declaration, DeclarationDocument, Org, ReviewStep
from services.api.statistics import sheets
from services.api.statistics.cells import write_rows
from services.kit.auth import Principal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Kind = Literal["recommendation-roster", "material-summary"]


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
    rows, how a chunk of them becomes lines (`shape(rows, number of the first)`, a
    module-level function of a light module, called in an export process: sheets.py,
    chain/lines.py), the header above them (and the title, in XLSX) and the lines after
    them given how many there were."""

    query: Any
    shape: Callable[[Sequence[Any], int], list[list[Any]]]
    header: list[str]
    tail: Callable[[int], list[list[Any]]]
    filename: str  # without the extension
    sheet_name: str
    title: str | None = None


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
        shape=sheets.roster_lines if roster else sheets.summary_lines,
        header=sheets.ROSTER if roster else sheets.SUMMARY,
        tail=tail,
        filename=kind,
        sheet_name=name,
        title=f"{campaign.name} {name}",
    )
