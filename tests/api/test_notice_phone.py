"""Which phone an SMS notice goes to: the one the applicant's account proved with an SMS
code (sign-in, or WeChat's phone check), never the one typed into the form's basic_info,
which nobody has verified and may be anyone's. An account that proved none (an applicant
signed in through a portal's own sign-in, say) gets no SMS: each notice is still written,
as `no_phone`, never queued, so the record shows what the applicant was not told by SMS.
The case with a proved phone is walked in test_review_chain_e2e.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from arq import create_pool
from arq.connections import RedisSettings
from sqlmodel import select

from services.kit.db import make_engine, make_sessionmaker
from services.kit.outbox import NO_PHONE, Notification, relay
from tests.api.factories import SECTIONS, post, submitted
from tests.conftest import Stack


async def test_no_proved_phone_no_sms_but_every_notice_on_record(client, stack: Stack) -> None:
    # A token of an applicant with no account phone; the form carries a phone all the same.
    tree, _campaign, _applicant, did = await submitted(
        client, label="无验证手机", supervisor=False, county=False
    )
    assert SECTIONS["basic_info"]["phone"]
    deadline = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    r = await post(
        client,
        f"/v1/declarations/{did}/returns",
        tree.tokens["unit_reviewer"],
        {"items": [{"message": "补充继续教育证明"}], "deadline_at": deadline},
    )
    assert r.status_code == 201, r.text

    engine = make_engine(stack.database_url)
    maker = make_sessionmaker(engine)
    redis = await create_pool(RedisSettings.from_dsn(stack.redis_url))
    try:
        async with maker() as session:
            rows = (
                await session.exec(
                    select(Notification).where(Notification.declaration_id == uuid.UUID(did))
                )
            ).all()
        events = {n.event for n in rows}
        assert {"declaration.returned", "declaration.correction_reminder"} <= events
        for n in rows:
            assert (n.status, n.phone, n.enqueued_at) == (NO_PHONE, "", None)
        # Never handed to the queue, by the gateway or by the sweeper.
        assert await relay(maker, redis, ids=[n.id for n in rows]) == 0
    finally:
        await redis.aclose()
        await engine.dispose()
