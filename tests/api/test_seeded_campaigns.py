"""The seeded 柳州 2022 campaigns hold the dates of the 柳州 training deck (seed 000,
“申报时间要求”), read back through GET /v1/campaigns."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
from alembic.script import ScriptDirectory

from services.kit.migrations import alembic_config, downgrade, upgrade
from tests.api.factories import OPS, auth

SENIOR = "liuzhou-2022-engineering-senior"
NEW_CLOSE = "2022-09-27T18:00:00+08:00"

# Seed 000, “申报时间要求”, row 广西壮族自治区正高级工程师评审委员会 / 正高级, column 修改补充时间:
SENIOR_CORRECTION = (
    "在2022年9月30日18:00系统截止接收补充申报材料前,至少提前3天成功报送至"
    "柳州市经济专业工程技术人员职称改革工作领导小组办公室。"
)


async def test_liuzhou_senior_corrections_close_three_days_before_the_system(client) -> None:
    """The system stops taking supplementary material on 30 September 18:00; the applicant's
    corrections must reach the 柳州 office at least 3 days before that: 27 September 18:00."""
    campaigns = (await client.get("/v1/campaigns", headers=auth(OPS))).json()
    senior = {c["code"]: c for c in campaigns}[SENIOR]
    correction = senior["windows"]["correction"]
    # Stored in Beijing time (NEW_CLOSE); answered, like every instant, in UTC.
    assert correction["closes_at"] == "2022-09-27T10:00:00Z", correction
    assert "至少提前3天" in correction["basis"]
    assert "2022年9月30日18:00" in SENIOR_CORRECTION and "至少提前3天" in SENIOR_CORRECTION
    # The first submission is untouched: "2022年8月23日前成功报送".
    assert senior["windows"]["submission"]["closes_at"] == "2022-08-22T16:00:00Z"


def _fix_revision() -> Any:
    """The migration that moved the close (found by content: revisions are renumbered)."""
    script = ScriptDirectory.from_config(alembic_config("api", "postgresql+asyncpg://unused/x"))
    return next(
        r for r in script.walk_revisions() if getattr(r.module, "NEW_CLOSE", None) == NEW_CLOSE
    )


async def _correction(url: str) -> dict:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        raw = await conn.fetchval(
            "SELECT windows -> 'correction' FROM api.campaign WHERE code = $1", SENIOR
        )
        return json.loads(raw)
    finally:
        await conn.close()


async def test_the_fix_is_a_migration_that_goes_both_ways(scratch_db: str) -> None:
    fix = _fix_revision()
    await asyncio.to_thread(upgrade, "api", scratch_db, fix.down_revision)
    assert (await _correction(scratch_db))["closes_at"] == "2022-09-30T18:00:00+08:00"
    await asyncio.to_thread(upgrade, "api", scratch_db, fix.revision)
    after = await _correction(scratch_db)
    assert after["closes_at"] == NEW_CLOSE
    assert "至少提前3天" in after["basis"]
    await asyncio.to_thread(downgrade, "api", scratch_db, fix.down_revision)
    assert (await _correction(scratch_db))["closes_at"] == "2022-09-30T18:00:00+08:00"


async def test_a_campaign_edited_since_is_left_alone(scratch_db: str) -> None:
    fix = _fix_revision()
    await asyncio.to_thread(upgrade, "api", scratch_db, fix.down_revision)
    conn = await asyncpg.connect(scratch_db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(
            "UPDATE api.campaign SET windows = jsonb_set(windows, '{correction,closes_at}',"
            " '\"2022-09-26T12:00:00+08:00\"') WHERE code = $1",
            SENIOR,
        )
    finally:
        await conn.close()
    await asyncio.to_thread(upgrade, "api", scratch_db, fix.revision)
    assert (await _correction(scratch_db))["closes_at"] == "2022-09-26T12:00:00+08:00"
