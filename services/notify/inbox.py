"""The development SMS inbox: what the `log` provider would have delivered, readable.

Locally nothing reaches a phone (the `log` provider writes a masked line instead), so a
person trying the API cannot read a login code. With NOTIFY_DEV_INBOX=true the worker's
own listener answers `GET /dev/sms-inbox?phone=…`: the newest messages to that phone,
rendered as the SMS would read, codes included. NotifySettings refuses the setting in
production and on a listener that is not on this machine (services/notify/config.py);
without it the route does not exist. `scripts/dev.sh run` turns it on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlmodel import select

from services.kit.outbox import Notification
from services.kit.sms_templates import TemplateError, get_template, render_text

router = APIRouter(prefix="/dev", tags=["development"])
NEWEST = 20


class InboxMessage(BaseModel):
    event: str
    template: str
    text: str
    code: str | None  # a login code, when the message is one
    status: str
    created_at: str


def _text(row: Notification) -> str:
    try:
        return render_text(get_template(row.template_code), row.params)
    except TemplateError:
        return row.rendered_text or ""


@router.get("/sms-inbox", response_model=list[InboxMessage], include_in_schema=False)
async def sms_inbox(
    request: Request, phone: Annotated[str, Query(pattern=r"^(\+86)?1\d{10}$")]
) -> list[InboxMessage]:
    e164 = phone if phone.startswith("+86") else "+86" + phone
    async with request.app.state.sessionmaker() as session:
        rows = (
            await session.exec(
                select(Notification)
                .where(Notification.phone == e164)
                .order_by(Notification.created_at.desc())
                .limit(NEWEST)
            )
        ).all()
    return [
        InboxMessage(
            event=row.event,
            template=row.template_code,
            text=_text(row),
            code=str(row.params["code"]) if "code" in row.params else None,
            status=row.status,
            created_at=row.created_at.isoformat(),
        )
        for row in rows
    ]
