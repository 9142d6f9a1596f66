"""Paying: pay codes on the order, refunds, campaign fees per level and the owning office;
the 长治 2022 campaign with its fees, the fees of the 广西工艺美术 2023 campaign.

- `payment_order.code_url`, `code_issued_at`: the provider's pay code (柳州 system notes,
  seed 002: “点击“缴费”扫描缴费码缴费，成功后有提示成功信息，再到系统中进行缴费验证”).
- `payment_refund`: payments not booked and returned the way they came (原路退回).
- `campaign.fees_yuan` (level → yuan) and `campaign.office_org_id` (the office that may
  correct the campaign's dates and fees before it opens).
- Fees from the notices. 长工信〔2022〕139号 八、评审收费: “中级专业技术职务每人 300 元，初级
  专业技术职务每人 260 元执行” (初级 = 助理工程师 and 技术员). 桂工信职办〔2023〕6号 六（一）:
  “正高级工艺美术师评审收费450元/人次，高级工艺美术师评审收费380元/人次，工艺美术师评审收费
  230元/人次，助理工艺美术师、工艺美术员评审收费150元/人次” — the seeded 工艺美术 campaign is
  the 正、副高级 one, so it carries 450 and 380; 230 and 150 stay in the policy pack for the
  中级 and 初级 campaigns the city offices open. The 柳州 fee is in none of the seeds: it
  stays an office setting.
- The 长治 2022 campaign (工程系列 非建筑、建材、环保专业 中、初级; seed 003), whose dates are
  the notice's: “材料收审时间为7月25日至8月25日” (十（三）; no hour given: the whole day), and
  whose seniority is counted to 31 December (“即2018年12月31日前聘任助理级”).
  No payment window: the notice sets none, the office sets it.

Revision ID: api_0017
Revises: api_0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
import uuid
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "api_0017"
down_revision = "api_0016"
branch_labels = None
depends_on = None

ARTS_CODE = "guangxi-2023-arts-crafts-senior"
ARTS_FEES = {"senior": 450, "deputy_senior": 380}
CZ_BASIS = "长工信〔2022〕139号 十（三）申报材料报送要求：材料收审时间为7月25日至8月25日"
CZ_FEES = {"intermediate": 300, "assistant": 260, "technician": 260}
CZ_WINDOW = {
    "opens_at": "2022-07-25T00:00:00+08:00",
    "closes_at": "2022-08-25T23:59:59+08:00",
    "basis": CZ_BASIS,
}
CHANGZHI = {
    "code": "changzhi-2022-engineering-intermediate-initial",
    "name": "长治市2022年度工程系列（非建筑、建材、环保专业）中、初级职称评审",
    "year": 2022,
    "series": "engineering",
    "region_code": "140400",
    "levels": ["intermediate", "assistant", "technician"],
    "committee_code": "cz-eng-intermediate-initial",
    "committee_name": "长治市工程系列（非建筑、建材、环保专业）中、初级专业技术职务评审委员会",
    "windows": {"submission": CZ_WINDOW, "unit_review": CZ_WINDOW},
    "evaluate_on": date(2022, 12, 31),
    "fees_yuan": CZ_FEES,
}


def upgrade() -> None:
    op.execute(
        "ALTER TABLE api.payment_order ADD COLUMN code_url text,"
        " ADD COLUMN code_issued_at timestamptz"
    )
    op.execute(
        """
        CREATE TABLE api.payment_refund (
            id uuid PRIMARY KEY,
            order_id uuid NOT NULL REFERENCES api.payment_order(id),
            declaration_id uuid NOT NULL REFERENCES api.declaration(id),
            transaction_id text NOT NULL UNIQUE,
            amount_fen integer NOT NULL CHECK (amount_fen > 0),
            paid_at timestamptz NOT NULL,
            cause text NOT NULL CHECK (cause IN ('duplicate', 'after_deadline', 'not_payable')),
            reason text NOT NULL,
            status text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'requested', 'succeeded')),
            provider_refund_id text,
            attempts integer NOT NULL DEFAULT 0,
            last_error text,
            requested_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            CHECK ((status = 'pending') = (provider_refund_id IS NULL))
        )
        """
    )
    op.execute("CREATE INDEX ix_payment_refund_order ON api.payment_refund (order_id)")
    op.execute(
        "CREATE INDEX ix_payment_refund_pending ON api.payment_refund (created_at)"
        " WHERE status = 'pending'"
    )
    op.execute(
        "ALTER TABLE api.campaign ADD COLUMN fees_yuan jsonb NOT NULL DEFAULT '{}'::jsonb,"
        " ADD COLUMN office_org_id uuid REFERENCES api.org(id)"
    )
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE api.campaign SET fees_yuan = CAST(:fees AS jsonb)"
            " WHERE code = :code AND fees_yuan = '{}'::jsonb"
        ),
        {"code": ARTS_CODE, "fees": json.dumps(ARTS_FEES)},
    )
    conn.execute(
        sa.text(
            "INSERT INTO api.campaign (id, code, name, year, series, region_code, levels,"
            " committee_code, committee_name, windows, evaluate_on, fees_yuan) VALUES (:id,"
            " :code, :name, :year, :series, :region_code, CAST(:levels AS jsonb),"
            " :committee_code, :committee_name, CAST(:windows AS jsonb), :evaluate_on,"
            " CAST(:fees_yuan AS jsonb)) ON CONFLICT DO NOTHING"
        ),
        {
            **CHANGZHI,
            "id": uuid.uuid5(uuid.NAMESPACE_URL, "zhicheng:campaign:" + CHANGZHI["code"]),
            "levels": json.dumps(CHANGZHI["levels"]),
            "windows": json.dumps(CHANGZHI["windows"], ensure_ascii=False),
            "fees_yuan": json.dumps(CHANGZHI["fees_yuan"]),
        },
    )


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "DELETE FROM api.campaign WHERE code = :code"
            " AND NOT EXISTS (SELECT 1 FROM api.declaration d WHERE d.campaign_id = campaign.id)"
        ),
        {"code": CHANGZHI["code"]},
    )
    op.execute("ALTER TABLE api.campaign DROP COLUMN office_org_id, DROP COLUMN fees_yuan")
    op.execute("DROP TABLE api.payment_refund")
    op.execute("ALTER TABLE api.payment_order DROP COLUMN code_url, DROP COLUMN code_issued_at")
