"""Seed data: the work calendar (`chinesecalendar`), the 柳州 2022 and 广西工艺美术 2023 campaigns.

The calendar covers exactly the years the package knows; other years stay absent so that a
date in them is an error, never a guess. Campaign dates are absolute, Asia/Shanghai.

Revision ID: api_0003
Revises: api_0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import chinese_calendar
import sqlalchemy as sa
from alembic import op

revision = "api_0003"
down_revision = "api_0002"
branch_labels = None
depends_on = None

LZ_BASIS = "柳州市2022年度工程系列职称申报工作通知“申报时间要求”"
ARTS_BASIS = "2023年度广西工艺美术系列职称评审工作通知 五、时间安排"


def _w(opens: str | None, closes: str | None, basis: str) -> dict:
    return {
        "opens_at": opens and f"{opens}+08:00",
        "closes_at": closes and f"{closes}+08:00",
        "basis": basis,
    }


def _liuzhou(code: str, committee: str, name: str, levels: list[str], first: str, fix: str):
    return {
        "evaluate_on": date.fromisoformat(first[:10]) - timedelta(days=first.endswith("T00:00:00")),
        "code": f"liuzhou-2022-engineering-{code}",
        "name": f"柳州市2022年度工程系列职称申报（{name}）",
        "year": 2022,
        "series": "engineering",
        "region_code": "450200",
        "levels": levels,
        "committee_code": committee,
        "committee_name": name,
        "windows": {
            "submission": _w(None, first, LZ_BASIS + "“首次提交时间”"),
            "unit_review": _w(None, first, LZ_BASIS + "“首次提交时间”（单位审核、逐级上报）"),
            "correction": _w(None, fix, LZ_BASIS + "“修改补充时间”"),
        },
    }


CAMPAIGNS = [
    _liuzhou(
        "senior",
        "gx-eng-senior",
        "广西壮族自治区正高级工程师评审委员会",
        ["senior"],
        "2022-08-23T00:00:00",
        "2022-09-30T18:00:00",
    ),
    _liuzhou(
        "deputy-senior",
        "lz-eng-deputy-senior",
        "工程系列柳州市副高级评委会",
        ["deputy_senior"],
        "2022-07-31T23:59:59",
        "2022-08-12T18:00:00",
    ),
    _liuzhou(
        "intermediate",
        "lz-eng-intermediate",
        "工程系列柳州市中级评委会",
        ["intermediate"],
        "2022-08-31T23:59:59",
        "2022-09-20T18:00:00",
    ),
    _liuzhou(
        "initial",
        "lz-eng-initial",
        "工程系列柳州市初级评委会",
        ["assistant", "technician"],
        "2022-08-31T23:59:59",
        "2022-09-20T18:00:00",
    ),
    {
        "code": "guangxi-2023-arts-crafts-senior",
        "name": "广西2023年度工艺美术系列正、副高级职称评审",
        "year": 2023,
        "evaluate_on": date(2023, 9, 10),
        "series": "arts_crafts",
        "region_code": "450000",
        "levels": ["senior", "deputy_senior"],
        "committee_code": "gx-arts-senior-deputy-senior",
        "committee_name": "广西壮族自治区工艺美术系列正、副高级专业技术职务任职资格评审委员会",
        "windows": {
            "submission": _w(
                "2023-07-27T08:00:00",
                "2023-09-10T18:00:00",
                ARTS_BASIS + "“个人申报及所在单位审核推荐”",
            ),
            "unit_review": _w(
                "2023-07-27T08:00:00",
                "2023-09-10T18:00:00",
                ARTS_BASIS + "“个人申报及所在单位审核推荐”",
            ),
            "office_review": _w(
                "2023-08-01T08:00:00",
                "2023-09-15T18:00:00",
                ARTS_BASIS + "“各级职改办、区直主管部门审核推荐”",
            ),
            "committee_review": _w(
                "2023-09-01T08:00:00",
                "2023-09-22T18:00:00",
                ARTS_BASIS + "“评委会所在职改办接收审核”",
            ),
            "correction": _w(
                "2023-09-01T08:00:00", "2023-09-28T18:00:00", ARTS_BASIS + "“补正材料”"
            ),
            "payment": _w(
                "2023-09-01T08:00:00",
                "2023-10-10T18:00:00",
                "2023年度广西工艺美术系列职称评审工作通知 六（二）收费方式与时间",
            ),
        },
    },
]


def _known_years() -> list[int]:
    years = []
    for year in range(2004, 2100):
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
            chinese_calendar.is_workday(date(year, 12, 31))
        except NotImplementedError:
            continue
        years.append(year)
    return years


def calendar_rows(year: int) -> list[dict]:
    rows = []
    day = date(year, 1, 1)
    while day.year == year:
        workday = chinese_calendar.is_workday(day)
        weekend = day.weekday() >= 5
        _, name = chinese_calendar.get_holiday_detail(day)
        if workday:
            kind = "makeup" if weekend else "workday"
        else:
            kind = "weekend" if weekend and name is None else "holiday"
        rows.append(
            {
                "day": day,
                "workday": workday,
                "kind": kind,
                "name": name,
                "source": "chinesecalendar",
            }
        )
        day += timedelta(days=1)
    return rows


def upgrade() -> None:
    conn = op.get_bind()
    insert_day = sa.text(
        "INSERT INTO api.work_calendar (day, workday, kind, name, source) "
        "VALUES (:day, :workday, :kind, :name, :source)"
    )
    for year in _known_years():
        conn.execute(
            sa.text("INSERT INTO api.work_calendar_year (year, source) VALUES (:y, :s)"),
            {"y": year, "s": "chinesecalendar"},
        )
        conn.execute(insert_day, calendar_rows(year))
    insert_campaign = sa.text(
        "INSERT INTO api.campaign (id, code, name, year, series, region_code, levels,"
        " committee_code, committee_name, windows, evaluate_on) VALUES (:id, :code, :name, :year,"
        " :series, :region_code, CAST(:levels AS jsonb), :committee_code, :committee_name,"
        " CAST(:windows AS jsonb), :evaluate_on)"
    )
    for campaign in CAMPAIGNS:
        conn.execute(
            insert_campaign,
            {
                **campaign,
                "id": uuid.uuid5(uuid.NAMESPACE_URL, "zhicheng:campaign:" + campaign["code"]),
                "levels": json.dumps(campaign["levels"]),
                "windows": json.dumps(campaign["windows"], ensure_ascii=False),
            },
        )


def downgrade() -> None:
    codes = [c["code"] for c in CAMPAIGNS]
    op.get_bind().execute(
        sa.text("DELETE FROM api.campaign WHERE code = ANY(:codes)"), {"codes": codes}
    )
    op.execute("DELETE FROM api.work_calendar WHERE source = 'chinesecalendar'")
    op.execute("DELETE FROM api.work_calendar_year WHERE source = 'chinesecalendar'")
