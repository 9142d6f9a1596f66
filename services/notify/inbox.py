"""The development SMS inbox: what the `log` provider would have delivered, readable.

Locally nothing reaches a phone (the `log` provider writes a masked line instead) and the
outbox scrubs a login code once it is sent, so a person trying the API could not sign in.
With NOTIFY_DEV_INBOX=true the `log` provider also keeps each message in the worker's
memory (services/notify/sms/devinbox.py) and the worker's listener answers
`GET /dev/sms-inbox?phone=…`: the newest messages to that phone, as the SMS would read,
codes included. NotifySettings refuses the setting in production and on a listener that
is not on this machine (services/notify/config.py); without it the route does not exist
and nothing is kept. `scripts/dev.sh run` turns it on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.notify.sms import devinbox

router = APIRouter(prefix="/dev", tags=["development"])


class InboxMessage(BaseModel):
    template: str
    text: str
    code: str | None  # a login code, when the message is one
    sent_at: str


@router.get("/sms-inbox", response_model=list[InboxMessage], include_in_schema=False)
async def sms_inbox(
    phone: Annotated[str, Query(pattern=r"^(\+86)?1\d{10}$")],
) -> list[InboxMessage]:
    e164 = phone if phone.startswith("+86") else "+86" + phone
    return [InboxMessage(**m) for m in devinbox.delivered(e164)]
