"""The unit's public posting list (名册) and the per-unit share of problem declarations."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from typing import Literal

from openpyxl import Workbook
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from services.api.audit import checkpoints
from services.api.campaigns import service as campaigns
from services.api.campaigns.schemas import UnitQuality
from services.api.models import Campaign, Declaration
from services.api.models.declaration import GIVEN_UP
from services.api.statistics import service as statistics
from services.api.statistics.exports import csv_cell, write_rows
from services.kit.auth import Principal

LEVEL_ZH = {
    "technician": "员级",
    "assistant": "助理级",
    "intermediate": "中级",
    "deputy_senior": "副高级",
    "senior": "正高级",
}
HEADER = ["序号", "姓名", "申报级别", "申报专业", "工作经历", "主要业绩", "论文著作"]


async def posting_rows(session: AsyncSession, campaign: Campaign, unit_id: uuid.UUID) -> list[list]:
    query = (
        select(Declaration)
        .where(
            Declaration.campaign_id == campaign.id,
            Declaration.unit_org_id == unit_id,
            Declaration.status.not_in(GIVEN_UP),
        )
        .order_by(Declaration.created_at, Declaration.id)
    )
    rows = []
    for i, d in enumerate((await session.exec(query)).all(), start=1):
        s = d.sections
        history = "；".join(
            f"{e.get('start_on')}至{e.get('end_on') or '今'} {e.get('employer')} {e.get('work')}"
            for e in s.get("main_experience") or []
        )
        achievements = "；".join(a.get("name", "") for a in s.get("achievements") or [])
        papers = "；".join(
            f"《{p.get('title')}》（{p.get('journal')}，{p.get('published_on')}）"
            for p in s.get("papers") or []
        )
        name = (s.get("basic_info") or {}).get("name", "")
        rows.append(
            [
                i,
                name,
                LEVEL_ZH.get(d.level, d.level),
                d.specialty or "",
                history,
                achievements,
                papers,
            ]
        )
    return rows


def to_csv(rows: list[list], footer: str) -> bytes:
    """The list, then a blank line and `footer` (the audit checkpoint) as the last line.
    Applicant text that begins like a formula is kept text (`csv_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    writer.writerow([])
    writer.writerow([footer])
    # BOM so that spreadsheet programs open the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(rows: list[list], title: str, footer: str) -> bytes:
    """Text cells stay text: an applicant's name like =HYPERLINK(…) never becomes a
    formula (statistics/exports.py)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "公示名册"
    write_rows(sheet, [[title], HEADER, *rows, [], [footer]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _flag(share: float) -> tuple[str, str]:
    if share >= 0.2:
        return (
            "rectify",
            "问题比例达到或超过20%：推荐单位须作出说明并报送书面整改方案（2023年度通知 三（一））",
        )
    if share >= 0.1:
        return "explain", "问题比例达到或超过10%：推荐单位须作出说明（2023年度通知 三（一））"
    return "none", "问题比例低于10%"


async def unit_quality(
    session: AsyncSession, campaign: Campaign, principal: Principal
) -> list[UnitQuality]:
    """Recommended = passed the unit step; with problems = later returned by a higher level."""
    out = []
    for unit_id, name, total, problems in await statistics.unit_rows(
        session, principal, campaign, None
    ):
        share = problems / total
        flag, flag_zh = _flag(share)
        out.append(
            UnitQuality(
                unit_org_id=unit_id,
                unit_name=name,
                recommended=total,
                with_problems=problems,
                share=round(share, 4),
                flag=flag,
                flag_zh=flag_zh,
            )
        )
    return sorted(out, key=lambda q: (-q.share, q.unit_name))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str
    checkpoint: str  # the signed audit checkpoint printed in it, as a header value


async def posting_export(
    session: AsyncSession,
    request: Request,
    *,
    campaign_id: uuid.UUID,
    unit_id: uuid.UUID,
    kind: Literal["csv", "xlsx"],
) -> Export:
    """The unit's posting list (名册), ending with a signed checkpoint of the audit chain."""
    campaign = await campaigns.get(session, campaign_id)
    rows = await posting_rows(session, campaign, unit_id)
    checkpoint = await checkpoints.for_export(request)
    footer = checkpoint.printed()
    if kind == "csv":
        content = to_csv(rows, footer)
        return Export(content, "text/csv; charset=utf-8", "posting-list.csv", checkpoint.header())
    content = to_xlsx(rows, f"{campaign.name} 申报人员公示名册", footer)
    return Export(content, XLSX, "posting-list.xlsx", checkpoint.header())
