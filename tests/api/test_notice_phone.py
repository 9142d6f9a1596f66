"""Which phone an SMS notice goes to: the one the applicant's account proved with an SMS
code (sign-in, or WeChat's phone check), never the one typed into the form's basic_info,
which nobody has verified and may be anyone's. An account that proved none (an applicant
signed in through a portal's own sign-in, say) gets no SMS: each notice is still written,
as `no_phone`, never queued, so the record shows what the applicant was not told by SMS.
The case with a proved phone is walked in test_review_chain_e2e.py."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import select

from services.kit.outbox import NO_PHONE, Notification, relay
from tests.api.factories import SECTIONS, return_for_correction, submitted


async def test_no_proved_phone_no_sms_but_every_notice_on_record(client) -> None:
    # A token of an applicant with no account phone; the form carries a phone all the same.
    tree, _campaign, _applicant, did = await submitted(
        client, label="无验证手机", supervisor=False, county=False
    )
    assert SECTIONS["basic_info"]["phone"]
    # Three days: the return's reminder (2 days before) is still ahead at any hour.
    r = await return_for_correction(client, tree, did, within=timedelta(days=3))
    assert r.status_code == 201, r.text

    state = client._transport.app.state  # the app behind the in-process client
    async with state.sessionmaker() as session:
        query = select(Notification).where(Notification.declaration_id == uuid.UUID(did))
        rows = (await session.exec(query)).all()
    assert {n.event for n in rows} == {
        "declaration.submitted",
        "declaration.returned",
        "declaration.correction_reminder",
    }
    for n in rows:
        assert (n.status, n.phone, n.enqueued_at) == (NO_PHONE, "", None)
    # Never handed to the queue, by the gateway or by the sweeper.
    assert await relay(state.sessionmaker, state.arq, ids=[n.id for n in rows]) == 0
