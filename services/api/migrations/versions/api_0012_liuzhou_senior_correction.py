"""The seeded 柳州 2022 正高级 campaign: corrections close on 27 September 18:00, not 30 September.

The 柳州 training deck (seed 000, “申报时间要求”, 正高级, 修改补充时间) says: “在2022年9月30日18:00
系统截止接收补充申报材料前,至少提前3天成功报送至柳州市经济专业工程技术人员职称改革工作领导小组
办公室。” 30 September 18:00 is when the system stops taking supplementary material; an
applicant's correction has to reach the 柳州 office at least three days before, i.e. by
27 September 18:00 (as the eligibility pack's `senior-corrections` deadline already says).
api_0003 seeded the system's close as the applicant's. Only a row still holding the seeded
value is changed, so a campaign ops have edited since is left alone.

Revision ID: api_0012
Revises: api_0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "api_0012"
down_revision = "api_0011"
branch_labels = None
depends_on = None

CODE = "liuzhou-2022-engineering-senior"
OLD_CLOSE = "2022-09-30T18:00:00+08:00"
NEW_CLOSE = "2022-09-27T18:00:00+08:00"
OLD_BASIS = "柳州市2022年度工程系列职称申报工作通知“申报时间要求”“修改补充时间”"
NEW_BASIS = (
    OLD_BASIS + "：在2022年9月30日18:00系统截止接收补充申报材料前，至少提前3天成功报送至"
    "柳州市经济专业工程技术人员职称改革工作领导小组办公室"
)

_SET = sa.text(
    "UPDATE api.campaign SET windows = jsonb_set(jsonb_set(windows,"
    " '{correction,closes_at}', to_jsonb(CAST(:close AS text))),"
    " '{correction,basis}', to_jsonb(CAST(:basis AS text)))"
    " WHERE code = :code AND windows #>> '{correction,closes_at}' = :was"
)


def upgrade() -> None:
    op.get_bind().execute(
        _SET, {"code": CODE, "close": NEW_CLOSE, "basis": NEW_BASIS, "was": OLD_CLOSE}
    )


def downgrade() -> None:
    op.get_bind().execute(
        _SET, {"code": CODE, "close": OLD_CLOSE, "basis": OLD_BASIS, "was": NEW_CLOSE}
    )
